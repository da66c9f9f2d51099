package org.ordertracking.core;

/**
 * Thrown when an order is registered with an id that is already taken.
 *
 * @since 0.1.0
 */
public final class DuplicateOrderException extends TrackingException {
    private static final long serialVersionUID = 1L;

    private final String orderId;

    public DuplicateOrderException(String orderId) {
        super("order '" + orderId + "' is already registered");
        this.orderId = orderId;
    }

    /** Returns the id that is already taken. */
    public String orderId() {
        return orderId;
    }
}
