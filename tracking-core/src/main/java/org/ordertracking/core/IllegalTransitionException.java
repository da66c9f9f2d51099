package org.ordertracking.core;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * Thrown when a transition is not an edge of the state machine from the order's current status,
 * or when it was requested on the condition of a status the order no longer has. The message and
 * the accessors name the order, the current status, the requested one and the allowed next ones.
 *
 * @since 0.1.0
 */
public final class IllegalTransitionException extends TrackingException {
    private static final long serialVersionUID = 1L;

    private final String orderId;
    private final OrderStatus current;
    private final OrderStatus requested;
    private final Set<OrderStatus> allowed;

    public IllegalTransitionException(String orderId, OrderStatus current, OrderStatus requested,
            Set<OrderStatus> allowed) {
        super(message(orderId, current, requested, allowed));
        this.orderId = orderId;
        this.current = current;
        this.requested = requested;
        this.allowed = Set.copyOf(allowed);
    }

    private static String message(String orderId, OrderStatus current, OrderStatus requested,
            Set<OrderStatus> allowed) {
        String next = allowed.isEmpty()
                ? "none (" + current + " is terminal)"
                : allowed.stream().sorted().map(OrderStatus::wireName).collect(Collectors.joining(", "));
        return "order '" + orderId + "' cannot go from " + current + " to " + requested
                + "; allowed next: " + next;
    }

    public String orderId() {
        return orderId;
    }

    /** Returns the status the order has. */
    public OrderStatus current() {
        return current;
    }

    /** Returns the status that was asked for. */
    public OrderStatus requested() {
        return requested;
    }

    /** Returns the statuses the order may move to from {@link #current()}. */
    public Set<OrderStatus> allowed() {
        return allowed;
    }
}
