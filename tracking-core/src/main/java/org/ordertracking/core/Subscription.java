package org.ordertracking.core;

/**
 * A listener's registration on a topic. Closing it stops delivery; closing twice is harmless.
 * Thread-safe.
 *
 * @since 0.1.0
 */
public interface Subscription extends AutoCloseable {

    /** Returns the topic subscribed to. */
    Topic topic();

    /** Stops delivery to the listener. A message being delivered may still complete. Idempotent. */
    @Override
    void close();
}
