package org.ordertracking.core;

import java.util.Objects;
import org.ordertracking.core.internal.Checks;

/**
 * A channel of the {@link EventBus}: everything about one order, one restaurant's orders, what
 * is addressed to one driver, or the one {@linkplain #operations() operations topic} that operators
 * watch.
 *
 * @param kind what the id names
 * @param id the order, restaurant or driver id; {@value #OPERATIONS_ID} for the operations topic
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
        /**
         * What operators watch: restaurants that went dark or came back, stuck orders, orders at risk of
         * a power cut, retention purges. There is one such topic, {@link Topic#operations()}.
         *
         * @since 0.1.0
         */
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

    /**
     * The id of the one operations topic, {@code operations:all}.
     *
     * @since 0.1.0
     */
    public static final String OPERATIONS_ID = "all";

    public Topic {
        Objects.requireNonNull(kind, "kind must not be null");
        Checks.requireId(id, kind.prefix + " id");
        if (kind == Kind.OPERATIONS && !OPERATIONS_ID.equals(id)) {
            throw new IllegalArgumentException("the operations topic is operations:" + OPERATIONS_ID
                    + ", but the id was '" + id + "'");
        }
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

    /**
     * Returns the one operations topic, {@code operations:all}: what the operators' stream shows.
     *
     * @since 0.1.0
     */
    public static Topic operations() {
        return OPERATIONS_TOPIC;
    }

    private static final Topic OPERATIONS_TOPIC = new Topic(Kind.OPERATIONS, OPERATIONS_ID);

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
