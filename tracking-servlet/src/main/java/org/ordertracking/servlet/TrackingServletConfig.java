package org.ordertracking.servlet;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.EtaEstimator;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.RestaurantPresenceMonitor;
import org.ordertracking.core.StalenessClassifier;
import org.ordertracking.core.StalenessMonitor;
import org.ordertracking.core.StuckOrderWatchdog;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.TrackingResources;

/**
 * Everything a {@link TrackingServlet} and its {@link DriverSocket} need: the tracker, the location
 * pipeline, the authorizer, and the limits. Immutable and thread-safe; build it with
 * {@link #builder(OrderTracker, Authorizer)}.
 *
 * <pre>{@code
 * TrackingServletConfig config = TrackingServletConfig.builder(tracker, JwtAuthorizer.of(secret))
 *         .trackingTokens(JwtIssuer.of(secret))
 *         .locationIngestor(ingestor)
 *         .locationStore(store)
 *         .build();
 * }</pre>
 *
 * @since 0.1.0
 */
public final class TrackingServletConfig {

    /** Default idle time after which a stream sends a {@code : keep-alive} comment: 15 seconds. */
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(15);
    /**
     * Default shortest reconnection delay sent to {@code EventSource} clients as {@code retry:}: 3
     * seconds. Each stream adds its own random share of {@link #DEFAULT_RETRY_JITTER}.
     */
    public static final Duration DEFAULT_RETRY = Duration.ofMillis(3000);
    /**
     * Default spread of the {@code retry:} delay: 5 seconds, so each stream's {@code retry:} is drawn
     * uniformly from 3–8 s and the clients of a restarted node do not all reconnect in the same second.
     *
     * @since 0.1.0
     */
    public static final Duration DEFAULT_RETRY_JITTER = Duration.ofSeconds(5);
    /**
     * Default number of repository reads a stream makes to close one gap in its status seqs before it
     * gives up, ends and lets the client reconnect: 5.
     *
     * @since 0.1.0
     */
    public static final int DEFAULT_GAP_FILL_ATTEMPTS = 5;
    /**
     * Default wait before the second read of a gap that the first read did not close: 200 ms; it
     * doubles with each further read, up to {@link #DEFAULT_GAP_FILL_MAX_BACKOFF}.
     *
     * @since 0.1.0
     */
    public static final Duration DEFAULT_GAP_FILL_BACKOFF = Duration.ofMillis(200);
    /**
     * Default longest wait between two reads of one gap: 5 seconds.
     *
     * @since 0.1.0
     */
    public static final Duration DEFAULT_GAP_FILL_MAX_BACKOFF = Duration.ofSeconds(5);
    /** Default largest request body, after gzip decompression: 512 KiB. */
    public static final int DEFAULT_MAX_BODY_BYTES = 512 * 1024;
    /** Default largest batch of fixes in one request or WebSocket frame: 500. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 500;
    /** Default number of location messages (requests or frames) one driver may send per window: 30. */
    public static final int DEFAULT_DRIVER_RATE_LIMIT = 30;
    /** Default window of the per-driver rate limit: 10 seconds. */
    public static final Duration DEFAULT_DRIVER_RATE_WINDOW = Duration.ofSeconds(10);
    /** Default number of events an SSE connection may have waiting to be written: 256. */
    public static final int DEFAULT_STREAM_BUFFER = 256;
    /** Default number of frames a driver socket may have waiting to be sent: 64. */
    public static final int DEFAULT_SOCKET_BUFFER = 64;
    /**
     * Default time a stream may stay open after its order became terminal before it counts as a leak:
     * {@link ConnectionRegistry#DEFAULT_LEAK_GRACE} (30 seconds). Used when the servlet builds its own registry.
     */
    public static final Duration DEFAULT_LEAK_GRACE = ConnectionRegistry.DEFAULT_LEAK_GRACE;
    /** Default period of the leak sweep ({@link ConnectionRegistry#reapLeaks()}): 30 seconds. */
    public static final Duration DEFAULT_LEAK_SWEEP_INTERVAL = Duration.ofSeconds(30);
    /** Default validity of the customer {@code tracking_token} issued by {@code POST /orders}: 24 hours. */
    public static final Duration DEFAULT_TRACKING_TOKEN_TTL = Duration.ofHours(24);
    /**
     * Default number of SSE streams and driver sockets one subject (the role and id a token is bound
     * to) may hold open at once: 20. A customer watches one order, perhaps from a few tabs and devices;
     * a restaurant's board is one stream per screen.
     *
     * @since 0.1.0
     */
    public static final int DEFAULT_MAX_STREAMS_PER_SUBJECT = 20;
    /**
     * Default number of SSE streams one client address may hold open at once: 200, room for a
     * restaurant's screens or a carrier-grade NAT in front of many phones.
     *
     * @since 0.1.0
     */
    public static final int DEFAULT_MAX_STREAMS_PER_ADDRESS = 200;
    /**
     * Default number of stream opens one client address may make per {@link #DEFAULT_STREAM_OPEN_WINDOW}:
     * 20 (a burst of 20, then 20 per second). Each open costs several repository reads; an
     * {@code EventSource} reconnects once per {@code retry} (3 s), so even a NAT of many phones that
     * all lost the network at once stays under it.
     *
     * @since 0.1.0
     */
    public static final int DEFAULT_STREAM_OPEN_RATE = 20;
    /**
     * Default window of {@link #DEFAULT_STREAM_OPEN_RATE}: 1 second.
     *
     * @since 0.1.0
     */
    public static final Duration DEFAULT_STREAM_OPEN_WINDOW = Duration.ofSeconds(1);
    /**
     * Default period at which the operators' stream recomputes the node's figures (connections, leaks,
     * staleness bands, outbox backlog) and sends a {@code figures} event when they changed: 5 seconds.
     *
     * @since 0.1.0
     */
    public static final Duration DEFAULT_OPERATIONS_REFRESH = Duration.ofSeconds(5);

    /** No at-risk orders: what the operators' snapshot shows when no power schedule is configured. */
    private static final Supplier<List<TrackingMessage>> NO_AT_RISK_ORDERS = List::of;

    /**
     * Default roles whose order documents carry {@code power_risk}: restaurants and operators, who can
     * act on a coming power cut (prioritise the order, call the customer, send a driver early). Not
     * customers: a customer cannot change the schedule, and "your order may be hit by a power cut" on
     * the tracking page invites cancellations and calls to the restaurant, the very load tracking is
     * meant to take away. Not drivers, whose app reads only its orders.
     *
     * @since 0.1.0
     */
    public static final Set<Role> DEFAULT_POWER_RISK_ROLES =
            Collections.unmodifiableSet(EnumSet.of(Role.RESTAURANT, Role.OPERATOR));

    /**
     * Default drain window: 20 seconds, within which {@link TrackingServlet#drain()} sends every open
     * stream away and stops. Below the 30 s a process manager (Kubernetes, systemd) usually allows
     * between its stop signal and a kill.
     *
     * @since 0.1.0
     */
    public static final Duration DEFAULT_DRAIN_WINDOW = Duration.ofSeconds(20);

    private final OrderTracker tracker;
    private final Authorizer authorizer;
    private final JwtIssuer trackingTokens;
    private final Duration trackingTokenTtl;
    private final Duration keepAlive;
    private final Duration retry;
    private final Duration retryJitter;
    private final int gapFillAttempts;
    private final Duration gapFillBackoff;
    private final Duration gapFillMaxBackoff;
    private final int maxBodyBytes;
    private final int maxBatchSize;
    private final int driverRateLimit;
    private final Duration driverRateWindow;
    private final int streamBufferSize;
    private final int socketBufferSize;
    private final Duration leakGrace;
    private final Duration leakSweepInterval;
    private final int maxStreamsPerSubject;
    private final int maxStreamsPerAddress;
    private final int streamOpenRate;
    private final Duration streamOpenWindow;
    private final Duration drainWindow;
    private final boolean drainOnShutdown;
    private final ScheduledExecutorService scheduler;
    private final LocationIngestor locationIngestor;
    private final LocationStore locationStore;
    private final StalenessClassifier stalenessClassifier;
    private final EtaEstimator etaEstimator;
    private final ConnectionRegistry connectionRegistry;
    private final RestaurantPresenceMonitor restaurantPresence;
    private final StuckOrderWatchdog stuckOrders;
    private final StalenessMonitor stalenessMonitor;
    private final Supplier<? extends Collection<? extends TrackingMessage>> atRiskOrders;
    private final Duration operationsRefresh;
    private final Set<Role> powerRiskRoles;

    private TrackingServletConfig(Builder b) {
        this.restaurantPresence = b.restaurantPresence;
        this.stuckOrders = b.stuckOrders;
        this.stalenessMonitor = b.stalenessMonitor;
        OrderTracker tracker = b.tracker;
        this.atRiskOrders = b.atRiskOrders != NO_AT_RISK_ORDERS || tracker.powerSchedule().isEmpty() ? b.atRiskOrders
                : () -> tracker.powerRisks().stream().map(TrackingMessage.OrderAtRisk::new).toList();
        this.operationsRefresh = b.operationsRefresh;
        this.powerRiskRoles = Collections.unmodifiableSet(EnumSet.copyOf(b.powerRiskRoles));
        this.leakSweepInterval = b.leakSweepInterval;
        this.locationIngestor = b.locationIngestor;
        this.locationStore = b.locationStore;
        this.stalenessClassifier = b.stalenessClassifier;
        this.etaEstimator = b.etaEstimator;
        this.connectionRegistry = b.connectionRegistry;
        this.tracker = b.tracker;
        this.authorizer = b.authorizer;
        this.trackingTokens = b.trackingTokens;
        this.trackingTokenTtl = b.trackingTokenTtl;
        this.keepAlive = b.keepAlive;
        this.retry = b.retry;
        this.retryJitter = b.retryJitter;
        this.gapFillAttempts = b.gapFillAttempts;
        this.gapFillBackoff = b.gapFillBackoff;
        this.gapFillMaxBackoff = b.gapFillMaxBackoff;
        this.maxBodyBytes = b.maxBodyBytes;
        this.maxBatchSize = b.maxBatchSize;
        this.driverRateLimit = b.driverRateLimit;
        this.driverRateWindow = b.driverRateWindow;
        this.streamBufferSize = b.streamBufferSize;
        this.socketBufferSize = b.socketBufferSize;
        this.leakGrace = b.leakGrace;
        this.maxStreamsPerSubject = b.maxStreamsPerSubject;
        this.maxStreamsPerAddress = b.maxStreamsPerAddress;
        this.streamOpenRate = b.streamOpenRate;
        this.streamOpenWindow = b.streamOpenWindow;
        this.drainWindow = b.drainWindow;
        this.drainOnShutdown = b.drainOnShutdown;
        this.scheduler = b.scheduler != null ? b.scheduler : b.resources != null ? b.resources.scheduler() : null;
    }

    /** Returns a builder; {@code tracker} and {@code authorizer} are required, everything else has a default. */
    public static Builder builder(OrderTracker tracker, Authorizer authorizer) {
        return new Builder(tracker, authorizer);
    }

    public OrderTracker tracker() {
        return tracker;
    }

    public Authorizer authorizer() {
        return authorizer;
    }

    /** Returns the issuer of customer tracking tokens, or {@code null} ({@code tracking_token} is then null). */
    public JwtIssuer trackingTokens() {
        return trackingTokens;
    }

    public Duration trackingTokenTtl() {
        return trackingTokenTtl;
    }

    public Duration keepAlive() {
        return keepAlive;
    }

    /** The shortest {@code retry:} delay; each stream adds a random share of {@link #retryJitter()}. */
    public Duration retry() {
        return retry;
    }

    /**
     * The spread of the {@code retry:} delay: each stream sends a value drawn uniformly from
     * [{@link #retry()}, {@code retry() + retryJitter()}].
     *
     * @since 0.1.0
     */
    public Duration retryJitter() {
        return retryJitter;
    }

    /**
     * How many repository reads a stream makes to close one gap before it ends (with a {@code retry:})
     * so that the client reconnects and replays.
     *
     * @since 0.1.0
     */
    public int gapFillAttempts() {
        return gapFillAttempts;
    }

    /**
     * The wait before the second read of one gap; doubled for each further read.
     *
     * @since 0.1.0
     */
    public Duration gapFillBackoff() {
        return gapFillBackoff;
    }

    /**
     * The longest wait between two reads of one gap.
     *
     * @since 0.1.0
     */
    public Duration gapFillMaxBackoff() {
        return gapFillMaxBackoff;
    }

    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    public int driverRateLimit() {
        return driverRateLimit;
    }

    public Duration driverRateWindow() {
        return driverRateWindow;
    }

    public int streamBufferSize() {
        return streamBufferSize;
    }

    public int socketBufferSize() {
        return socketBufferSize;
    }

    public Duration leakGrace() {
        return leakGrace;
    }

    public Duration leakSweepInterval() {
        return leakSweepInterval;
    }

    /** Returns the most SSE streams and driver sockets one subject may hold open; see {@link Builder#maxStreamsPerSubject}. */
    public int maxStreamsPerSubject() {
        return maxStreamsPerSubject;
    }

    /** Returns the most SSE streams one client address may hold open; see {@link Builder#maxStreamsPerAddress}. */
    public int maxStreamsPerAddress() {
        return maxStreamsPerAddress;
    }

    /** Returns the stream opens one client address may make per {@link #streamOpenWindow()}. */
    public int streamOpenRate() {
        return streamOpenRate;
    }

    /** Returns the window of {@link #streamOpenRate()}. */
    public Duration streamOpenWindow() {
        return streamOpenWindow;
    }

    /**
     * Returns the window of {@link TrackingServlet#drain()} and of the drain on JVM shutdown.
     *
     * @since 0.1.0
     */
    public Duration drainWindow() {
        return drainWindow;
    }

    /**
     * Returns whether the servlet drains itself, within {@link #drainWindow()}, when the JVM shuts down.
     *
     * @since 0.1.0
     */
    public boolean drainOnShutdown() {
        return drainOnShutdown;
    }

    /** Returns the location pipeline the driver endpoints feed, or {@code null} (they then answer 503). */
    public LocationIngestor locationIngestor() {
        return locationIngestor;
    }

    /** Returns where current driver positions are read for snapshots, or {@code null} (location reads as null). */
    public LocationStore locationStore() {
        return locationStore;
    }

    public StalenessClassifier stalenessClassifier() {
        return stalenessClassifier;
    }

    public EtaEstimator etaEstimator() {
        return etaEstimator;
    }

    /**
     * Returns the roles whose order snapshots and restaurant board carry {@code power_risk} (when the
     * tracker has a power schedule); see {@link Builder#powerRiskRoles}.
     *
     * @since 0.1.0
     */
    public Set<Role> powerRiskRoles() {
        return powerRiskRoles;
    }

    /** Returns the caller's connection registry, or {@code null} if the servlet creates its own. */
    public ConnectionRegistry connectionRegistry() {
        return connectionRegistry;
    }

    /**
     * Returns the monitor of restaurants that went dark, or {@code null}: it takes the board stream and
     * polls as heartbeats, and flags its offline restaurants' orders in their snapshots.
     *
     * @since 0.1.0
     */
    public RestaurantPresenceMonitor restaurantPresence() {
        return restaurantPresence;
    }

    /**
     * Returns the stuck-order watchdog the operators' snapshot reads, or {@code null}.
     *
     * @since 0.1.0
     */
    public StuckOrderWatchdog stuckOrders() {
        return stuckOrders;
    }

    /**
     * Returns the staleness monitor whose band counts the operators' view shows, or {@code null}.
     *
     * @since 0.1.0
     */
    public StalenessMonitor stalenessMonitor() {
        return stalenessMonitor;
    }

    /**
     * Returns what lists the orders at risk of a power cut for the operators' snapshot; by default the
     * tracker's {@link OrderTracker#powerRisks() at-risk orders}, or nothing without a power schedule.
     *
     * @since 0.1.0
     */
    public Supplier<? extends Collection<? extends TrackingMessage>> atRiskOrders() {
        return atRiskOrders;
    }

    /**
     * Returns the period of the operators' stream's {@code figures} check.
     *
     * @since 0.1.0
     */
    public Duration operationsRefresh() {
        return operationsRefresh;
    }

    /**
     * Returns the scheduler the servlet runs on and never shuts down (the caller's, else that of the
     * {@link Builder#resources resources}), or {@code null} if the servlet creates (and stops) its own.
     */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /**
     * Configures a {@link TrackingServletConfig}. Not thread-safe. Every value is checked when set,
     * with a message that shows it.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private final OrderTracker tracker;
        private final Authorizer authorizer;
        private JwtIssuer trackingTokens;
        private Duration trackingTokenTtl = DEFAULT_TRACKING_TOKEN_TTL;
        private Duration keepAlive = DEFAULT_KEEP_ALIVE;
        private Duration retry = DEFAULT_RETRY;
        private Duration retryJitter = DEFAULT_RETRY_JITTER;
        private int gapFillAttempts = DEFAULT_GAP_FILL_ATTEMPTS;
        private Duration gapFillBackoff = DEFAULT_GAP_FILL_BACKOFF;
        private Duration gapFillMaxBackoff = DEFAULT_GAP_FILL_MAX_BACKOFF;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private int driverRateLimit = DEFAULT_DRIVER_RATE_LIMIT;
        private Duration driverRateWindow = DEFAULT_DRIVER_RATE_WINDOW;
        private int streamBufferSize = DEFAULT_STREAM_BUFFER;
        private int socketBufferSize = DEFAULT_SOCKET_BUFFER;
        private Duration leakGrace = DEFAULT_LEAK_GRACE;
        private Duration leakSweepInterval = DEFAULT_LEAK_SWEEP_INTERVAL;
        private int maxStreamsPerSubject = DEFAULT_MAX_STREAMS_PER_SUBJECT;
        private int maxStreamsPerAddress = DEFAULT_MAX_STREAMS_PER_ADDRESS;
        private int streamOpenRate = DEFAULT_STREAM_OPEN_RATE;
        private Duration streamOpenWindow = DEFAULT_STREAM_OPEN_WINDOW;
        private Duration drainWindow = DEFAULT_DRAIN_WINDOW;
        private boolean drainOnShutdown = true;
        private ScheduledExecutorService scheduler;
        private TrackingResources resources;
        private LocationIngestor locationIngestor;
        private LocationStore locationStore;
        private StalenessClassifier stalenessClassifier = StalenessClassifier.defaults();
        private EtaEstimator etaEstimator = EtaEstimator.greatCircle();
        private ConnectionRegistry connectionRegistry;
        private RestaurantPresenceMonitor restaurantPresence;
        private StuckOrderWatchdog stuckOrders;
        private StalenessMonitor stalenessMonitor;
        private Supplier<? extends Collection<? extends TrackingMessage>> atRiskOrders = NO_AT_RISK_ORDERS;
        private Duration operationsRefresh = DEFAULT_OPERATIONS_REFRESH;
        private Set<Role> powerRiskRoles = EnumSet.copyOf(DEFAULT_POWER_RISK_ROLES);

        private Builder(OrderTracker tracker, Authorizer authorizer) {
            this.tracker = Objects.requireNonNull(tracker, "tracker must not be null");
            this.authorizer = Objects.requireNonNull(authorizer, "authorizer must not be null");
        }

        /** Issuer of the customer {@code tracking_token} returned by {@code POST /orders}; default none. */
        public Builder trackingTokens(JwtIssuer issuer) {
            this.trackingTokens = Objects.requireNonNull(issuer, "trackingTokens must not be null");
            return this;
        }

        /** Validity of issued tracking tokens; default 24 hours. */
        public Builder trackingTokenTtl(Duration ttl) {
            this.trackingTokenTtl = positive(ttl, "trackingTokenTtl");
            return this;
        }

        /** Idle time before a {@code : keep-alive} comment; default 15 s. */
        public Builder keepAlive(Duration keepAlive) {
            this.keepAlive = positive(keepAlive, "keepAlive");
            return this;
        }

        /**
         * The shortest {@code retry:} sent first on every stream; default 3000 ms. Each stream adds a
         * random share of {@link #retryJitter}.
         */
        public Builder retry(Duration retry) {
            this.retry = positive(retry, "retry");
            return this;
        }

        /**
         * The spread of the {@code retry:} delay; zero or positive, default 5 s. Each stream draws its
         * {@code retry:} uniformly from [{@code retry}, {@code retry + retryJitter}] (in milliseconds);
         * zero sends the same {@code retry} on every stream.
         *
         * @since 0.1.0
         */
        public Builder retryJitter(Duration jitter) {
            Objects.requireNonNull(jitter, "retryJitter must not be null");
            if (jitter.isNegative()) {
                throw new IllegalArgumentException("retryJitter must not be negative, but was " + jitter);
            }
            this.retryJitter = jitter;
            return this;
        }

        /**
         * How many repository reads a stream makes to close one gap in its status seqs (a live seq
         * ahead of the next one) before it ends with a {@code retry:}; positive, default 5.
         *
         * @since 0.1.0
         */
        public Builder gapFillAttempts(int attempts) {
            this.gapFillAttempts = positive(attempts, "gapFillAttempts");
            return this;
        }

        /**
         * The wait before the second read of one gap, doubled for each further read up to
         * {@link #gapFillMaxBackoff}; positive, default 200 ms.
         *
         * @since 0.1.0
         */
        public Builder gapFillBackoff(Duration backoff) {
            this.gapFillBackoff = positive(backoff, "gapFillBackoff");
            return this;
        }

        /**
         * The longest wait between two reads of one gap; positive, not below {@link #gapFillBackoff},
         * default 5 s.
         *
         * @since 0.1.0
         */
        public Builder gapFillMaxBackoff(Duration maxBackoff) {
            this.gapFillMaxBackoff = positive(maxBackoff, "gapFillMaxBackoff");
            return this;
        }

        /** Largest request body in bytes (after decompression); default 512 KiB. */
        public Builder maxBodyBytes(int bytes) {
            this.maxBodyBytes = positive(bytes, "maxBodyBytes");
            return this;
        }

        /** Largest batch of fixes; default 500. */
        public Builder maxBatchSize(int fixes) {
            this.maxBatchSize = positive(fixes, "maxBatchSize");
            return this;
        }

        /** Per-driver rate limit: {@code messages} requests or frames per {@code window}; default 30 per 10 s. */
        public Builder driverRateLimit(int messages, Duration window) {
            this.driverRateLimit = positive(messages, "driverRateLimit");
            this.driverRateWindow = positive(window, "driverRateWindow");
            return this;
        }

        /** Events an SSE connection may have waiting; default 256. */
        public Builder streamBufferSize(int events) {
            this.streamBufferSize = positive(events, "streamBufferSize");
            return this;
        }

        /** Frames a driver socket may have waiting; default 64. */
        public Builder socketBufferSize(int frames) {
            this.socketBufferSize = positive(frames, "socketBufferSize");
            return this;
        }

        /**
         * How long a customer stream may outlive its order's terminal status before it is a leak; default
         * 30 s. Only used for the registry the servlet builds when none is given.
         */
        public Builder leakGrace(Duration grace) {
            this.leakGrace = positive(grace, "leakGrace");
            return this;
        }

        /** How often leaks are reaped (found, reported and closed); default 30 s. */
        public Builder leakSweepInterval(Duration interval) {
            this.leakSweepInterval = positive(interval, "leakSweepInterval");
            return this;
        }

        /**
         * The most SSE streams (order and restaurant) and driver sockets one subject — the role and id a
         * token is bound to, e.g. one customer's order or one driver — may hold open at once; default 20.
         * One more is refused with 429 {@code too-many-streams} (a socket: an {@code error} frame
         * {@code too_many_streams} and close code 1013) until one of them ends. {@link Integer#MAX_VALUE}
         * turns the cap off.
         *
         * @since 0.1.0
         */
        public Builder maxStreamsPerSubject(int streams) {
            this.maxStreamsPerSubject = positive(streams, "maxStreamsPerSubject");
            return this;
        }

        /**
         * The most SSE streams one client address ({@code request.getRemoteAddr()}) may hold open at once;
         * default 200. One more is refused with 429 {@code too-many-streams} until one of them ends. Behind
         * a reverse proxy every client has the proxy's address: configure the container's forwarded-header
         * handling (Jetty's {@code ForwardedRequestCustomizer}, Tomcat's {@code RemoteIpValve}) so that the
         * servlet sees the client's. {@link Integer#MAX_VALUE} turns the cap off.
         *
         * @since 0.1.0
         */
        public Builder maxStreamsPerAddress(int streams) {
            this.maxStreamsPerAddress = positive(streams, "maxStreamsPerAddress");
            return this;
        }

        /**
         * How many streams one client address may open per {@code window} (a token bucket on the tracker's
         * clock: a burst of {@code opens}, then {@code opens} per window); default 20 per second. One more
         * is refused with 429 {@code rate-limited} and a {@code Retry-After} saying when the next is allowed.
         *
         * @since 0.1.0
         */
        public Builder streamOpenRate(int opens, Duration window) {
            this.streamOpenRate = positive(opens, "streamOpenRate");
            this.streamOpenWindow = positive(window, "streamOpenWindow");
            return this;
        }

        /**
         * The window of {@link TrackingServlet#drain()} and of the drain on JVM shutdown: open streams are
         * sent away in waves over its first two thirds, each told to come back after its own delay, so
         * that every client has reconnected elsewhere before it ends; positive, default 20 s
         * ({@link #DEFAULT_DRAIN_WINDOW}). Keep it below the time your process manager allows between its
         * stop signal and a kill.
         *
         * @since 0.1.0
         */
        public Builder drainWindow(Duration window) {
            this.drainWindow = positive(window, "drainWindow");
            return this;
        }

        /**
         * Whether the servlet drains itself within {@link #drainWindow} when the JVM shuts down (SIGTERM,
         * Ctrl-C, {@code System.exit}): a shutdown hook, registered when the servlet is created and removed
         * when it is closed. Default {@code true}. Turn it off when the host drains the servlet itself on
         * shutdown, as the Spring Boot starter does from its lifecycle.
         *
         * @since 0.1.0
         */
        public Builder drainOnShutdown(boolean enabled) {
            this.drainOnShutdown = enabled;
            return this;
        }

        /**
         * The location pipeline fed by {@code POST /drivers/{id}/locations} and the driver socket; default
         * none (those answer 503 / {@code unavailable}). Register it as a listener of the tracker yourself.
         */
        public Builder locationIngestor(LocationIngestor ingestor) {
            this.locationIngestor = Objects.requireNonNull(ingestor, "locationIngestor must not be null");
            return this;
        }

        /** Where snapshots read the driver's current position and last-seen instant; default none. */
        public Builder locationStore(LocationStore store) {
            this.locationStore = Objects.requireNonNull(store, "locationStore must not be null");
            return this;
        }

        /** Bands of the snapshot's {@code signal}; default {@link StalenessClassifier#defaults()}. */
        public Builder stalenessClassifier(StalenessClassifier classifier) {
            this.stalenessClassifier = Objects.requireNonNull(classifier, "stalenessClassifier must not be null");
            return this;
        }

        /** Estimator of the snapshot's {@code eta_seconds}; default {@link EtaEstimator#greatCircle()}. */
        public Builder etaEstimator(EtaEstimator estimator) {
            this.etaEstimator = Objects.requireNonNull(estimator, "etaEstimator must not be null");
            return this;
        }

        /**
         * The roles whose documents carry {@code power_risk} when the tracker has a power schedule:
         * {@code GET /orders/{id}}, and the snapshot, {@code order_at_risk} events and order list of
         * the restaurant board. Default {@link #DEFAULT_POWER_RISK_ROLES} (restaurant and operator); an
         * empty set shows it to nobody. Without a power schedule no document has the field.
         *
         * @since 0.1.0
         */
        public Builder powerRiskRoles(Set<Role> roles) {
            Objects.requireNonNull(roles, "powerRiskRoles must not be null");
            for (Role role : roles) {
                Objects.requireNonNull(role, "powerRiskRoles must not contain null");
            }
            this.powerRiskRoles = roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles);
            return this;
        }

        /**
         * Registers streams and sockets in the caller's registry (which the caller registers as a tracker
         * listener). By default the servlet builds one on the tracker's clock and repository with
         * {@link #leakGrace}, adds it as a listener of the tracker, and removes it on close.
         */
        public Builder connectionRegistry(ConnectionRegistry registry) {
            this.connectionRegistry = Objects.requireNonNull(registry, "connectionRegistry must not be null");
            return this;
        }

        /**
         * The monitor of restaurants that went dark (never closed by the servlet): a restaurant's board
         * stream opening and each poll of its orders count as its heartbeat ({@link RestaurantPresenceMonitor#seen}),
         * and its offline restaurants' orders carry {@code "restaurant_offline": true} in their snapshots.
         * Give the monitor this servlet's {@link #connectionRegistry connection registry} so that open board
         * streams keep beating. Without it, no heartbeat is recorded and no order is flagged.
         *
         * @since 0.1.0
         */
        public Builder restaurantPresence(RestaurantPresenceMonitor monitor) {
            this.restaurantPresence = Objects.requireNonNull(monitor, "restaurantPresence must not be null");
            return this;
        }

        /**
         * The stuck-order watchdog (never closed by the servlet) whose stuck orders the operators' snapshot
         * lists; without it the list is empty.
         *
         * @since 0.1.0
         */
        public Builder stuckOrders(StuckOrderWatchdog watchdog) {
            this.stuckOrders = Objects.requireNonNull(watchdog, "stuckOrders must not be null");
            return this;
        }

        /**
         * The staleness monitor (never closed by the servlet) whose band counts the operators' view shows;
         * without it the counts are absent ({@code null}).
         *
         * @since 0.1.0
         */
        public Builder stalenessMonitor(StalenessMonitor monitor) {
            this.stalenessMonitor = Objects.requireNonNull(monitor, "stalenessMonitor must not be null");
            return this;
        }

        /**
         * What lists the orders at risk of a power cut, as the {@code order_at_risk} messages that announce
         * them, for the operators' snapshot ({@code at_risk_orders}); called once per snapshot, on a
         * servlet thread, so it must be quick and thread-safe. Default: the tracker's
         * {@link OrderTracker#powerRisks() at-risk orders} when it has a power schedule, otherwise none.
         *
         * @since 0.1.0
         */
        public Builder atRiskOrders(Supplier<? extends Collection<? extends TrackingMessage>> atRiskOrders) {
            this.atRiskOrders = Objects.requireNonNull(atRiskOrders, "atRiskOrders must not be null");
            return this;
        }

        /**
         * Period at which the operators' stream recomputes the node's figures and sends a {@code figures}
         * event when they changed; positive, default 5 seconds.
         *
         * @since 0.1.0
         */
        public Builder operationsRefresh(Duration refresh) {
            this.operationsRefresh = positive(refresh, "operationsRefresh");
            return this;
        }

        /**
         * Runs keep-alives, leak sweeps and gap fills on the caller's scheduler, which the servlet never
         * shuts down; wins over the {@link #resources resources'} scheduler. With neither, the servlet
         * creates two daemon threads and stops them on close.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler must not be null");
            return this;
        }

        /**
         * Runs keep-alives, leak sweeps and gap fills on the scheduler of shared resources, which the
         * servlet never shuts down. A {@link #scheduler} set on this builder wins over the resources'.
         *
         * @throws IllegalStateException if the resources are closed
         * @since 0.1.0
         */
        public Builder resources(TrackingResources resources) {
            Objects.requireNonNull(resources, "resources must not be null");
            if (resources.isClosed()) {
                throw new IllegalStateException("cannot configure a TrackingServlet on closed TrackingResources");
            }
            this.resources = resources;
            return this;
        }

        public TrackingServletConfig build() {
            if (gapFillMaxBackoff.compareTo(gapFillBackoff) < 0) {
                throw new IllegalArgumentException("gapFillMaxBackoff must not be below gapFillBackoff ("
                        + gapFillBackoff + "), but was " + gapFillMaxBackoff);
            }
            return new TrackingServletConfig(this);
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, () -> name + " must not be null");
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, but was " + value);
            }
            return value;
        }

        private static int positive(int value, String name) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, but was " + value);
            }
            return value;
        }
    }
}
