package org.ordertracking.core;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.ordertracking.core.internal.Checks;
import org.ordertracking.core.internal.PushThrottle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver location pipeline: validates a driver's fixes, keeps the newest in the
 * {@link LocationStore}, and publishes it (throttled, with an ETA) to the customers of the orders
 * that driver is delivering. The HTTP batch endpoint and the driver WebSocket call
 * {@link #ingest(String, List)}.
 *
 * <p>For each call:
 * <ol>
 *   <li>the fixes are taken in {@code recordedAt} order (a batch from the app's offline buffer may
 *       come in any order);</li>
 *   <li>each fix is judged on its own, so a bad fix never rejects its neighbours: recorded more
 *       than {@link LocationConfig#maxFutureSkew()} ahead of server time
 *       ({@link FixRejection#RECORDED_IN_FUTURE}), older than {@link LocationConfig#maxFixAge()}
 *       ({@link FixRejection#TOO_OLD}), or implying a speed above
 *       {@link LocationConfig#maxSpeedKmh()} from the newest accepted fix of the driver
 *       ({@link FixRejection#GPS_JUMP}; the distance is reduced by the two fixes' accuracy radii
 *       and the time is taken as at least one second);</li>
 *   <li>the store is written once, with the newest accepted fix, and only if it is not older than
 *       what the driver already had (an older or duplicate fix is accepted and harmless);</li>
 *   <li>only that newest position is published: one {@link TrackingMessage.LocationUpdate} on
 *       {@link Topic#order} per order of the driver that is {@link OrderStatus#PICKED_UP}, and only
 *       when it is more than {@link LocationConfig#throttleMeters()} from the last position
 *       published for that order. The update carries the {@link EtaEstimator}'s estimate, which is
 *       also handed to the {@link NotificationDispatcher} (the "about 5 minutes away" push).</li>
 * </ol>
 *
 * <p>A driver's active orders are cached for {@link LocationConfig#driverOrdersTtl()}; register
 * the ingestor as a {@link TrackerListener} of this node's {@link OrderTracker} (it implements the
 * interface) so an assignment or a status change invalidates that cache at once.
 *
 * <p>Thread-safe. Calls for different drivers run in parallel; calls for one driver are serialized.
 * The ingestor holds no threads and needs no closing; it forgets a driver idle longer than the
 * store's last-seen retention.
 *
 * @since 0.1.0
 */
public final class LocationIngestor implements TrackerListener {
    private static final Logger LOG = LoggerFactory.getLogger(LocationIngestor.class);
    private static final BiConsumer<Boolean, Throwable> LOG_STORE_FAILURE = (ok, error) -> {
        if (error != null) {
            LOG.warn("could not store a driver position", error);
        }
    };

    private final LocationStore store;
    private final OrderRepository repository;
    private final EventBus bus;
    private final InstantSource clock;
    private final EtaEstimator eta;
    private final NotificationDispatcher notifications;
    private final long maxFutureSkewMillis;
    private final long maxFixAgeMillis;
    private final double maxSpeedMps;
    private final double throttleMeters;
    private final long ordersTtlMillis;
    private final long forgetAfterMillis;
    private final ConcurrentHashMap<String, DriverState> drivers = new ConcurrentHashMap<>();
    private final AtomicLong lastEvictionMillis;
    private final LongAdder appliedCount = new LongAdder();
    private final LongAdder rejectedCount = new LongAdder();
    private final LongAdder publishedCount = new LongAdder();

    /**
     * Counters since the ingestor was created, for the {@code /metrics} endpoint.
     *
     * @param applied fixes accepted
     * @param rejected fixes refused, whatever the reason
     * @param published location updates published (one per order)
     * @since 0.1.0
     */
    public record Stats(long applied, long rejected, long published) {
    }

    private LocationIngestor(Builder builder) {
        this.store = builder.store;
        this.repository = builder.repository;
        this.bus = builder.bus;
        this.clock = builder.clock != null ? builder.clock
                : builder.resources != null ? builder.resources.clock() : InstantSource.system();
        this.eta = builder.eta;
        this.notifications = builder.notifications;
        LocationConfig config = builder.config;
        this.maxFutureSkewMillis = config.maxFutureSkew().toMillis();
        this.maxFixAgeMillis = config.maxFixAge().toMillis();
        this.maxSpeedMps = config.maxSpeedKmh() / 3.6;
        this.throttleMeters = config.throttleMeters();
        this.ordersTtlMillis = config.driverOrdersTtl().toMillis();
        this.forgetAfterMillis = Math.max(store.lastSeenRetention().toMillis(), config.maxFixAge().toMillis());
        this.lastEvictionMillis = new AtomicLong(clock.millis());
    }

    /**
     * Returns a builder.
     *
     * @param store where the newest fix of each driver is kept; never closed by the ingestor
     * @param repository where the driver's active orders are read
     * @param bus where location updates are published; never closed by the ingestor
     */
    public static Builder builder(LocationStore store, OrderRepository repository, EventBus bus) {
        return new Builder(store, repository, bus);
    }

    /** Ingests one fix; see {@link #ingest(String, List)}. */
    public IngestResult ingest(String driverId, LocationFix fix) {
        return ingest(driverId, List.of(fix));
    }

    /**
     * Ingests a batch of fixes of one driver (see the class description).
     *
     * @param driverId the driver, a valid id
     * @param fixes the fixes in any order; a {@code null} entry is rejected as {@link FixRejection#MALFORMED}
     * @return applied count, rejected fixes by index, and the newest accepted {@code recordedAt}
     * @throws IllegalArgumentException if {@code driverId} is not a valid id
     */
    public IngestResult ingest(String driverId, List<LocationFix> fixes) {
        Checks.requireId(driverId, "driverId");
        Objects.requireNonNull(fixes, "fixes must not be null");
        int n = fixes.size();
        if (n == 0) {
            return IngestResult.empty();
        }
        long now = clock.millis();
        int[] order = sortedOrder(fixes);
        DriverState state = drivers.get(driverId); // a plain read first: computeIfAbsent may lock the bin
        if (state == null) {
            state = drivers.computeIfAbsent(driverId, DriverState::new);
        }
        List<IngestResult.Rejected> rejected = null;
        int applied = 0;
        LocationFix newestApplied = null;
        synchronized (state) {
            state.lastActivityMillis = now;
            if (!state.loaded) {
                state.newest = store.get(driverId).orElse(null);
                state.loaded = true;
            }
            LocationFix before = state.newest;
            LocationFix newest = before;
            for (int k = 0; k < n; k++) {
                int index = order == null ? k : order[k];
                LocationFix fix = fixes.get(index);
                FixRejection reason = judge(fix, newest, now);
                if (reason != null) {
                    if (rejected == null) {
                        rejected = new ArrayList<>();
                    }
                    rejected.add(new IngestResult.Rejected(index, reason, explain(reason, fix, newest, now)));
                    continue;
                }
                applied++;
                if (newestApplied == null || !fix.recordedAt().isBefore(newestApplied.recordedAt())) {
                    newestApplied = fix;
                }
                if (newest == null || !fix.recordedAt().isBefore(newest.recordedAt())) {
                    newest = fix;
                }
            }
            if (newest != before) {
                state.newest = newest;
                store.putIfNewer(driverId, newest).whenComplete(LOG_STORE_FAILURE);
                publish(state, driverId, newest, now);
            }
        }
        maybeEvict(now);
        appliedCount.add(applied);
        if (rejected != null) {
            rejectedCount.add(rejected.size());
        }
        if (rejected != null && order != null) {
            rejected.sort((a, b) -> Integer.compare(a.index(), b.index()));
        }
        return new IngestResult(applied, rejected == null ? List.of() : rejected,
                newestApplied == null ? null : newestApplied.recordedAt());
    }

    /** Returns null if the fixes are already in recordedAt order, else the indices in that order. */
    private static int[] sortedOrder(List<LocationFix> fixes) {
        int n = fixes.size();
        boolean sorted = true;
        for (int i = 1; i < n && sorted; i++) {
            LocationFix a = fixes.get(i - 1);
            LocationFix b = fixes.get(i);
            sorted = a != null && b != null && !b.recordedAt().isBefore(a.recordedAt());
        }
        if (sorted && fixes.get(0) != null) {
            return null;
        }
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) {
            boxed[i] = i;
        }
        // nulls first (they are rejected anyway), then by recordedAt; stable for equal instants
        java.util.Arrays.sort(boxed, (x, y) -> {
            LocationFix a = fixes.get(x);
            LocationFix b = fixes.get(y);
            if (a == null || b == null) {
                return a == null ? (b == null ? 0 : -1) : 1;
            }
            return a.recordedAt().compareTo(b.recordedAt());
        });
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = boxed[i];
        }
        return order;
    }

    private FixRejection judge(LocationFix fix, LocationFix reference, long now) {
        if (fix == null) {
            return FixRejection.MALFORMED;
        }
        long t = epochMillis(fix.recordedAt());
        if (t > now + maxFutureSkewMillis) {
            return FixRejection.RECORDED_IN_FUTURE;
        }
        if (t < now - maxFixAgeMillis) {
            return FixRejection.TOO_OLD;
        }
        if (reference != null && isJump(reference, fix)) {
            return FixRejection.GPS_JUMP;
        }
        return null;
    }

    private String explain(FixRejection reason, LocationFix fix, LocationFix reference, long now) {
        return switch (reason) {
            case MALFORMED -> "fix must not be null";
            case RECORDED_IN_FUTURE -> "recorded_at " + fix.recordedAt() + " is more than "
                    + Duration.ofMillis(maxFutureSkewMillis) + " ahead of server time " + Instant.ofEpochMilli(now);
            case TOO_OLD -> "recorded_at " + fix.recordedAt() + " is older than "
                    + Duration.ofMillis(maxFixAgeMillis) + " before server time " + Instant.ofEpochMilli(now);
            case GPS_JUMP -> String.format(java.util.Locale.ROOT,
                    "implies %.0f km/h from the previous accepted fix recorded at %s; the maximum is %.0f km/h",
                    impliedSpeed(reference, fix) * 3.6, reference.recordedAt(), maxSpeedMps * 3.6);
            default -> reason.code();
        };
    }

    /**
     * Whether the speed implied from {@code from} to {@code to} exceeds the maximum. First an upper
     * bound of the distance without transcendental calls (a fix that moved a few metres is settled
     * by it); only a fix that might be a jump pays the haversine.
     */
    private boolean isJump(LocationFix from, LocationFix to) {
        double bound = upperBoundMeters(from, to) - accuracy(from) - accuracy(to);
        if (bound <= 0) {
            return false;
        }
        long millis = Math.abs(epochMillis(to.recordedAt()) - epochMillis(from.recordedAt()));
        if (bound * 1000.0 / Math.max(millis, 1000L) <= maxSpeedMps) {
            return false;
        }
        return impliedSpeed(from, to) > maxSpeedMps;
    }

    /**
     * An upper bound of the great-circle distance: {@code R · sqrt(Δφ² + Δλ²)} (radians, Δλ the
     * short way round) bounds it because the sphere's metric {@code dφ² + cos²φ dλ²} is at most the
     * plane's {@code dφ² + dλ²}; the factor 1.000001 covers rounding in either computation.
     */
    private static double upperBoundMeters(LocationFix from, LocationFix to) {
        double dLat = to.lat() - from.lat();
        double dLon = Math.abs(to.lon() - from.lon());
        if (dLon > 180) {
            dLon = 360 - dLon;
        }
        return Math.sqrt(dLat * dLat + dLon * dLon) * UPPER_BOUND_METERS_PER_DEGREE;
    }

    private static final double UPPER_BOUND_METERS_PER_DEGREE =
            Haversine.EARTH_RADIUS_METERS * Math.PI / 180 * 1.000001;

    /** Metres per second between two fixes, after the accuracy radii, over at least one second. */
    private static double impliedSpeed(LocationFix from, LocationFix to) {
        double meters = Haversine.meters(from, to) - accuracy(from) - accuracy(to);
        if (meters <= 0) {
            return 0;
        }
        long millis = Math.abs(epochMillis(to.recordedAt()) - epochMillis(from.recordedAt()));
        return meters * 1000.0 / Math.max(millis, 1000L);
    }

    private static double accuracy(LocationFix fix) {
        return fix.accuracy() == null ? 0 : fix.accuracy();
    }

    private static long epochMillis(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds > 9_000_000_000_000L) {
            return Long.MAX_VALUE / 2;
        }
        if (seconds < -9_000_000_000_000L) {
            return Long.MIN_VALUE / 2;
        }
        return instant.toEpochMilli();
    }

    /** Publishes {@code fix} to the orders of the driver being delivered; caller holds the state's lock. */
    private void publish(DriverState state, String driverId, LocationFix fix, long now) {
        List<OrderView> orders = orders(state, driverId, now);
        for (int i = 0, size = orders.size(); i < size; i++) {
            OrderView view = orders.get(i);
            TrackedOrder order = view.order;
            if (order.status() != OrderStatus.PICKED_UP) {
                continue;
            }
            if (!view.throttle.shouldPush(fix.lat(), fix.lon())) {
                continue;
            }
            view.throttle.pushed(fix.lat(), fix.lon());
            Duration estimate = estimate(fix, order);
            try {
                bus.publish(Topic.order(order.orderId()), new TrackingMessage.LocationUpdate(order.orderId(),
                        driverId, fix, estimate == null ? null : Math.max(0, estimate.getSeconds())));
                publishedCount.increment();
            } catch (RuntimeException e) {
                LOG.warn("could not publish the position of driver {} for order {}", driverId, order.orderId(), e);
            }
            if (notifications != null && estimate != null) {
                notifications.onEta(order, estimate);
            }
        }
    }

    private Duration estimate(LocationFix fix, TrackedOrder order) {
        try {
            return eta.estimate(fix.point(), order.destination());
        } catch (RuntimeException e) {
            LOG.warn("the ETA estimator {} failed for order {}", eta, order.orderId(), e);
            return null;
        }
    }

    /** The driver's active orders, from the cache or, when stale, from the repository. */
    private List<OrderView> orders(DriverState state, String driverId, long now) {
        if (state.ordersValid && now - state.ordersLoadedMillis < ordersTtlMillis) {
            return state.orders;
        }
        List<TrackedOrder> active;
        try {
            active = repository.activeOrdersOfDriver(driverId);
        } catch (RuntimeException e) {
            LOG.warn("could not read the active orders of driver {}; using the cached ones", driverId, e);
            return state.orders;
        }
        List<OrderView> previous = state.orders;
        if (sameOrders(previous, active)) {
            // the usual refresh: nothing changed, so keep the views (and their throttles) as they are
            state.ordersLoadedMillis = now;
            state.ordersValid = true;
            return previous;
        }
        List<OrderView> fresh = new ArrayList<>(active.size());
        for (TrackedOrder order : active) {
            PushThrottle throttle = null;
            for (int i = 0, size = previous.size(); i < size && throttle == null; i++) {
                // a driver has a handful of orders at most: a scan beats building a map
                if (previous.get(i).order.orderId().equals(order.orderId())) {
                    throttle = previous.get(i).throttle;
                }
            }
            fresh.add(new OrderView(order, throttle != null ? throttle : new PushThrottle(throttleMeters)));
        }
        state.orders = fresh;
        state.ordersLoadedMillis = now;
        state.ordersValid = true;
        return fresh;
    }

    /** Whether the views are of exactly these order rows, in this order. */
    private static boolean sameOrders(List<OrderView> views, List<TrackedOrder> orders) {
        int size = views.size();
        if (size != orders.size()) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (views.get(i).order != orders.get(i)) {
                return false;
            }
        }
        return true;
    }

    private void maybeEvict(long now) {
        long last = lastEvictionMillis.get();
        if (now - last >= ordersTtlMillis && lastEvictionMillis.compareAndSet(last, now)) {
            drivers.values().removeIf(state -> now - state.lastActivityMillis > forgetAfterMillis);
        }
    }

    /** Invalidates the cached orders of the driver of a changed order. */
    @Override
    public void onEvent(TrackedOrder order, OrderEvent event) {
        invalidate(order);
    }

    /** Invalidates the cached orders of the new driver and of any driver that had the order. */
    @Override
    public void onDriverAssigned(TrackedOrder order) {
        invalidate(order);
        for (DriverState state : drivers.values()) {
            for (OrderView view : state.orders) {
                if (view.order.orderId().equals(order.orderId())) {
                    state.ordersValid = false;
                }
            }
        }
    }

    /** Invalidates the cached orders of the driver who lost the order, so its fixes no longer count for it. */
    @Override
    public void onDriverUnassigned(TrackedOrder order, String previousDriverId) {
        DriverState state = drivers.get(previousDriverId);
        if (state != null) {
            state.ordersValid = false;
        }
    }

    private void invalidate(TrackedOrder order) {
        if (order.driverId() != null) {
            DriverState state = drivers.get(order.driverId());
            if (state != null) {
                state.ordersValid = false;
            }
        }
    }

    /** Returns the counters of fixes applied, rejected and positions published. */
    public Stats stats() {
        return new Stats(appliedCount.sum(), rejectedCount.sum(), publishedCount.sum());
    }

    /** Returns how many drivers the ingestor currently keeps state for. */
    public int trackedDrivers() {
        return drivers.size();
    }

    /** Per-driver state; fields other than ordersValid are guarded by the instance's lock. */
    private static final class DriverState {
        LocationFix newest;
        boolean loaded;
        volatile List<OrderView> orders = List.of();
        long ordersLoadedMillis;
        volatile boolean ordersValid;
        volatile long lastActivityMillis;

        DriverState(String driverId) {
        }
    }

    /** An active order of a driver and the last position published for it. */
    private static final class OrderView {
        final TrackedOrder order;
        final PushThrottle throttle;

        OrderView(TrackedOrder order, PushThrottle throttle) {
            this.order = order;
            this.throttle = throttle;
        }
    }

    /**
     * Configures a {@link LocationIngestor}. Not thread-safe.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private final LocationStore store;
        private final OrderRepository repository;
        private final EventBus bus;
        private TrackingResources resources;
        private InstantSource clock;
        private LocationConfig config = LocationConfig.defaults();
        private EtaEstimator eta = EtaEstimator.greatCircle();
        private NotificationDispatcher notifications;

        private Builder(LocationStore store, OrderRepository repository, EventBus bus) {
            this.store = Objects.requireNonNull(store, "store must not be null");
            this.repository = Objects.requireNonNull(repository, "repository must not be null");
            this.bus = Objects.requireNonNull(bus, "bus must not be null");
        }

        /**
         * Takes the clock from shared resources, which the ingestor never closes or shuts down. A {@link #clock} set on this builder wins over the resources'.
         *
         * @throws IllegalStateException if the resources are closed
         * @since 0.1.0
         */
        public Builder resources(TrackingResources resources) {
            Objects.requireNonNull(resources, "resources must not be null");
            resources.requireOpen("a LocationIngestor");
            this.resources = resources;
            return this;
        }

        /** Server time, against which fixes are judged; default the resources' clock, else the system clock. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** Thresholds; default {@link LocationConfig#defaults()}. */
        public Builder config(LocationConfig config) {
            this.config = Objects.requireNonNull(config, "config must not be null");
            return this;
        }

        /** The ETA estimator; default {@link EtaEstimator#greatCircle()}. */
        public Builder etaEstimator(EtaEstimator eta) {
            this.eta = Objects.requireNonNull(eta, "etaEstimator must not be null");
            return this;
        }

        /** Where ETAs go for the "about 5 minutes away" push; default none. */
        public Builder notifications(NotificationDispatcher dispatcher) {
            this.notifications = Objects.requireNonNull(dispatcher, "notifications must not be null");
            return this;
        }

        public LocationIngestor build() {
            return new LocationIngestor(this);
        }
    }
}
