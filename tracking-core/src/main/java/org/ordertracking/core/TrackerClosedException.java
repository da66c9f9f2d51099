package org.ordertracking.core;

/**
 * Thrown by an {@link OrderTracker} asked to start, register, move or assign an order, or to run a
 * sweep, after {@link OrderTracker#close()}. A server that is shutting down answers it as
 * "unavailable" (HTTP 503), never as a bug: the request was fine, the process is going away.
 *
 * <p>Before 0.1.0 was released this was a bare {@link IllegalStateException}; catch this type instead.
 *
 * @since 0.1.0
 */
public final class TrackerClosedException extends TrackingException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with the standard message {@code "the order tracker is closed"}. */
    public TrackerClosedException() {
        super("the order tracker is closed");
    }
}
