package org.ordertracking.servlet;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import org.ordertracking.core.OrderTracker;

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
    /** Default reconnection delay sent to {@code EventSource} clients as {@code retry:}: 3 seconds. */
    public static final Duration DEFAULT_RETRY = Duration.ofMillis(3000);
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
    /** Default time a stream may stay open after its order became terminal before it counts as a leak: 1 minute. */
    public static final Duration DEFAULT_LEAK_GRACE = Duration.ofMinutes(1);
    /** Default validity of the customer {@code tracking_token} issued by {@code POST /orders}: 24 hours. */
    public static final Duration DEFAULT_TRACKING_TOKEN_TTL = Duration.ofHours(24);

    private final OrderTracker tracker;
    private final Authorizer authorizer;
    private final JwtIssuer trackingTokens;
    private final Duration trackingTokenTtl;
    private final Duration keepAlive;
    private final Duration retry;
    private final int maxBodyBytes;
    private final int maxBatchSize;
    private final int driverRateLimit;
    private final Duration driverRateWindow;
    private final int streamBufferSize;
    private final int socketBufferSize;
    private final Duration leakGrace;
    private final ScheduledExecutorService scheduler;

    private TrackingServletConfig(Builder b) {
        this.tracker = b.tracker;
        this.authorizer = b.authorizer;
        this.trackingTokens = b.trackingTokens;
        this.trackingTokenTtl = b.trackingTokenTtl;
        this.keepAlive = b.keepAlive;
        this.retry = b.retry;
        this.maxBodyBytes = b.maxBodyBytes;
        this.maxBatchSize = b.maxBatchSize;
        this.driverRateLimit = b.driverRateLimit;
        this.driverRateWindow = b.driverRateWindow;
        this.streamBufferSize = b.streamBufferSize;
        this.socketBufferSize = b.socketBufferSize;
        this.leakGrace = b.leakGrace;
        this.scheduler = b.scheduler;
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

    public Duration retry() {
        return retry;
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

    /** Returns the caller's scheduler, or {@code null} if the servlet creates (and stops) its own. */
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
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private int driverRateLimit = DEFAULT_DRIVER_RATE_LIMIT;
        private Duration driverRateWindow = DEFAULT_DRIVER_RATE_WINDOW;
        private int streamBufferSize = DEFAULT_STREAM_BUFFER;
        private int socketBufferSize = DEFAULT_SOCKET_BUFFER;
        private Duration leakGrace = DEFAULT_LEAK_GRACE;
        private ScheduledExecutorService scheduler;

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

        /** The {@code retry:} sent first on every stream; default 3000 ms. */
        public Builder retry(Duration retry) {
            this.retry = positive(retry, "retry");
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

        /** How long a stream may outlive its order's terminal status before it is a leak; default 1 minute. */
        public Builder leakGrace(Duration grace) {
            this.leakGrace = positive(grace, "leakGrace");
            return this;
        }

        /**
         * Runs keep-alives, leak sweeps and gap fills on the caller's scheduler, which the servlet never
         * shuts down. By default the servlet creates two daemon threads and stops them on close.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler must not be null");
            return this;
        }

        public TrackingServletConfig build() {
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
