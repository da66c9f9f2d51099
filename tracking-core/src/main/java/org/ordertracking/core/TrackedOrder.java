package org.ordertracking.core;

import java.time.Instant;
import java.util.Objects;
import org.ordertracking.core.internal.Checks;

/**
 * An order as stored: who it belongs to, where it goes, and where it stands.
 *
 * @param orderId the order's id
 * @param restaurantId the restaurant that prepares it
 * @param customerId the customer who watches it
 * @param driverId the assigned driver, or {@code null} while none is assigned
 * @param destination where it is delivered
 * @param status the current status
 * @param seq the seq of the event that produced {@code status}: the number of events so far
 * @param createdAt when it was registered (server time)
 * @param updatedAt when its status last changed (server time)
 * @since 0.1.0
 */
public record TrackedOrder(
        String orderId,
        String restaurantId,
        String customerId,
        String driverId,
        GeoPoint destination,
        OrderStatus status,
        long seq,
        Instant createdAt,
        Instant updatedAt) {

    public TrackedOrder {
        Checks.requireId(orderId, "orderId");
        Checks.requireId(restaurantId, "restaurantId");
        Checks.requireId(customerId, "customerId");
        if (driverId != null) {
            Checks.requireId(driverId, "driverId");
        }
        Objects.requireNonNull(destination, "destination must not be null");
        Objects.requireNonNull(status, "status must not be null");
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be at least 1, but was " + seq);
        }
        Objects.requireNonNull(createdAt, "createdAt must not be null");
        Objects.requireNonNull(updatedAt, "updatedAt must not be null");
    }

    /** Returns whether the order is neither delivered nor failed. */
    public boolean isActive() {
        return !status.isTerminal();
    }

    /** Returns a copy with another status, seq and update time. */
    public TrackedOrder withStatus(OrderStatus newStatus, long newSeq, Instant at) {
        return new TrackedOrder(orderId, restaurantId, customerId, driverId, destination, newStatus, newSeq,
                createdAt, at);
    }

    /** Returns a copy with another driver. */
    public TrackedOrder withDriver(String newDriverId) {
        return new TrackedOrder(orderId, restaurantId, customerId, newDriverId, destination, status, seq,
                createdAt, updatedAt);
    }
}
