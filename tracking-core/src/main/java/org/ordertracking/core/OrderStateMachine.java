package org.ordertracking.core;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The table of legal status transitions. Immutable and thread-safe.
 *
 * <p>The {@linkplain #defaults() default table} is the one of the design:
 * <pre>
 * received  → accepted | failed        (accept; reject or acceptance timeout)
 * accepted  → preparing | failed       (start cooking; cancel)
 * preparing → ready
 * ready     → picked_up
 * picked_up → delivered | failed
 * </pre>
 * An integrator may build a stricter or wider table with {@link #builder()}, but never one with
 * an edge out of a terminal status or a self-loop: repeating the transition that produced the
 * current status is idempotent instead.
 *
 * @since 0.1.0
 */
public final class OrderStateMachine {

    private static final OrderStateMachine DEFAULTS = builder()
            .allow(OrderStatus.RECEIVED, OrderStatus.ACCEPTED)
            .allow(OrderStatus.RECEIVED, OrderStatus.FAILED)
            .allow(OrderStatus.ACCEPTED, OrderStatus.PREPARING)
            .allow(OrderStatus.ACCEPTED, OrderStatus.FAILED)
            .allow(OrderStatus.PREPARING, OrderStatus.READY)
            .allow(OrderStatus.READY, OrderStatus.PICKED_UP)
            .allow(OrderStatus.PICKED_UP, OrderStatus.DELIVERED)
            .allow(OrderStatus.PICKED_UP, OrderStatus.FAILED)
            .build();

    private final Map<OrderStatus, Set<OrderStatus>> edges;

    private OrderStateMachine(Map<OrderStatus, Set<OrderStatus>> edges) {
        this.edges = edges;
    }

    /** Returns the default table of the design. */
    public static OrderStateMachine defaults() {
        return DEFAULTS;
    }

    /** Returns a builder for a table with no edges. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder pre-filled with the edges of this table, to widen or narrow it. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        edges.forEach((from, targets) -> targets.forEach(to -> builder.allow(from, to)));
        return builder;
    }

    /** Returns whether {@code from → to} is an edge of this table. */
    public boolean isAllowed(OrderStatus from, OrderStatus to) {
        Objects.requireNonNull(from, "from must not be null");
        Objects.requireNonNull(to, "to must not be null");
        return edges.get(from).contains(to);
    }

    /** Returns the statuses reachable in one step from {@code from}, empty for a terminal status. */
    public Set<OrderStatus> allowedFrom(OrderStatus from) {
        Objects.requireNonNull(from, "from must not be null");
        return edges.get(from);
    }

    /**
     * Checks one edge.
     *
     * @throws IllegalTransitionException naming the order, both statuses and the allowed next ones
     */
    public void check(String orderId, OrderStatus from, OrderStatus to) {
        if (!isAllowed(from, to)) {
            throw new IllegalTransitionException(orderId, from, to, allowedFrom(from));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OrderStateMachine other && edges.equals(other.edges);
    }

    @Override
    public int hashCode() {
        return edges.hashCode();
    }

    @Override
    public String toString() {
        return "OrderStateMachine" + edges;
    }

    /**
     * Builds a custom table. Not thread-safe.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private final Map<OrderStatus, EnumSet<OrderStatus>> edges = new EnumMap<>(OrderStatus.class);

        private Builder() {
            for (OrderStatus status : OrderStatus.values()) {
                edges.put(status, EnumSet.noneOf(OrderStatus.class));
            }
        }

        /**
         * Adds the edge {@code from → to}.
         *
         * @throws IllegalArgumentException if {@code from} is terminal or equals {@code to}
         */
        public Builder allow(OrderStatus from, OrderStatus to) {
            Objects.requireNonNull(from, "from must not be null");
            Objects.requireNonNull(to, "to must not be null");
            if (from.isTerminal()) {
                throw new IllegalArgumentException("an edge out of a terminal status is not allowed, but was "
                        + from + " -> " + to);
            }
            if (from == to) {
                throw new IllegalArgumentException("a self-loop is not allowed (repeating a transition is "
                        + "idempotent already), but was " + from + " -> " + to);
            }
            edges.get(from).add(to);
            return this;
        }

        /** Removes the edge {@code from → to} if present. */
        public Builder forbid(OrderStatus from, OrderStatus to) {
            Objects.requireNonNull(from, "from must not be null");
            Objects.requireNonNull(to, "to must not be null");
            edges.get(from).remove(to);
            return this;
        }

        public OrderStateMachine build() {
            Map<OrderStatus, Set<OrderStatus>> copy = new EnumMap<>(OrderStatus.class);
            edges.forEach((from, targets) -> copy.put(from, Collections.unmodifiableSet(EnumSet.copyOf(targets))));
            return new OrderStateMachine(Collections.unmodifiableMap(copy));
        }
    }
}
