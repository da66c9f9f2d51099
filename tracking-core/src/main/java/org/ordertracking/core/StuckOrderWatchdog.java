package org.ordertracking.core;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.ordertracking.core.internal.Checks;
import org.ordertracking.core.internal.PeriodicCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds orders stuck in one status: accepted but never started, preparing for too long, ready but not
 * picked up, on the road for too long. Each status has a limit ({@link Builder#limit}); the defaults:
 *
 * <table>
 *   <caption>Default limits</caption>
 *   <tr><td>{@code accepted}</td><td>{@value #DEFAULT_ACCEPTED_MINUTES} min</td><td>accepted, but cooking
 *       has not started: the kitchen forgot it, or lost power</td></tr>
 *   <tr><td>{@code preparing}</td><td>{@value #DEFAULT_PREPARING_MINUTES} min</td><td>longer than almost
 *       any dish takes</td></tr>
 *   <tr><td>{@code ready}</td><td>{@value #DEFAULT_READY_MINUTES} min</td><td>food getting cold while no
 *       driver comes</td></tr>
 *   <tr><td>{@code picked_up}</td><td>{@value #DEFAULT_PICKED_UP_MINUTES} min</td><td>a delivery across
 *       town takes well under an hour</td></tr>
 * </table>
 *
 * <p>{@code received} has no limit here: the tracker's acceptance timeout already fails an order nobody
 * accepts. Terminal orders are never stuck.
 *
 * <p>Each {@link #check()} reads, per status, the orders whose stored status time ({@code updatedAt})
 * is at least the limit ago ({@link OrderRepository#findByStatus}, up to {@link Builder#maxPerStatus});
 * judged from stored timestamps alone, so a restart or a second node changes nothing. Each stuck order
 * is claimed once per order and status in the repository ({@link OrderRepository#claimStuck}), and only
 * the node whose claim succeeds announces it, with a {@link TrackingMessage.OrderStuck} on
 * {@link Topic#operations()}: one announcement across nodes and restarts. A publish that fails is tried
 * again at the next check while the order is still stuck (a claim whose publish is lost with the process
 * is not announced again, but the order still shows in {@link #readStuck()} and so in the operators'
 * snapshot).
 *
 * <p>Thread-safe. {@link #close()} stops the periodic check and the scheduler if the watchdog created
 * it, never one handed in.
 *
 * @since 0.1.0
 */
public final class StuckOrderWatchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StuckOrderWatchdog.class);

    /** Default limit of {@code accepted}, in minutes: 10. */
    public static final int DEFAULT_ACCEPTED_MINUTES = 10;
    /** Default limit of {@code preparing}, in minutes: 45. */
    public static final int DEFAULT_PREPARING_MINUTES = 45;
    /** Default limit of {@code ready}, in minutes: 15. */
    public static final int DEFAULT_READY_MINUTES = 15;
    /** Default limit of {@code picked_up}, in minutes: 60. */
    public static final int DEFAULT_PICKED_UP_MINUTES = 60;

    /** Default period of the check: 30 seconds. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

    /** Default largest number of orders examined per status and check: 1,000. */
    public static final int DEFAULT_MAX_PER_STATUS = 1000;

    private final OrderRepository repository;
    private final EventBus bus;
    private final InstantSource clock;
    private final Map<OrderStatus, Duration> limits;
    private final Duration interval;
    private final int maxPerStatus;
    private final PeriodicCheck periodic;
    private final Map<OrderStatus, AtomicLong> announced = new EnumMap<>(OrderStatus.class);
    private volatile int open;
    /** Announcements whose publish failed, by order id and status, to publish again. */
    private final Set<TrackingMessage.OrderStuck> failed = ConcurrentHashMap.newKeySet();

    private StuckOrderWatchdog(Builder b) {
        this.repository = b.repository;
        this.bus = b.bus;
        TrackingResources resources = b.resources;
        this.clock = b.clock != null ? b.clock : resources != null ? resources.clock() : InstantSource.system();
        this.limits = Collections.unmodifiableMap(new EnumMap<>(b.limits));
        this.interval = b.interval;
        this.maxPerStatus = b.maxPerStatus;
        for (OrderStatus status : OrderStatus.values()) {
            announced.put(status, new AtomicLong());
        }
        this.periodic = new PeriodicCheck("stuck-order watchdog", b.scheduler != null ? b.scheduler
                : resources != null ? resources.scheduler() : null, "tracking-stuck-orders", interval, this::check);
    }

    /**
     * Returns a builder with the default limits.
     *
     * @param repository where orders and the claims are read and written
     * @param bus where {@code order_stuck} is announced; never closed by the watchdog
     */
    public static Builder builder(OrderRepository repository, EventBus bus) {
        return new Builder(repository, bus);
    }

    /** Runs {@link #check()} every interval on the scheduler. Idempotent. */
    public StuckOrderWatchdog start() {
        periodic.start();
        return this;
    }

    /** Returns the limit of each watched status (statuses without a limit are absent). */
    public Map<OrderStatus, Duration> limits() {
        return limits;
    }

    /**
     * Finds the stuck orders now, claims each not yet announced and announces those this call claimed.
     *
     * @return how many orders this call announced
     */
    public synchronized int check() {
        List<TrackingMessage.OrderStuck> stuck = readStuck();
        int count = 0;
        Set<String> current = new java.util.HashSet<>();
        for (TrackingMessage.OrderStuck s : stuck) {
            current.add(key(s));
            if (repository.claimStuck(s.orderId(), s.status(), s.at())) {
                announced.get(s.status()).incrementAndGet();
                publish(s);
                count++;
            }
        }
        for (TrackingMessage.OrderStuck s : List.copyOf(failed)) {
            failed.remove(s);
            if (current.contains(key(s))) {
                publish(s);
            }
        }
        open = stuck.size();
        return count;
    }

    /**
     * Reads the orders stuck now, from the store, each as the {@link TrackingMessage.OrderStuck} that
     * announces it (with {@code at} now), oldest status change first within each status, statuses in
     * order. Claims nothing.
     */
    public List<TrackingMessage.OrderStuck> readStuck() {
        Instant now = clock.instant();
        List<TrackingMessage.OrderStuck> result = new ArrayList<>();
        for (Map.Entry<OrderStatus, Duration> e : limits.entrySet()) {
            OrderStatus status = e.getKey();
            Duration limit = e.getValue();
            // stuck once updatedAt <= now - limit: findByStatus takes a strict bound
            Instant changedBefore = now.minus(limit).plusNanos(1);
            for (TrackedOrder order : repository.findByStatus(status, changedBefore, maxPerStatus)) {
                result.add(new TrackingMessage.OrderStuck(order.orderId(), order.restaurantId(), order.driverId(),
                        status, order.updatedAt(), limit.toSeconds(), now));
            }
        }
        return result;
    }

    /** Returns how many orders this node's last check found stuck. */
    public int openCount() {
        return open;
    }

    /** Returns how many orders stuck in {@code status} this node announced (claimed) since it was built. */
    public long announced(OrderStatus status) {
        return announced.get(Objects.requireNonNull(status, "status must not be null")).get();
    }

    private static String key(TrackingMessage.OrderStuck s) {
        return s.orderId() + '\u0000' + s.status().wireName();
    }

    private void publish(TrackingMessage.OrderStuck s) {
        try {
            CompletionStage<Void> stage = bus.publish(Topic.operations(), s);
            stage.whenComplete((ignored, error) -> {
                if (error != null) {
                    LOG.warn("could not publish order_stuck of order {}; it is published again at the next check",
                            s.orderId(), error);
                    failed.add(s);
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("could not publish order_stuck of order {}; it is published again at the next check", s.orderId(),
                    e);
            failed.add(s);
        }
    }

    /** Stops the periodic check; stops the scheduler if the watchdog created it. Idempotent. */
    @Override
    public void close() {
        periodic.close();
    }

    /**
     * Configures a {@link StuckOrderWatchdog}. Each value is checked when set. Not thread-safe.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private final OrderRepository repository;
        private final EventBus bus;
        private final Map<OrderStatus, Duration> limits = new EnumMap<>(OrderStatus.class);
        private TrackingResources resources;
        private InstantSource clock;
        private ScheduledExecutorService scheduler;
        private Duration interval = DEFAULT_INTERVAL;
        private int maxPerStatus = DEFAULT_MAX_PER_STATUS;

        private Builder(OrderRepository repository, EventBus bus) {
            this.repository = Objects.requireNonNull(repository, "repository must not be null");
            this.bus = Objects.requireNonNull(bus, "bus must not be null");
            limits.put(OrderStatus.ACCEPTED, Duration.ofMinutes(DEFAULT_ACCEPTED_MINUTES));
            limits.put(OrderStatus.PREPARING, Duration.ofMinutes(DEFAULT_PREPARING_MINUTES));
            limits.put(OrderStatus.READY, Duration.ofMinutes(DEFAULT_READY_MINUTES));
            limits.put(OrderStatus.PICKED_UP, Duration.ofMinutes(DEFAULT_PICKED_UP_MINUTES));
        }

        /**
         * Sets the limit of one status: {@code accepted}, {@code preparing}, {@code ready} or
         * {@code picked_up}; positive.
         *
         * @throws IllegalArgumentException for another status, naming it, or a limit that is not positive
         */
        public Builder limit(OrderStatus status, Duration limit) {
            limits.put(watched(status), Checks.requirePositive(limit, status.wireName() + " limit"));
            return this;
        }

        /** Stops watching one status (of those {@link #limit} accepts). */
        public Builder withoutLimit(OrderStatus status) {
            limits.remove(watched(status));
            return this;
        }

        private static OrderStatus watched(OrderStatus status) {
            Objects.requireNonNull(status, "status must not be null");
            if (status == OrderStatus.RECEIVED || status.isTerminal()) {
                throw new IllegalArgumentException("only accepted, preparing, ready and picked_up have a stuck limit,"
                        + " but status was " + status.wireName()
                        + (status == OrderStatus.RECEIVED ? " (the tracker's acceptance timeout covers it)" : ""));
            }
            return status;
        }

        /**
         * Takes the clock and the scheduler from shared resources, which the watchdog never closes. A
         * {@link #clock} or {@link #scheduler} set on this builder wins over the resources'.
         *
         * @throws IllegalStateException if the resources are closed
         */
        public Builder resources(TrackingResources resources) {
            Objects.requireNonNull(resources, "resources must not be null");
            resources.requireOpen("a StuckOrderWatchdog");
            this.resources = resources;
            return this;
        }

        /** Server time; default the resources' clock, else the system clock. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * Runs the check on the caller's scheduler, which the watchdog never shuts down; wins over the
         * resources'. With neither, it creates one daemon thread and stops it on {@code close()}.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler must not be null");
            return this;
        }

        /** Period of the check; positive, default 30 seconds. */
        public Builder interval(Duration interval) {
            this.interval = Checks.requirePositive(interval, "interval");
            return this;
        }

        /** Largest number of orders examined per status and check; positive, default 1,000. */
        public Builder maxPerStatus(int max) {
            this.maxPerStatus = Checks.requirePositive(max, "maxPerStatus");
            return this;
        }

        /** Builds the watchdog (not started). */
        public StuckOrderWatchdog build() {
            return new StuckOrderWatchdog(this);
        }
    }
}
