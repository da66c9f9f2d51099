package org.ordertracking.core;

import java.util.Objects;
import org.ordertracking.core.internal.Checks;

/**
 * The outcome of one atomic change of an order's driver ({@link OrderRepository#changeDriver}):
 * the order as it is now and the driver it had just before. Immutable.
 *
 * @param order the order after the change; {@link TrackedOrder#driverId()} is the new driver, or
 *     {@code null} after an unassignment
 * @param previousDriverId the driver the order had just before the change, or {@code null} if it had none
 * @since 0.1.0
 */
public record DriverChange(TrackedOrder order, String previousDriverId) {

    public DriverChange {
        Objects.requireNonNull(order, "order must not be null");
        if (previousDriverId != null) {
            Checks.requireId(previousDriverId, "previousDriverId");
        }
    }

    /** Returns the driver the order has now, or {@code null} if none. */
    public String driverId() {
        return order.driverId();
    }

    /** Returns whether the driver changed (an assignment to the driver it already had changes nothing). */
    public boolean changed() {
        return !Objects.equals(previousDriverId, order.driverId());
    }

    /**
     * Returns whether a driver lost the order: it had one, and now has another one or none. That
     * driver ({@link #previousDriverId()}) is sent {@code unassigned}.
     */
    public boolean tookFromPreviousDriver() {
        return previousDriverId != null && changed();
    }
}
