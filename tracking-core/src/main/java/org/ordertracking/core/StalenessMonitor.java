package org.ordertracking.core;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ordertracking.core.internal.Checks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a {@link TrackingMessage.SignalUpdate} on an order's topic when the freshness band of
 * its driver's position changes, also (and above all) when no fix arrives: that is what the timer
 * is for.
 *
 * <p>Each {@link #check()} reads the active deliveries (orders {@code picked_up} with a driver, up
 * to {@link Builder#maxDeliveries}), reads their drivers' last-seen instants in one
 * {@link LocationStore#lastSeenAll} call, classifies each with the {@link StalenessClassifier}, and
 * publishes the band of each delivery whose band differs from the one this monitor saw at the
 * previous check. The first time it sees a delivery it publishes only a
 * band other than {@code moving} (the page assumes a live driver; the SSE snapshot carries the
 * current band anyway). A driver with no fix within the store's last-seen retention is
 * {@code connection_lost}. {@link #start()} runs the check every {@link Builder#interval}; tests
 * call {@link #check()} directly after moving their clock.
 *
 * <p>A band change whose publish fails, at once or later (the stage {@link EventBus#publish} returned
 * completes exceptionally), is published again at the next check, with the band current then, until
 * a publish of it succeeds or the order stops being delivered.
 *
 * <p>With several nodes, run the monitor on one of them, or accept that each node publishes each
 * change (a signal event is a state, so a repeat is harmless).
 *
 * <p>Thread-safe. {@link #close()} stops the periodic check and the scheduler if the monitor
 * created it, never one handed in.
 *
 * @since 0.1.0
 */
public final class StalenessMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StalenessMonitor.class);

    /** Default period of the check: 1 second, a small delay next to the 30 s band. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    /** Default largest number of deliveries examined per check: 10 000. */
    public static final int DEFAULT_MAX_DELIVERIES = 10_000;

    private final LocationStore store;
    private final OrderRepository repository;
    private final EventBus bus;
    private final InstantSource clock;
    private final StalenessClassifier classifier;
    private final Duration interval;
    private final int maxDeliveries;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ScheduledFuture<?> task;
    /** Band seen at the previous check, by order id; guarded by {@code this}. */
    private Map<String, SignalState> bands = new HashMap<>();
    /** Orders whose last band change failed to publish, to publish again at the next check. */
    private final Set<String> failed = ConcurrentHashMap.newKeySet();

    private StalenessMonitor(Builder builder) {
        this.store = builder.store;
        this.repository = builder.repository;
        this.bus = builder.bus;
        TrackingResources resources = builder.resources;
        this.clock = builder.clock != null ? builder.clock
                : resources != null ? resources.clock() : InstantSource.system();
        this.classifier = builder.classifier;
        this.interval = builder.interval;
        this.maxDeliveries = builder.maxDeliveries;
        ScheduledExecutorService given = builder.scheduler != null ? builder.scheduler
                : resources != null ? resources.scheduler() : null;
        this.ownsScheduler = given == null;
        this.scheduler = given != null ? given
                : Executors.newSingleThreadScheduledExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "tracking-staleness");
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /**
     * Returns a builder.
     *
     * @param store where the drivers' last-seen instants are read; never closed by the monitor
     * @param repository where the active deliveries are read
     * @param bus where signal updates are published; never closed by the monitor
     */
    public static Builder builder(LocationStore store, OrderRepository repository, EventBus bus) {
        return new Builder(store, repository, bus);
    }

    /** Runs {@link #check()} every interval on the scheduler. Idempotent. */
    public StalenessMonitor start() {
        if (closed.get()) {
            throw new IllegalStateException("the staleness monitor is closed");
        }
        if (started.compareAndSet(false, true)) {
            long period = interval.toMillis();
            task = scheduler.scheduleWithFixedDelay(() -> {
                try {
                    check();
                } catch (RuntimeException e) {
                    LOG.warn("staleness check failed; it runs again at the next interval", e);
                }
            }, period, period, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /**
     * Classifies every active delivery now and publishes the band changes.
     *
     * @return how many signal updates were handed to the bus (a publish that fails later is retried at the next check)
     */
    public synchronized int check() {
        Instant now = clock.instant();
        List<TrackedOrder> deliveries = repository.findByStatus(OrderStatus.PICKED_UP, null, maxDeliveries);
        Map<String, SignalState> next = new HashMap<>(Math.max(16, deliveries.size() * 2));
        List<String> drivers = new ArrayList<>(deliveries.size());
        for (TrackedOrder order : deliveries) {
            if (order.driverId() != null) {
                drivers.add(order.driverId());
            }
        }
        // one bulk read per tick: on a networked store one round trip, not one per delivery
        Map<String, Instant> lastSeen = drivers.isEmpty() ? Map.of() : store.lastSeenAll(drivers);
        int published = 0;
        for (TrackedOrder order : deliveries) {
            if (order.driverId() == null) {
                continue;
            }
            Instant seen = lastSeen.get(order.driverId()); // null: not seen within the retention
            SignalState band = classifier.classify(seen, now);
            String orderId = order.orderId();
            SignalState before = bands.get(orderId);
            next.put(orderId, band);
            boolean retry = failed.remove(orderId);
            if (!retry && (before == null ? band == SignalState.MOVING : before == band)) {
                continue;
            }
            Long age = seen == null ? null : Math.max(0, Duration.between(seen, now).getSeconds());
            try {
                CompletionStage<Void> stage = bus.publish(Topic.order(orderId),
                        new TrackingMessage.SignalUpdate(orderId, band, seen, age));
                published++;
                stage.whenComplete((ignored, error) -> {
                    if (error != null) {
                        LOG.warn("could not publish the signal of order {}; it is published again at the next check",
                                orderId, error);
                        failed.add(orderId);
                    }
                });
            } catch (RuntimeException e) {
                LOG.warn("could not publish the signal of order {}; it is published again at the next check", orderId,
                        e);
                failed.add(orderId);
            }
        }
        bands = next;
        // an order no longer delivered needs no signal any more
        failed.retainAll(next.keySet());
        return published;
    }

    /**
     * Returns how many active deliveries this monitor's last check found in each band, every band
     * present (0 before the first check): what the operators' view shows.
     *
     * @since 0.1.0
     */
    public synchronized Map<SignalState, Integer> bandCounts() {
        Map<SignalState, Integer> counts = new java.util.EnumMap<>(SignalState.class);
        for (SignalState band : SignalState.values()) {
            counts.put(band, 0);
        }
        for (SignalState band : bands.values()) {
            counts.merge(band, 1, Integer::sum);
        }
        return java.util.Collections.unmodifiableMap(counts);
    }

    /** Stops the periodic check; stops the scheduler if the monitor created it. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ScheduledFuture<?> current = task;
        if (current != null) {
            current.cancel(false);
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }

    /**
     * Configures a {@link StalenessMonitor}. Each value is checked when set. Not thread-safe.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private final LocationStore store;
        private final OrderRepository repository;
        private final EventBus bus;
        private TrackingResources resources;
        private InstantSource clock;
        private StalenessClassifier classifier = StalenessClassifier.defaults();
        private Duration interval = DEFAULT_INTERVAL;
        private int maxDeliveries = DEFAULT_MAX_DELIVERIES;
        private ScheduledExecutorService scheduler;

        private Builder(LocationStore store, OrderRepository repository, EventBus bus) {
            this.store = Objects.requireNonNull(store, "store must not be null");
            this.repository = Objects.requireNonNull(repository, "repository must not be null");
            this.bus = Objects.requireNonNull(bus, "bus must not be null");
        }

        /**
         * Takes the clock and the scheduler from shared resources, which the monitor never closes or shuts down. A {@link #clock} or {@link #scheduler} set on this builder wins over the resources'.
         *
         * @throws IllegalStateException if the resources are closed
         * @since 0.1.0
         */
        public Builder resources(TrackingResources resources) {
            Objects.requireNonNull(resources, "resources must not be null");
            resources.requireOpen("a StalenessMonitor");
            this.resources = resources;
            return this;
        }

        /** Server time; default the resources' clock, else the system clock. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** The bands; default {@link StalenessClassifier#defaults()}. */
        public Builder classifier(StalenessClassifier classifier) {
            this.classifier = Objects.requireNonNull(classifier, "classifier must not be null");
            return this;
        }

        /** Period of the check; positive, default 1 second. */
        public Builder interval(Duration interval) {
            this.interval = Checks.requirePositive(interval, "interval");
            return this;
        }

        /** Largest number of deliveries examined per check; positive, default 10 000. */
        public Builder maxDeliveries(int max) {
            this.maxDeliveries = Checks.requirePositive(max, "maxDeliveries");
            return this;
        }

        /**
         * Runs the check on the caller's scheduler, which the monitor never shuts down; wins over the
         * resources' scheduler. With neither, it creates one daemon thread and stops it on
         * {@code close()}.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler must not be null");
            return this;
        }

        public StalenessMonitor build() {
            return new StalenessMonitor(this);
        }
    }
}
