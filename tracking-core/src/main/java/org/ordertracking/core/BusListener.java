package org.ordertracking.core;

/**
 * Receives the messages of one {@link EventBus} subscription.
 *
 * <p>Calls for one subscription never overlap and arrive in publish order (per publisher). They
 * run on a bus thread (or, for a listener that declares it {@link #neverBlocks()}, possibly on the
 * publishing thread): a listener must not block, and should hand anything slow to its own
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
     * Called for each message instead of {@link #onMessage(Envelope)} by a bus that can tell whether
     * it already holds the next message of this subscription: {@code more} is true when another call
     * follows at once, without waiting for anything not yet published. A listener that writes to a
     * socket can then queue this message and write the whole run at once on the call with
     * {@code more == false}, one write instead of one per message, and only when it has fallen
     * behind, so no latency is added when the bus keeps up.
     *
     * <p>A call with {@code more == true} is followed by another {@code onMessage} call, by
     * {@link #onGap(Topic)} (the next message was lost), or by the subscription's close. The
     * in-memory and Redis buses call this method; the default calls {@link #onMessage(Envelope)}.
     */
    default void onMessage(Envelope envelope, boolean more) {
        onMessage(envelope);
    }

    /**
     * Whether every call of this listener returns promptly: it never waits on I/O, on a lock held
     * across I/O, or on another thread (the servlet's SSE streams queue a frame and write without
     * blocking). A bus may then call it on the publishing thread instead of handing the message to a
     * delivery thread: the in-memory bus does so for a topic of at most
     * {@value org.ordertracking.core.internal.LocalFanout#INLINE_LISTENERS} subscriptions that all
     * never block, which saves a thread wake-up per publish. False by default: a listener that may
     * block is always called on a bus thread, so it can hold up neither a publisher nor the topic's
     * other listeners.
     */
    default boolean neverBlocks() {
        return false;
    }

    /**
     * Called when messages on {@code topic} may have been lost — the subscription's buffer
     * overflowed, or a networked bus reconnected. A listener that needs every status event reads
     * what it missed from the {@link OrderRepository} by seq. Does nothing by default.
     */
    default void onGap(Topic topic) {
    }
}
