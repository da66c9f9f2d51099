package org.ordertracking.core;

import java.util.Locale;

/**
 * The moments at which a customer is notified, each at most once per order.
 *
 * @since 0.1.0
 */
public enum NotificationMoment {
    /** The restaurant accepted the order. */
    ACCEPTED,
    /** The driver picked it up: delivery starts. */
    PICKED_UP,
    /** The driver is about five minutes away, from the ETA. */
    ARRIVING,
    /** The order was delivered. */
    DELIVERED,
    /** The order failed (rejected, cancelled, acceptance timeout, delivery failed). */
    FAILED;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** Returns the snake_case name used in storage, e.g. {@code "picked_up"}. */
    public String wireName() {
        return wireName;
    }

    /** Parses a wire name. */
    public static NotificationMoment fromWireName(String name) {
        for (NotificationMoment moment : values()) {
            if (moment.wireName.equals(name)) {
                return moment;
            }
        }
        throw new IllegalArgumentException("unknown notification moment '" + name + "'");
    }
}
