package org.ordertracking.core;

/**
 * Thrown when an operation names an order that is not registered.
 *
 * @since 0.1.0
 */
public final class UnknownOrderException extends TrackingException {
    private static final long serialVersionUID = 1L;

    private final String orderId;

    public UnknownOrderException(String orderId) {
        super("unknown order '" + orderId + "'");
        this.orderId = orderId;
    }

    /** Returns the id that was not found. */
    public String orderId() {
        return orderId;
    }
}
