package org.ordertracking.core;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.ordertracking.core.internal.Checks;

/**
 * What the store knows about one restaurant's signs of life, as {@link OrderRepository#restaurantPresence()}
 * reads it: when its board was last seen (an open board stream, a poll of its orders), how many of its
 * orders wait for it, and whether it is counted offline. {@link RestaurantPresenceMonitor} decides
 * from these facts alone, so every node decides alike and a restart changes nothing.
 *
 * @param restaurantId the restaurant
 * @param lastSeenAt its last recorded sign of life, or {@code null} if none was ever recorded
 * @param openOrders how many of its orders are in one of {@link #WAITING_STATUSES}
 * @param oldestOpenOrderAt when the oldest of those was placed, or {@code null} if there is none
 * @param offline whether it is counted offline (the last claimed change was to offline)
 * @param changedAt when it was last claimed offline or online, or {@code null} if never
 * @since 0.1.0
 */
public record RestaurantPresence(String restaurantId, Instant lastSeenAt, int openOrders, Instant oldestOpenOrderAt,
        boolean offline, Instant changedAt) {

    /**
     * The statuses in which an order waits for its restaurant: {@code received}, {@code accepted},
     * {@code preparing}, {@code ready}. Once picked up, the order no longer needs the restaurant.
     */
    public static final Set<OrderStatus> WAITING_STATUSES = java.util.Collections.unmodifiableSet(
            EnumSet.of(OrderStatus.RECEIVED, OrderStatus.ACCEPTED, OrderStatus.PREPARING, OrderStatus.READY));

    public RestaurantPresence {
        Checks.requireId(restaurantId, "restaurantId");
        if (openOrders < 0) {
            throw new IllegalArgumentException("openOrders must not be negative, but was " + openOrders);
        }
        if ((openOrders == 0) != (oldestOpenOrderAt == null)) {
            throw new IllegalArgumentException("oldestOpenOrderAt must be given exactly when there are open orders, but"
                    + " openOrders was " + openOrders + " and oldestOpenOrderAt " + oldestOpenOrderAt);
        }
    }

    /**
     * Returns since when the restaurant has had open orders without a sign of life: the later of
     * {@link #lastSeenAt} and {@link #oldestOpenOrderAt}, or {@code null} without open orders. A
     * restaurant is silent only while something waits for it: one whose board was closed overnight
     * gets the configured time again when a new order arrives.
     */
    public Instant silentSince() {
        if (oldestOpenOrderAt == null) {
            return null;
        }
        return lastSeenAt == null || lastSeenAt.isBefore(oldestOpenOrderAt) ? oldestOpenOrderAt : lastSeenAt;
    }

    /** Returns whether an order in {@code status} waits for its restaurant ({@link #WAITING_STATUSES}). */
    public static boolean waitsForRestaurant(OrderStatus status) {
        return WAITING_STATUSES.contains(Objects.requireNonNull(status, "status must not be null"));
    }
}
