package org.ordertracking.core;

import java.util.Objects;
import org.ordertracking.core.internal.Checks;

/**
 * A channel of the {@link EventBus}: everything about one order, one restaurant's orders, or what
 * is addressed to one driver.
 *
 * @param kind what the id names
 * @param id the order, restaurant or driver id
 * @since 0.1.0
 */
public record Topic(Kind kind, String id) {

    /** What a topic's id names. */
    public enum Kind {
        /** Status, location and signal events of one order: what its customers watch. */
        ORDER("order"),
        /** Status events of every order of one restaurant: its dashboard. */
        RESTAURANT("restaurant"),
        /** Messages to one driver, such as assignments: its socket, on whichever node holds it. */
        DRIVER("driver"),
        /** Operator-wide events of the whole system (one topic, {@link Topic#operations()}). */
        OPERATIONS("operations");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }

        /** Returns the lower-case name used in channel names, e.g. {@code "order"}. */
        public String prefix() {
            return prefix;
        }
    }

    public Topic {
        Objects.requireNonNull(kind, "kind must not be null");
        Checks.requireId(id, kind.prefix + " id");
    }

    public static Topic order(String orderId) {
        return new Topic(Kind.ORDER, orderId);
    }

    public static Topic restaurant(String restaurantId) {
        return new Topic(Kind.RESTAURANT, restaurantId);
    }

    public static Topic driver(String driverId) {
        return new Topic(Kind.DRIVER, driverId);
    }

    /** Returns the one topic of operator-wide events, {@code operations:all}. */
    public static Topic operations() {
        return new Topic(Kind.OPERATIONS, "all");
    }

    /** Returns the channel name, e.g. {@code "order:o-42"}. Bus implementations may prefix it. */
    public String channel() {
        return kind.prefix + ':' + id;
    }

    /**
     * Parses a {@linkplain #channel() channel name}.
     *
     * @throws IllegalArgumentException if it is not one
     */
    public static Topic parse(String channel) {
        int colon = channel.indexOf(':');
        if (colon > 0) {
            String prefix = channel.substring(0, colon);
            for (Kind kind : Kind.values()) {
                if (kind.prefix.equals(prefix)) {
                    return new Topic(kind, channel.substring(colon + 1));
                }
            }
        }
        throw new IllegalArgumentException("not a topic channel: '" + channel + "'");
    }

    @Override
    public String toString() {
        return channel();
    }
}
