package org.ordertracking.core;

/**
 * Observes what an {@link OrderTracker} on this node commits, after it was published on the bus:
 * the hook for notifications and caches. Methods do nothing by default.
 *
 * <p>Called on the thread that made the change (or the outbox relay's thread), possibly
 * concurrently for different orders; an event re-published by the outbox relay after a crash is
 * seen again, so implementations must be idempotent (see
 * {@link OrderRepository#claimNotification}). Must not block: hand slow work to an executor.
 * Exceptions are logged and never undo or fail the change.
 *
 * @since 0.1.0
 */
public interface TrackerListener {

    /** An event was committed (or re-published by the outbox relay). */
    default void onEvent(TrackedOrder order, OrderEvent event) {
    }

    /** A driver was assigned to an order. */
    default void onDriverAssigned(TrackedOrder order) {
    }
}
