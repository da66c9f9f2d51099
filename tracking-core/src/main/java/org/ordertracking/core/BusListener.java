package org.ordertracking.core;

/**
 * Receives the messages of one {@link EventBus} subscription.
 *
 * <p>Calls for one subscription never overlap and arrive in publish order (per publisher). They
 * run on a bus thread: a listener must not block, and should hand anything slow to its own
 * executor. An exception thrown by a listener is logged and does not reach the publisher or any
 * other listener.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface BusListener {

    /** Called for each message published on the subscribed topic. */
    void onMessage(Envelope envelope);

    /**
     * Called when messages on {@code topic} may have been lost — the subscription's buffer
     * overflowed, or a networked bus reconnected. A listener that needs every status event reads
     * what it missed from the {@link OrderRepository} by seq. Does nothing by default.
     */
    default void onGap(Topic topic) {
    }
}
