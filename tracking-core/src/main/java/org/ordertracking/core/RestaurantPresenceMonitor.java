package org.ordertracking.core;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import org.ordertracking.core.internal.Checks;
import org.ordertracking.core.internal.PeriodicCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds restaurants that went dark: a restaurant with orders waiting for it
 * ({@link RestaurantPresence#WAITING_STATUSES}) and no sign of life — no open board stream, no poll of
 * its orders — for {@link Builder#offlineAfter} (default 3 minutes) is counted <em>offline</em>; it is
 * <em>online</em> again when it is seen, or when no order waits for it any more.
 *
 * <p><b>Heartbeat.</b> The servlet calls {@link #seen(String)} when a restaurant's board stream opens
 * and on every poll of its orders; every {@link Builder#interval check} also records a sign of life for
 * each restaurant stream open on this node ({@link Builder#connections}). Each is written to the
 * repository ({@link OrderRepository#restaurantSeen}), at most once per
 * {@link Builder#heartbeatInterval} (default 30 seconds) per restaurant and node, so a busy poller
 * costs one write per interval, not one per poll.
 *
 * <p><b>Decision.</b> Each {@link #check()} reads the stored facts of every restaurant with waiting
 * orders or counted offline ({@link OrderRepository#restaurantPresence()}) and decides from them alone
 * — last seen, the oldest waiting order, the stored offline flag — so every node decides alike and a
 * restart changes nothing. A restaurant is dark when it has been silent for at least
 * {@code offlineAfter} since the later of its last sign of life and the placement of its oldest waiting
 * order (so a board closed overnight gets the full time again when a new order arrives). Each change is
 * a compare-and-set in the repository ({@link OrderRepository#claimRestaurantOffline},
 * {@link OrderRepository#claimRestaurantOnline}): of several nodes, exactly one makes it, and only that
 * one announces it, with a {@link TrackingMessage.RestaurantOffline} or
 * {@link TrackingMessage.RestaurantOnline} on {@link Topic#operations()} and on the restaurant's topic.
 * The claim comes before the publish, so whoever reads the store after seeing no announcement still
 * finds the change. A publish that fails is tried again at the next check (at least once). A restaurant
 * counted offline that is seen again through {@link #seen} on this node is announced online at once.
 *
 * <p>{@link #isOffline} and {@link #offlineCount()} answer from this node's last check (at most one
 * interval old); {@link #readOffline()} reads the store now.
 *
 * <p>Thread-safe. {@link #close()} stops the periodic check and the scheduler if the monitor created
 * it, never one handed in.
 *
 * @since 0.1.0
 */
public final class RestaurantPresenceMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RestaurantPresenceMonitor.class);

    /** Default silence after which a restaurant with waiting orders is offline: 3 minutes. */
    public static final Duration DEFAULT_OFFLINE_AFTER = Duration.ofMinutes(3);

    /** Default period of the check: 15 seconds. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);

    /** Default least time between two writes of one restaurant's sign of life by one node: 30 seconds. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(30);

    private final OrderRepository repository;
    private final EventBus bus;
    private final InstantSource clock;
    private final Duration offlineAfter;
    private final Duration interval;
    private final Duration heartbeatInterval;
    private final ConnectionRegistry connections;
    private final PeriodicCheck periodic;
    /** When this node last wrote each restaurant's sign of life. */
    private final ConcurrentHashMap<String, Instant> written = new ConcurrentHashMap<>();
    /** Restaurants counted offline at this node's last check (or since, by this node's own claims). */
    private final Set<String> offline = ConcurrentHashMap.newKeySet();
    /** Announcements whose publish failed, to publish again at the next check. */
    private final ConcurrentLinkedQueue<Announcement> failed = new ConcurrentLinkedQueue<>();

    private record Announcement(Topic topic, TrackingMessage message) {
    }

    private RestaurantPresenceMonitor(Builder b) {
        this.repository = b.repository;
        this.bus = b.bus;
        TrackingResources resources = b.resources;
        this.clock = b.clock != null ? b.clock : resources != null ? resources.clock() : InstantSource.system();
        this.offlineAfter = b.offlineAfter;
        this.interval = b.interval;
        this.heartbeatInterval = b.heartbeatInterval;
        this.connections = b.connections;
        this.periodic = new PeriodicCheck("restaurant presence monitor", b.scheduler != null ? b.scheduler
                : resources != null ? resources.scheduler() : null, "tracking-restaurant-presence", interval, this::check);
    }

    /**
     * Returns a builder.
     *
     * @param repository where signs of life, waiting orders and the offline flags are stored
     * @param bus where the changes are announced; never closed by the monitor
     */
    public static Builder builder(OrderRepository repository, EventBus bus) {
        return new Builder(repository, bus);
    }

    /** Runs {@link #check()} every interval on the scheduler. Idempotent. */
    public RestaurantPresenceMonitor start() {
        periodic.start();
        return this;
    }

    /** Returns the silence after which a restaurant with waiting orders is offline. */
    public Duration offlineAfter() {
        return offlineAfter;
    }

    /**
     * Records a sign of life of the restaurant's board now (its stream opened, it polled its orders):
     * written to the repository unless this node wrote one for it less than the heartbeat interval ago.
     * If this node counts the restaurant offline, it is announced online at once. Runs on the caller's
     * thread (one short write at most).
     *
     * @throws IllegalArgumentException if the id is not valid
     */
    public void seen(String restaurantId) {
        Checks.requireId(restaurantId, "restaurantId");
        Instant now = clock.instant();
        record(restaurantId, now);
        if (offline.contains(restaurantId) && repository.claimRestaurantOnline(restaurantId, now)) {
            offline.remove(restaurantId);
            announce(restaurantId, new TrackingMessage.RestaurantOnline(restaurantId, now,
                    TrackingMessage.RestaurantOnline.REASON_SEEN, now));
        }
    }

    private void record(String restaurantId, Instant now) {
        Instant last = written.get(restaurantId);
        if (last == null || now.isBefore(last) || !now.isBefore(last.plus(heartbeatInterval))) {
            repository.restaurantSeen(restaurantId, now);
            written.put(restaurantId, now);
        }
    }

    /**
     * Records the heartbeats of this node's open restaurant streams, then decides every restaurant's
     * state from the stored facts and claims and announces each change.
     *
     * @return how many changes this call announced
     */
    public synchronized int check() {
        Instant now = clock.instant();
        if (connections != null) {
            for (ConnectionRegistry.Connection c : connections.connections()) {
                if (c.kind() == ConnectionRegistry.Kind.RESTAURANT_STREAM) {
                    try {
                        record(c.subjectId(), now);
                    } catch (RuntimeException e) {
                        LOG.warn("could not record the heartbeat of restaurant {}", c.subjectId(), e);
                    }
                }
            }
        }
        written.values().removeIf(at -> at.isBefore(now.minus(offlineAfter)));
        for (int n = failed.size(); n > 0; n--) {
            Announcement a = failed.poll();
            if (a != null) {
                publish(a);
            }
        }
        Instant cutoff = now.minus(offlineAfter);
        Set<String> nowOffline = new HashSet<>();
        int announced = 0;
        for (RestaurantPresence p : repository.restaurantPresence()) {
            String id = p.restaurantId();
            if (p.openOrders() > 0) {
                Instant silentSince = p.silentSince();
                boolean dark = !silentSince.isAfter(cutoff);
                if (dark && !p.offline()) {
                    if (repository.claimRestaurantOffline(id, cutoff, now)) {
                        nowOffline.add(id);
                        announce(id, new TrackingMessage.RestaurantOffline(id, silentSince, p.lastSeenAt(),
                                p.openOrders(), now));
                        announced++;
                    }
                } else if (!dark && p.offline()) {
                    if (repository.claimRestaurantOnline(id, now)) {
                        announce(id, new TrackingMessage.RestaurantOnline(id, p.lastSeenAt(),
                                TrackingMessage.RestaurantOnline.REASON_SEEN, now));
                        announced++;
                    }
                } else if (p.offline()) {
                    nowOffline.add(id);
                }
            } else if (p.offline()) {
                boolean seenSince = p.lastSeenAt() != null
                        && (p.changedAt() == null || p.lastSeenAt().isAfter(p.changedAt()));
                if (repository.claimRestaurantOnline(id, now)) {
                    announce(id, new TrackingMessage.RestaurantOnline(id, p.lastSeenAt(), seenSince
                            ? TrackingMessage.RestaurantOnline.REASON_SEEN
                            : TrackingMessage.RestaurantOnline.REASON_NO_OPEN_ORDERS, now));
                    announced++;
                }
            }
        }
        offline.retainAll(nowOffline);
        offline.addAll(nowOffline);
        return announced;
    }

    /** Returns whether this node's last check counted the restaurant offline. */
    public boolean isOffline(String restaurantId) {
        return offline.contains(restaurantId);
    }

    /** Returns how many restaurants this node's last check counted offline. */
    public int offlineCount() {
        return offline.size();
    }

    /**
     * Reads the restaurants counted offline from the store now, sorted by id, each as the
     * {@link TrackingMessage.RestaurantOffline} that announced it (its {@code at} is when it was claimed
     * offline; a restaurant whose waiting orders are all gone since has 0 open orders until the next check
     * counts it online).
     */
    public List<TrackingMessage.RestaurantOffline> readOffline() {
        List<TrackingMessage.RestaurantOffline> result = new ArrayList<>();
        Instant now = clock.instant();
        for (RestaurantPresence p : repository.restaurantPresence()) {
            if (p.offline()) {
                Instant changed = p.changedAt() != null ? p.changedAt() : now;
                Instant silentSince = p.silentSince() != null ? p.silentSince() : changed;
                result.add(new TrackingMessage.RestaurantOffline(p.restaurantId(), silentSince, p.lastSeenAt(),
                        p.openOrders(), changed));
            }
        }
        return result;
    }

    private void announce(String restaurantId, TrackingMessage message) {
        publish(new Announcement(Topic.operations(), message));
        publish(new Announcement(Topic.restaurant(restaurantId), message));
    }

    private void publish(Announcement a) {
        try {
            CompletionStage<Void> stage = bus.publish(a.topic(), a.message());
            stage.whenComplete((ignored, error) -> {
                if (error != null) {
                    LOG.warn("could not publish {} on {}; it is published again at the next check", a.message().type(),
                            a.topic(), error);
                    failed.add(a);
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("could not publish {} on {}; it is published again at the next check", a.message().type(),
                    a.topic(), e);
            failed.add(a);
        }
    }

    /** Stops the periodic check; stops the scheduler if the monitor created it. Idempotent. */
    @Override
    public void close() {
        periodic.close();
    }

    /**
     * Configures a {@link RestaurantPresenceMonitor}. Each value is checked when set. Not thread-safe.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private final OrderRepository repository;
        private final EventBus bus;
        private TrackingResources resources;
        private InstantSource clock;
        private ScheduledExecutorService scheduler;
        private Duration offlineAfter = DEFAULT_OFFLINE_AFTER;
        private Duration interval = DEFAULT_INTERVAL;
        private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
        private ConnectionRegistry connections;

        private Builder(OrderRepository repository, EventBus bus) {
            this.repository = Objects.requireNonNull(repository, "repository must not be null");
            this.bus = Objects.requireNonNull(bus, "bus must not be null");
        }

        /**
         * Takes the clock and the scheduler from shared resources, which the monitor never closes. A
         * {@link #clock} or {@link #scheduler} set on this builder wins over the resources'.
         *
         * @throws IllegalStateException if the resources are closed
         */
        public Builder resources(TrackingResources resources) {
            Objects.requireNonNull(resources, "resources must not be null");
            resources.requireOpen("a RestaurantPresenceMonitor");
            this.resources = resources;
            return this;
        }

        /** Server time; default the resources' clock, else the system clock. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * Runs the check on the caller's scheduler, which the monitor never shuts down; wins over the
         * resources'. With neither, it creates one daemon thread and stops it on {@code close()}.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler must not be null");
            return this;
        }

        /** Silence after which a restaurant with waiting orders is offline; positive, default 3 minutes. */
        public Builder offlineAfter(Duration offlineAfter) {
            this.offlineAfter = Checks.requirePositive(offlineAfter, "offlineAfter");
            return this;
        }

        /** Period of the check; positive, default 15 seconds. */
        public Builder interval(Duration interval) {
            this.interval = Checks.requirePositive(interval, "interval");
            return this;
        }

        /**
         * Least time between two writes of one restaurant's sign of life by this node; positive and
         * shorter than {@link #offlineAfter} (checked by {@link #build()}), default 30 seconds.
         */
        public Builder heartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = Checks.requirePositive(heartbeatInterval, "heartbeatInterval");
            return this;
        }

        /**
         * This node's open connections: each check records a sign of life for every restaurant stream
         * open among them. Without it only {@link RestaurantPresenceMonitor#seen} records them.
         */
        public Builder connections(ConnectionRegistry connections) {
            this.connections = Objects.requireNonNull(connections, "connections must not be null");
            return this;
        }

        /**
         * Builds the monitor (not started).
         *
         * @throws IllegalArgumentException if the heartbeat interval is not shorter than offlineAfter
         */
        public RestaurantPresenceMonitor build() {
            if (heartbeatInterval.compareTo(offlineAfter) >= 0) {
                throw new IllegalArgumentException("heartbeatInterval must be shorter than offlineAfter ("
                        + offlineAfter + "), but was " + heartbeatInterval);
            }
            return new RestaurantPresenceMonitor(this);
        }
    }
}
