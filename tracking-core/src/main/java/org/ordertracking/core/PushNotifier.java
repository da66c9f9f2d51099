package org.ordertracking.core;

import java.time.Duration;

/**
 * Sends a push notification to an order's customer (FCM, APNs, SMS … — the host's choice). Called by
 * the {@link NotificationDispatcher} at the {@link NotificationMoment}s, each at most once per order.
 *
 * <p>Called on the dispatcher's scheduler, never on the thread of a transition, possibly
 * concurrently for different orders. It may block for a network call, but should time out. Throw to
 * have the call retried with backoff.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface PushNotifier {

    /**
     * Sends one notification.
     *
     * @param order the order as it stands when the notification is sent
     * @param moment which notification
     * @param eta the estimated time to the destination for {@link NotificationMoment#ARRIVING},
     *     otherwise {@code null}
     * @throws RuntimeException if it failed and should be retried
     */
    void send(TrackedOrder order, NotificationMoment moment, Duration eta);
}
