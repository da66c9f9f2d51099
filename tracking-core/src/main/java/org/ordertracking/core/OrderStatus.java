package org.ordertracking.core;

import java.util.Locale;
import java.util.Objects;

/**
 * The stages an order moves through. The wire name of each status is its {@code snake_case}
 * form ({@code picked_up}), used in JSON, in SQL rows and in Redis payloads.
 *
 * <p>{@link #DELIVERED} and {@link #FAILED} are terminal: no transition ever leaves them.
 *
 * @since 0.1.0
 */
public enum OrderStatus {
    RECEIVED,
    ACCEPTED,
    PREPARING,
    READY,
    PICKED_UP,
    DELIVERED,
    FAILED;

    private static final OrderStatus[] VALUES = values();

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** Returns the snake_case name used on the wire and in storage, e.g. {@code "picked_up"}. */
    public String wireName() {
        return wireName;
    }

    /** Returns whether no transition may leave this status. */
    public boolean isTerminal() {
        return this == DELIVERED || this == FAILED;
    }

    /**
     * Parses a wire name such as {@code "picked_up"}.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones if it is unknown
     * @throws NullPointerException if {@code wireName} is null
     */
    public static OrderStatus fromWireName(String wireName) {
        Objects.requireNonNull(wireName, "status must not be null");
        for (OrderStatus status : VALUES) {
            if (status.wireName.equals(wireName)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown order status '" + wireName
                + "'; expected one of received, accepted, preparing, ready, picked_up, delivered, failed");
    }

    @Override
    public String toString() {
        return wireName;
    }
}
