package org.ordertracking.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.ordertracking.core.internal.Checks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every open stream and socket of this node: the servlet adapters {@linkplain #register register}
 * each one and close the returned {@link Connection} when it ends. Gives counts by kind, viewers
 * per order, and finds leaks: customer streams still open a grace period after their order reached
 * a terminal state, which {@link #reapLeaks()} reports and closes.
 *
 * <p>The registry learns that an order ended in three ways:
 * <ol>
 *   <li>from its {@link TrackerListener} events (register it with this node's {@link OrderTracker}):
 *       orders ended on this node;
 *   <li>from {@link #orderEnded(String, Instant)}, which a stream calls when the terminal status of
 *       its order reaches it through the event bus: orders ended on another node;
 *   <li>as a fallback for a terminal event this node never heard (lost on the bus), when built with
 *       a {@link Builder#repository repository}: by looking the order up. Each customer stream is
 *       first looked up when it has been open for the grace, then after intervals that double from
 *       the grace up to {@link Builder#maxLookupInterval} (default 10 minutes); a stream open for 30
 *       minutes costs 7 lookups, not one per reap. All lookups of one reap go to the repository as
 *       one {@link OrderRepository#findAll findAll} call (one query per 500 orders on JDBC).
 * </ol>
 *
 * <p>Call {@link #reapLeaks()} from a scheduler, e.g. every 30 seconds ({@code sweep}). A stream whose
 * order ended is closed by the first reap at least the grace after the end: within
 * {@code grace + sweep} of the end when the registry heard of it in way 1 or 2, and within
 * {@code grace + maxLookupInterval + sweep} when only the repository tells (30 s + 10 min + 30 s =
 * 11 minutes with the defaults).
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class ConnectionRegistry implements TrackerListener {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRegistry.class);
    private static final VarHandle CONNECTION_CLOSED;

    static {
        try {
            CONNECTION_CLOSED = MethodHandles.lookup().findVarHandle(Connection.class, "closed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }


    /** Default time a customer stream may stay open after its order ended: 30 seconds. */
    public static final Duration DEFAULT_LEAK_GRACE = Duration.ofSeconds(30);

    /**
     * Default longest interval between two repository lookups of one customer stream's order: 10
     * minutes.
     *
     * @since 0.1.0
     */
    public static final Duration DEFAULT_MAX_LOOKUP_INTERVAL = Duration.ofMinutes(10);

    /** What a connection is. */
    public enum Kind {
        /** A customer's SSE stream of one order; its subject is the order id. */
        CUSTOMER_STREAM,
        /** A restaurant's SSE stream; its subject is the restaurant id. */
        RESTAURANT_STREAM,
        /** A driver's WebSocket; its subject is the driver id. */
        DRIVER_SOCKET,
        /**
         * An operator's SSE stream of the operations topic; its subject is the operator's id.
         *
         * @since 0.1.0
         */
        OPERATIONS_STREAM;

        private final String wireName = name().toLowerCase(Locale.ROOT);

        /** Returns the snake_case name used in metrics, e.g. {@code "customer_stream"}. */
        public String wireName() {
            return wireName;
        }
    }

    /**
     * A leak that {@link #reapLeaks()} found and closed.
     *
     * @param kind always {@link Kind#CUSTOMER_STREAM} today
     * @param orderId the order the stream watched
     * @param openedAt when the stream was opened
     * @param orderEndedAt when the order reached its terminal state
     */
    public record Leak(Kind kind, String orderId, Instant openedAt, Instant orderEndedAt) {
    }

    /**
     * Counts for the {@code /metrics} endpoint.
     *
     * @param at when the snapshot was taken
     * @param open open connections by {@link Kind#wireName()}, every kind present
     * @param total all open connections
     * @param oldestAgeSeconds age of the oldest open connection, or {@code null} if none
     * @param leaksClosed leaks closed by {@link #reapLeaks()} since the registry was created
     */
    public record Snapshot(Instant at, Map<String, Integer> open, int total, Long oldestAgeSeconds,
            long leaksClosed) {
        public Snapshot {
            open = Map.copyOf(open);
        }
    }

    private final InstantSource clock;
    private final Duration leakGrace;
    private final Duration maxLookupInterval;
    private final OrderRepository repository;
    /** Serializes reaps: the lookup schedule of each connection is read and written under it. */
    private final Object reapLock = new Object();
    private final Map<Connection, Boolean> connections = new ConcurrentHashMap<>();
    private final EnumMap<Kind, AtomicInteger> counts = new EnumMap<>(Kind.class);
    private final ConcurrentHashMap<String, Integer> viewers = new ConcurrentHashMap<>();
    /** When viewed orders ended, as seen in tracker events; only orders with viewers are kept. */
    private final ConcurrentHashMap<String, Instant> endedAt = new ConcurrentHashMap<>();
    private final AtomicLong leaksClosed = new AtomicLong();

    private ConnectionRegistry(Builder builder) {
        this.clock = builder.clock != null ? builder.clock
                : builder.resources != null ? builder.resources.clock() : InstantSource.system();
        this.leakGrace = builder.leakGrace;
        this.maxLookupInterval = builder.maxLookupInterval;
        this.repository = builder.repository;
        for (Kind kind : Kind.values()) {
            counts.put(kind, new AtomicInteger());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Registers an open connection, opened now.
     *
     * @param kind what it is
     * @param subjectId the order (customer stream), restaurant or driver id
     * @param closer closes the underlying stream or socket when the registry reaps it as a leak;
     *     it should end in closing the returned {@link Connection} (closing it twice is harmless)
     * @return the registration; close it when the connection ends
     */
    public Connection register(Kind kind, String subjectId, AutoCloseable closer) {
        Objects.requireNonNull(kind, "kind must not be null");
        Checks.requireId(subjectId, "subjectId");
        Objects.requireNonNull(closer, "closer must not be null");
        Instant now = clock.instant();
        Connection connection = new Connection(kind, subjectId, now, closer);
        connection.nextLookupAt = now.plus(leakGrace);
        connection.lookupInterval = leakGrace;
        connections.put(connection, Boolean.TRUE);
        counts.get(kind).incrementAndGet();
        if (kind == Kind.CUSTOMER_STREAM) {
            viewers.merge(subjectId, 1, Integer::sum);
        }
        return connection;
    }

    private void unregister(Connection connection) {
        if (connections.remove(connection) == null) {
            return;
        }
        counts.get(connection.kind).decrementAndGet();
        if (connection.kind == Kind.CUSTOMER_STREAM) {
            // under the viewers entry's lock, so that orderEnded cannot put an entry for an order just left
            viewers.computeIfPresent(connection.subjectId, (id, n) -> {
                if (n > 1) {
                    return n - 1;
                }
                endedAt.remove(id);
                return null;
            });
        }
    }

    /** Returns how many connections of {@code kind} are open. */
    public int count(Kind kind) {
        return counts.get(Objects.requireNonNull(kind, "kind must not be null")).get();
    }

    /** Returns how many connections are open. */
    public int total() {
        return connections.size();
    }

    /** Returns how many customer streams watch the order. */
    public int viewers(String orderId) {
        return viewers.getOrDefault(orderId, 0);
    }

    /** Returns the open connections, oldest first. */
    public List<Connection> connections() {
        List<Connection> list = new ArrayList<>(connections.keySet());
        list.sort((a, b) -> a.openedAt.compareTo(b.openedAt));
        return list;
    }

    /** Remembers when a watched order ended (an order ended on this node). */
    @Override
    public void onEvent(TrackedOrder order, OrderEvent event) {
        if (event.status().isTerminal()) {
            orderEnded(event.orderId(), event.at());
        }
    }

    /**
     * Tells the registry that an order reached a terminal state at {@code at}, e.g. because a
     * customer stream received the terminal status event from the event bus (published by whichever
     * node made the transition). Its customer streams still open {@link Builder#leakGrace} after
     * {@code at} are leaks for the next {@link #reapLeaks()}, without a repository lookup.
     * Ignored when no customer stream of the order is registered; the first time given wins.
     *
     * <p>Thread-safe, does not block (no I/O), and may be called from any thread, e.g. while a stream
     * holds its own lock.
     *
     * @param orderId the order
     * @param at the time of its terminal event ({@link OrderEvent#at()})
     * @since 0.1.0
     */
    public void orderEnded(String orderId, Instant at) {
        Objects.requireNonNull(orderId, "orderId must not be null");
        Objects.requireNonNull(at, "at must not be null");
        viewers.computeIfPresent(orderId, (id, n) -> {
            endedAt.putIfAbsent(id, at);
            return n;
        });
    }

    /**
     * Finds the customer streams still open {@link Builder#leakGrace} after their order ended, closes
     * them (through the closer given at registration) and unregisters them. Looks up in the repository
     * (if any) only the orders of streams whose lookup is due (see the class comment), all in one
     * {@link OrderRepository#findAll} call. Reaps called concurrently run one after the other.
     *
     * @return the leaks found, oldest first
     */
    public List<Leak> reapLeaks() {
        synchronized (reapLock) {
            Instant now = clock.instant();
            Instant limit = now.minus(leakGrace);
            List<Connection> candidates = new ArrayList<>();
            Set<String> due = new LinkedHashSet<>();
            for (Connection connection : connections()) {
                if (connection.kind != Kind.CUSTOMER_STREAM || connection.openedAt.isAfter(limit)) {
                    continue;
                }
                candidates.add(connection);
                if (repository != null && !endedAt.containsKey(connection.subjectId)
                        && !connection.nextLookupAt.isAfter(now)) {
                    due.add(connection.subjectId);
                }
            }
            if (!due.isEmpty()) {
                lookUpEnds(due);
            }
            List<Leak> leaks = new ArrayList<>();
            for (Connection connection : candidates) {
                Instant ended = endedAt.get(connection.subjectId);
                if (ended == null) {
                    if (due.contains(connection.subjectId) && !connection.nextLookupAt.isAfter(now)) {
                        connection.nextLookupAt = now.plus(connection.lookupInterval);
                        Duration doubled = connection.lookupInterval.multipliedBy(2);
                        connection.lookupInterval = doubled.compareTo(maxLookupInterval) > 0 ? maxLookupInterval : doubled;
                    }
                    continue;
                }
                if (ended.isAfter(limit)) {
                    continue;
                }
                leaks.add(new Leak(connection.kind, connection.subjectId, connection.openedAt, ended));
                LOG.warn("closing a leaked {} of order {}: open since {}, order ended at {}",
                        connection.kind.wireName(), connection.subjectId, connection.openedAt, ended);
                try {
                    connection.closer.close();
                } catch (Exception e) {
                    LOG.warn("closing a leaked stream of order {} failed", connection.subjectId, e);
                }
                connection.close();
                leaksClosed.incrementAndGet();
            }
            return leaks;
        }
    }

    /** Looks the orders up in one call and records those found terminal. */
    private void lookUpEnds(Set<String> orderIds) {
        Map<String, TrackedOrder> found;
        try {
            found = repository.findAll(orderIds);
        } catch (RuntimeException e) {
            LOG.warn("could not look up {} orders for the leak check", orderIds.size(), e);
            return;
        }
        for (TrackedOrder order : found.values()) {
            if (order.status().isTerminal()) {
                orderEnded(order.orderId(), order.updatedAt());
            }
        }
    }

    /** Returns the counts, for the metrics endpoint. */
    public Snapshot snapshot() {
        Instant now = clock.instant();
        Map<String, Integer> open = new LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            open.put(kind.wireName(), counts.get(kind).get());
        }
        Instant oldest = null;
        for (Connection connection : connections.keySet()) {
            if (oldest == null || connection.openedAt.isBefore(oldest)) {
                oldest = connection.openedAt;
            }
        }
        Long age = oldest == null ? null : Math.max(0, Duration.between(oldest, now).getSeconds());
        return new Snapshot(now, open, connections.size(), age, leaksClosed.get());
    }

    /**
     * One registered connection. Closing it unregisters it (it does not close the stream itself);
     * closing twice is harmless. Thread-safe.
     *
     * @since 0.1.0
     */
    public final class Connection implements AutoCloseable {
        private final Kind kind;
        private final String subjectId;
        private final Instant openedAt;
        private final AutoCloseable closer;
        private volatile int closed; // an int, not an AtomicBoolean: one Connection per open stream
        // the repository lookup schedule of a customer stream, read and written under reapLock
        private Instant nextLookupAt;
        private Duration lookupInterval;

        private Connection(Kind kind, String subjectId, Instant openedAt, AutoCloseable closer) {
            this.kind = kind;
            this.subjectId = subjectId;
            this.openedAt = openedAt;
            this.closer = closer;
        }

        public Kind kind() {
            return kind;
        }

        /** Returns the order, restaurant or driver id. */
        public String subjectId() {
            return subjectId;
        }

        public Instant openedAt() {
            return openedAt;
        }

        /** Unregisters the connection. Idempotent. */
        @Override
        public void close() {
            if (CONNECTION_CLOSED.compareAndSet(this, 0, 1)) {
                unregister(this);
            }
        }

        @Override
        public String toString() {
            return kind.wireName() + ':' + subjectId + '@' + openedAt;
        }
    }

    /**
     * Configures a {@link ConnectionRegistry}. Not thread-safe.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private TrackingResources resources;
        private InstantSource clock;
        private Duration leakGrace = DEFAULT_LEAK_GRACE;
        private Duration maxLookupInterval = DEFAULT_MAX_LOOKUP_INTERVAL;
        private OrderRepository repository;

        private Builder() {
        }

        /**
         * Takes the clock from shared resources, which the registry never closes or shuts down. A {@link #clock} set on this builder wins over the resources'.
         *
         * @throws IllegalStateException if the resources are closed
         * @since 0.1.0
         */
        public Builder resources(TrackingResources resources) {
            Objects.requireNonNull(resources, "resources must not be null");
            resources.requireOpen("a ConnectionRegistry");
            this.resources = resources;
            return this;
        }

        /** Server time; default the resources' clock, else the system clock. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** How long a customer stream may outlive its order; positive, default 30 seconds. */
        public Builder leakGrace(Duration grace) {
            this.leakGrace = Checks.requirePositive(grace, "leakGrace");
            return this;
        }

        /**
         * Longest interval between two repository lookups of one customer stream's order; positive,
         * default {@link #DEFAULT_MAX_LOOKUP_INTERVAL 10 minutes}. The lookups of a stream start at the
         * {@link #leakGrace grace} and double up to this; it bounds how long a stream can outlive its
         * order when neither this node's tracker nor the stream heard the terminal event.
         *
         * @since 0.1.0
         */
        public Builder maxLookupInterval(Duration interval) {
            this.maxLookupInterval = Checks.requirePositive(interval, "maxLookupInterval");
            return this;
        }

        /**
         * Where to look up whether a watched order ended on another node when its terminal event was
         * not heard here; default none.
         */
        public Builder repository(OrderRepository repository) {
            this.repository = Objects.requireNonNull(repository, "repository must not be null");
            return this;
        }

        public ConnectionRegistry build() {
            return new ConnectionRegistry(this);
        }
    }
}
