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

    /** A driver was assigned to an order (also when it is reassigned from another driver). */
    default void onDriverAssigned(TrackedOrder order) {
    }

    /**
     * An order was taken from a driver: reassigned to another driver (then {@link #onDriverAssigned}
     * follows) or unassigned.
     *
     * @param order the order after the change (its driver is the new one, or {@code null})
     * @param previousDriverId the driver who lost it
     * @since 0.1.0
     */
    default void onDriverUnassigned(TrackedOrder order, String previousDriverId) {
    }
}
