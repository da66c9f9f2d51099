package org.ordertracking.spring.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Every {@code tracking.*} setting of the auto-configuration. Defaults are the library's own
 * ({@code DEFAULT_*} constants of the builders); values are checked when they are bound, so a bad one
 * fails startup with a message naming the property and the value.
 *
 * <p>Not thread-safe while being bound; read-only afterwards.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("tracking")
public class TrackingProperties implements Validator {

    /** Minimum length of {@code tracking.jwt.secret} in bytes (UTF-8): 256 bits for HS256. */
    public static final int MIN_SECRET_BYTES = 32;

    private final Jwt jwt = new Jwt();
    private final Jdbc jdbc = new Jdbc();
    private final Redis redis = new Redis();
    private final Servlet servlet = new Servlet();
    private final Tracker tracker = new Tracker();
    private final Retention retention = new Retention();
    private final Location location = new Location();
    private final Staleness staleness = new Staleness();
    private final Notifications notifications = new Notifications();
    private final Health health = new Health();
    private final Resources resources = new Resources();
    private final Power power = new Power();
    private final Operations operations = new Operations();

    public Jwt getJwt() {
        return jwt;
    }

    public Jdbc getJdbc() {
        return jdbc;
    }

    public Redis getRedis() {
        return redis;
    }

    public Servlet getServlet() {
        return servlet;
    }

    public Tracker getTracker() {
        return tracker;
    }

    public Retention getRetention() {
        return retention;
    }

    public Location getLocation() {
        return location;
    }

    public Staleness getStaleness() {
        return staleness;
    }

    public Notifications getNotifications() {
        return notifications;
    }

    public Health getHealth() {
        return health;
    }

    public Power getPower() {
        return power;
    }

    public Operations getOperations() {
        return operations;
    }

    public Resources getResources() {
        return resources;
    }

    @Override
    public boolean supports(Class<?> type) {
        return TrackingProperties.class.isAssignableFrom(type);
    }

    /**
     * Checks every value; the secret is not checked here but where it is used, so that its failure
     * reaches {@link TrackingSecretFailureAnalyzer} (and an application without the servlet needs none).
     */
    @Override
    public void validate(Object target, Errors errors) {
        TrackingProperties p = (TrackingProperties) target;
        positive(errors, "jwt.trackingTokenTtl", p.jwt.trackingTokenTtl);
        notNegative(errors, "jwt.clockSkew", p.jwt.clockSkew);
        notNegative(errors, "jwt.revocationCacheTtl", p.jwt.revocationCacheTtl);
        if (p.jwt.issuer != null && p.jwt.issuer.isBlank()) {
            errors.rejectValue("jwt.issuer", "tracking.invalid",
                    "must be the iss your tokens carry, e.g. https://auth.example.com, or unset, but was blank");
        }
        if (p.jwt.audience != null && p.jwt.audience.isBlank()) {
            errors.rejectValue("jwt.audience", "tracking.invalid",
                    "must be the aud your tokens name, e.g. tracking, or unset, but was blank");
        }
        if (p.jdbc.tablePrefix == null || !p.jdbc.tablePrefix.matches("[A-Za-z][A-Za-z0-9_]{0,29}")) {
            errors.rejectValue("jdbc.tablePrefix", "tracking.invalid",
                    "must start with a letter and hold at most 30 letters, digits or '_', but was '"
                            + p.jdbc.tablePrefix + "'");
        }
        if (p.redis.url != null && p.redis.url.isBlank()) {
            errors.rejectValue("redis.url", "tracking.invalid",
                    "must be a Redis URI such as redis://127.0.0.1:6379, or unset, but was blank");
        }
        String path = p.servlet.path;
        if (path == null || !path.startsWith("/") || path.endsWith("/") || path.contains("*")
                || path.contains("{")) {
            errors.rejectValue("servlet.path", "tracking.invalid",
                    "must start with '/', not end with '/' and hold no '*' or '{', e.g. /tracking, but was '"
                            + path + "'");
        }
        positive(errors, "servlet.keepAlive", p.servlet.keepAlive);
        positive(errors, "servlet.retry", p.servlet.retry);
        notNegative(errors, "servlet.retryJitter", p.servlet.retryJitter);
        positive(errors, "servlet.maxBodyBytes", p.servlet.maxBodyBytes);
        positive(errors, "servlet.maxBatchSize", p.servlet.maxBatchSize);
        positive(errors, "servlet.driverRateLimit", p.servlet.driverRateLimit);
        positive(errors, "servlet.driverRateWindow", p.servlet.driverRateWindow);
        positive(errors, "servlet.streamBufferSize", p.servlet.streamBufferSize);
        positive(errors, "servlet.socketBufferSize", p.servlet.socketBufferSize);
        positive(errors, "servlet.leakGrace", p.servlet.leakGrace);
        positive(errors, "servlet.leakSweepInterval", p.servlet.leakSweepInterval);
        positive(errors, "servlet.maxStreamsPerSubject", p.servlet.maxStreamsPerSubject);
        positive(errors, "servlet.maxStreamsPerAddress", p.servlet.maxStreamsPerAddress);
        positive(errors, "servlet.streamOpenRate", p.servlet.streamOpenRate);
        positive(errors, "servlet.streamOpenWindow", p.servlet.streamOpenWindow);
        positive(errors, "servlet.drainWindow", p.servlet.drainWindow);
        positive(errors, "tracker.acceptanceTimeout", p.tracker.acceptanceTimeout);
        positive(errors, "tracker.sweepInterval", p.tracker.sweepInterval);
        notNegative(errors, "tracker.relayGrace", p.tracker.relayGrace);
        positive(errors, "retention.maxAge", p.retention.maxAge);
        positive(errors, "retention.batchSize", p.retention.batchSize);
        positive(errors, "retention.interval", p.retention.interval);
        positive(errors, "location.maxFutureSkew", p.location.maxFutureSkew);
        positive(errors, "location.maxFixAge", p.location.maxFixAge);
        if (!(p.location.maxSpeedKmh > 0) || Double.isInfinite(p.location.maxSpeedKmh)) {
            errors.rejectValue("location.maxSpeedKmh", "tracking.invalid",
                    "must be positive and finite, but was " + p.location.maxSpeedKmh);
        }
        if (!(p.location.throttleMeters >= 0) || Double.isInfinite(p.location.throttleMeters)) {
            errors.rejectValue("location.throttleMeters", "tracking.invalid",
                    "must be zero or positive and finite, but was " + p.location.throttleMeters);
        }
        positive(errors, "location.driverOrdersTtl", p.location.driverOrdersTtl);
        positive(errors, "staleness.lowCoverageAfter", p.staleness.lowCoverageAfter);
        positive(errors, "staleness.connectionLostAfter", p.staleness.connectionLostAfter);
        if (p.staleness.lowCoverageAfter != null && p.staleness.connectionLostAfter != null
                && p.staleness.connectionLostAfter.compareTo(p.staleness.lowCoverageAfter) <= 0) {
            errors.rejectValue("staleness.connectionLostAfter", "tracking.invalid",
                    "must be longer than tracking.staleness.low-coverage-after (" + p.staleness.lowCoverageAfter
                            + "), but was " + p.staleness.connectionLostAfter);
        }
        positive(errors, "staleness.interval", p.staleness.interval);
        positive(errors, "staleness.maxDeliveries", p.staleness.maxDeliveries);
        positive(errors, "notifications.arrivingWithin", p.notifications.arrivingWithin);
        positive(errors, "notifications.rearmAbove", p.notifications.rearmAbove);
        if (p.notifications.arrivingWithin != null && p.notifications.rearmAbove != null
                && p.notifications.rearmAbove.compareTo(p.notifications.arrivingWithin) < 0) {
            errors.rejectValue("notifications.rearmAbove", "tracking.invalid",
                    "must not be shorter than tracking.notifications.arriving-within ("
                            + p.notifications.arrivingWithin + "), but was " + p.notifications.rearmAbove);
        }
        positive(errors, "notifications.maxAttempts", p.notifications.maxAttempts);
        positive(errors, "notifications.initialBackoff", p.notifications.initialBackoff);
        positive(errors, "notifications.maxBackoff", p.notifications.maxBackoff);
        positive(errors, "health.outboxBacklogThreshold", p.health.outboxBacklogThreshold);
        notNegative(errors, "power.lead", p.power.lead);
        notNegative(errors, "power.expectedDuration", p.power.expectedDuration);
        positive(errors, "power.riskInterval", p.power.riskInterval);
        notNegative(errors, "power.refreshInterval", p.power.refreshInterval);
        if (p.power.schedule != null && p.power.schedule.isBlank()) {
            errors.rejectValue("power.schedule", "tracking.invalid",
                    "must be the location of a JSON power schedule such as classpath:power-schedule.json or "
                            + "file:/etc/tracking/power-schedule.json, or unset, but was blank");
        }
        positive(errors, "operations.offlineAfter", p.operations.offlineAfter);
        positive(errors, "operations.presenceInterval", p.operations.presenceInterval);
        positive(errors, "operations.heartbeatInterval", p.operations.heartbeatInterval);
        if (p.operations.offlineAfter != null && p.operations.heartbeatInterval != null
                && p.operations.heartbeatInterval.compareTo(p.operations.offlineAfter) >= 0) {
            errors.rejectValue("operations.heartbeatInterval", "tracking.invalid",
                    "must be shorter than tracking.operations.offline-after (" + p.operations.offlineAfter
                            + "), but was " + p.operations.heartbeatInterval);
        }
        positive(errors, "operations.stuckInterval", p.operations.stuckInterval);
        positive(errors, "operations.stuckAccepted", p.operations.stuckAccepted);
        positive(errors, "operations.stuckPreparing", p.operations.stuckPreparing);
        positive(errors, "operations.stuckReady", p.operations.stuckReady);
        positive(errors, "operations.stuckPickedUp", p.operations.stuckPickedUp);
        positive(errors, "operations.refresh", p.operations.refresh);
        if (p.resources.schedulerThreads != null) {
            positive(errors, "resources.schedulerThreads", p.resources.schedulerThreads);
        }
        if (p.resources.deliveryThreads != null) {
            positive(errors, "resources.deliveryThreads", p.resources.deliveryThreads);
        }
    }

    private static void positive(Errors errors, String field, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            errors.rejectValue(field, "tracking.positive", "must be positive, but was " + value);
        }
    }

    private static void notNegative(Errors errors, String field, Duration value) {
        if (value == null || value.isNegative()) {
            errors.rejectValue(field, "tracking.notNegative", "must be zero or positive, but was " + value);
        }
    }

    private static void positive(Errors errors, String field, long value) {
        if (value <= 0) {
            errors.rejectValue(field, "tracking.positive", "must be positive, but was " + value);
        }
    }

    /** Token settings. */
    public static class Jwt {
        /**
         * HS256 secret that signs and checks every token, at least 32 bytes; required when the servlet
         * is enabled. Set it from the environment (TRACKING_JWT_SECRET), never in a committed file.
         */
        private String secret;

        /** Lifetime of the tracking_token returned by POST /orders. */
        private Duration trackingTokenTtl = Duration.ofHours(24);

        /** Tolerance for the exp and nbf claims of incoming tokens. */
        private Duration clockSkew = Duration.ZERO;

        /**
         * When set, incoming tokens must carry this iss claim (else 401), and the tokens the starter's
         * JwtIssuer mints (the tracking_token of POST /orders among them) carry it. Unset: iss is not
         * checked and not written.
         */
        private String issuer;

        /**
         * When set, incoming tokens must name this audience in their aud claim, a string or an array
         * holding it (else 401), and the tokens the starter's JwtIssuer mints carry it. Unset: aud is not
         * checked and not written.
         */
        private String audience;

        /**
         * How long the answer of the TokenRevocation bean is remembered per token id (jti), so a
         * deny-list is asked about a token about once per period; 0 asks on every request. Only used
         * when the application declares a TokenRevocation bean.
         */
        private Duration revocationCacheTtl = Duration.ofSeconds(30);

        /**
         * Whether tokens without a jti claim are refused (401). Tokens minted by JwtIssuer always carry
         * one; a token without it can never be revoked by a TokenRevocation bean.
         */
        private boolean requireTokenId;

        public String getSecret() {
            return secret;
        }

        public void setSecret(String secret) {
            this.secret = secret;
        }

        public Duration getTrackingTokenTtl() {
            return trackingTokenTtl;
        }

        public void setTrackingTokenTtl(Duration trackingTokenTtl) {
            this.trackingTokenTtl = trackingTokenTtl;
        }

        public Duration getClockSkew() {
            return clockSkew;
        }

        public void setClockSkew(Duration clockSkew) {
            this.clockSkew = clockSkew;
        }

        public String getIssuer() {
            return issuer;
        }

        public void setIssuer(String issuer) {
            this.issuer = issuer;
        }

        public String getAudience() {
            return audience;
        }

        public void setAudience(String audience) {
            this.audience = audience;
        }

        public Duration getRevocationCacheTtl() {
            return revocationCacheTtl;
        }

        public void setRevocationCacheTtl(Duration revocationCacheTtl) {
            this.revocationCacheTtl = revocationCacheTtl;
        }

        public boolean isRequireTokenId() {
            return requireTokenId;
        }

        public void setRequireTokenId(boolean requireTokenId) {
            this.requireTokenId = requireTokenId;
        }

        /** The secret's length in UTF-8 bytes, 0 when unset. */
        int secretBytes() {
            return secret == null ? 0 : secret.getBytes(StandardCharsets.UTF_8).length;
        }

        @Override
        public String toString() {
            return "Jwt[secret=" + (secret == null ? "unset" : "(" + secretBytes() + " bytes)") + ", trackingTokenTtl="
                    + trackingTokenTtl + ", clockSkew=" + clockSkew + ", issuer=" + issuer + ", audience=" + audience
                    + ", revocationCacheTtl=" + revocationCacheTtl + ", requireTokenId=" + requireTokenId + "]";
        }
    }

    /** When the tracking tables are created on the application's DataSource. */
    public enum SchemaInitialization {
        /** Always apply the migrations at startup (idempotent, safe from many nodes). */
        ALWAYS,
        /** Only on an embedded database (H2, HSQLDB, Derby). */
        EMBEDDED,
        /** Never: the tables come from Flyway, Liquibase or a DBA. */
        NEVER
    }

    /** Orders in the application's DataSource. */
    public static class Jdbc {
        /**
         * Whether to create or upgrade the tracking tables at startup: always, embedded (only on H2,
         * HSQLDB or Derby) or never (Flyway users point Flyway at
         * classpath:db/migration/tracking/{postgresql,mariadb,h2} instead).
         */
        private SchemaInitialization initializeSchema = SchemaInitialization.EMBEDDED;

        /** Prefix of the tracking tables. */
        private String tablePrefix = "tracking_";

        public SchemaInitialization getInitializeSchema() {
            return initializeSchema;
        }

        public void setInitializeSchema(SchemaInitialization initializeSchema) {
            this.initializeSchema = initializeSchema;
        }

        public String getTablePrefix() {
            return tablePrefix;
        }

        public void setTablePrefix(String tablePrefix) {
            this.tablePrefix = tablePrefix;
        }
    }

    /** Events and driver positions in Redis. */
    public static class Redis {
        /**
         * Redis URI (redis://, rediss://, with credentials if needed); for a Cluster, one or more node
         * URIs separated by commas, with tracking.redis.cluster=true. Unset: in-memory bus and store,
         * unless the application has a Lettuce RedisClient or RedisClusterClient bean.
         */
        private String url;

        /** Whether tracking.redis.url names a Redis Cluster (sharded Pub/Sub, Redis 7+). */
        private boolean cluster = false;

        /** Prefix of every Pub/Sub channel of the bus. */
        private String channelPrefix = "tracking:";

        /** Prefix of every key of the location store. */
        private String keyPrefix = "tracking:";

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public boolean isCluster() {
            return cluster;
        }

        public void setCluster(boolean cluster) {
            this.cluster = cluster;
        }

        public String getChannelPrefix() {
            return channelPrefix;
        }

        public void setChannelPrefix(String channelPrefix) {
            this.channelPrefix = channelPrefix;
        }

        public String getKeyPrefix() {
            return keyPrefix;
        }

        public void setKeyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }

        @Override
        public String toString() {
            // the URL may hold a password
            return "Redis[url=" + (url == null ? "unset" : "(set)") + ", cluster=" + cluster + "]";
        }
    }

    /** The HTTP surface on the embedded servlet container. */
    public static class Servlet {
        /** Whether to register the tracking servlet and the driver socket. */
        private boolean enabled = true;

        /** Base path of the tracking endpoints. */
        private String path = "/tracking";

        /** Whether to register the driver WebSocket at {path}/drivers/{driver_id}/socket. */
        private boolean driverSocket = true;

        /** Interval of SSE keep-alive comments. */
        private Duration keepAlive = Duration.ofSeconds(15);

        /** Shortest reconnect delay sent to SSE clients (the retry field); each stream adds a random part. */
        private Duration retry = Duration.ofMillis(3000);

        /** Largest random part added to each stream's retry, so reconnects after a restart are spread. */
        private Duration retryJitter = Duration.ofSeconds(5);

        /** Largest request body accepted, in bytes. */
        private int maxBodyBytes = 524288;

        /** Most fixes in one driver batch. */
        private int maxBatchSize = 500;

        /** Messages a driver may send per rate window. */
        private int driverRateLimit = 30;

        /** Window of the driver rate limit. */
        private Duration driverRateWindow = Duration.ofSeconds(10);

        /** Events buffered per SSE stream before a slow client is disconnected. */
        private int streamBufferSize = 256;

        /** Frames buffered per driver socket. */
        private int socketBufferSize = 64;

        /** How long a stream may stay open after its order ended before it counts as a leak and is closed. */
        private Duration leakGrace = Duration.ofSeconds(30);

        /** Interval of the leak sweep. */
        private Duration leakSweepInterval = Duration.ofSeconds(30);

        /** Most SSE streams and driver sockets one token subject may hold open; one more is answered 429. */
        private int maxStreamsPerSubject = 20;

        /** Most SSE streams one client address may hold open; behind a proxy, configure forwarded headers. */
        private int maxStreamsPerAddress = 200;

        /** Stream opens one client address may make per stream-open-window; one more is answered 429. */
        private int streamOpenRate = 20;

        /** Window of the stream open rate. */
        private Duration streamOpenWindow = Duration.ofSeconds(1);

        /** Window of the planned drain at shutdown: streams are sent away in waves over it, then the web server stops. */
        private Duration drainWindow = Duration.ofSeconds(20);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public boolean isDriverSocket() {
            return driverSocket;
        }

        public void setDriverSocket(boolean driverSocket) {
            this.driverSocket = driverSocket;
        }

        public Duration getKeepAlive() {
            return keepAlive;
        }

        public void setKeepAlive(Duration keepAlive) {
            this.keepAlive = keepAlive;
        }

        public Duration getRetry() {
            return retry;
        }

        public void setRetry(Duration retry) {
            this.retry = retry;
        }

        public Duration getRetryJitter() {
            return retryJitter;
        }

        public void setRetryJitter(Duration retryJitter) {
            this.retryJitter = retryJitter;
        }

        public int getMaxBodyBytes() {
            return maxBodyBytes;
        }

        public void setMaxBodyBytes(int maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
        }

        public int getMaxBatchSize() {
            return maxBatchSize;
        }

        public void setMaxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
        }

        public int getDriverRateLimit() {
            return driverRateLimit;
        }

        public void setDriverRateLimit(int driverRateLimit) {
            this.driverRateLimit = driverRateLimit;
        }

        public Duration getDriverRateWindow() {
            return driverRateWindow;
        }

        public void setDriverRateWindow(Duration driverRateWindow) {
            this.driverRateWindow = driverRateWindow;
        }

        public int getStreamBufferSize() {
            return streamBufferSize;
        }

        public void setStreamBufferSize(int streamBufferSize) {
            this.streamBufferSize = streamBufferSize;
        }

        public int getSocketBufferSize() {
            return socketBufferSize;
        }

        public void setSocketBufferSize(int socketBufferSize) {
            this.socketBufferSize = socketBufferSize;
        }

        public Duration getLeakGrace() {
            return leakGrace;
        }

        public void setLeakGrace(Duration leakGrace) {
            this.leakGrace = leakGrace;
        }

        public Duration getLeakSweepInterval() {
            return leakSweepInterval;
        }

        public void setLeakSweepInterval(Duration leakSweepInterval) {
            this.leakSweepInterval = leakSweepInterval;
        }

        public int getMaxStreamsPerSubject() {
            return maxStreamsPerSubject;
        }

        public void setMaxStreamsPerSubject(int maxStreamsPerSubject) {
            this.maxStreamsPerSubject = maxStreamsPerSubject;
        }

        public int getMaxStreamsPerAddress() {
            return maxStreamsPerAddress;
        }

        public void setMaxStreamsPerAddress(int maxStreamsPerAddress) {
            this.maxStreamsPerAddress = maxStreamsPerAddress;
        }

        public int getStreamOpenRate() {
            return streamOpenRate;
        }

        public void setStreamOpenRate(int streamOpenRate) {
            this.streamOpenRate = streamOpenRate;
        }

        public Duration getStreamOpenWindow() {
            return streamOpenWindow;
        }

        public void setStreamOpenWindow(Duration streamOpenWindow) {
            this.streamOpenWindow = streamOpenWindow;
        }

        public Duration getDrainWindow() {
            return drainWindow;
        }

        public void setDrainWindow(Duration drainWindow) {
            this.drainWindow = drainWindow;
        }

        /** The driver socket's path below {@link #getPath()}. */
        String driverSocketPath() {
            return path + "/drivers/{driver_id}/socket";
        }
    }

    /**
     * The threads every tracking bean shares (one {@code TrackingResources}): unset sizes take the
     * library's defaults, {@code TrackingResources.DEFAULT_SCHEDULER_THREADS} and
     * {@code DEFAULT_DELIVERY_THREADS} (one per processor, at least two). Not used when the
     * application declares its own {@code TrackingResources} bean.
     */
    public static class Resources {
        /**
         * Threads of the one scheduler pool (outbox relay, acceptance sweep, staleness checks, push retries,
         * keep-alives, leak sweeps). Unset: one per processor, at least two.
         */
        private Integer schedulerThreads;

        /**
         * Threads of the one pool that delivers bus events to listeners and streams. Unset: one per
         * processor, at least two.
         */
        private Integer deliveryThreads;

        public Integer getSchedulerThreads() {
            return schedulerThreads;
        }

        public void setSchedulerThreads(Integer schedulerThreads) {
            this.schedulerThreads = schedulerThreads;
        }

        public Integer getDeliveryThreads() {
            return deliveryThreads;
        }

        public void setDeliveryThreads(Integer deliveryThreads) {
            this.deliveryThreads = deliveryThreads;
        }
    }

    /** The power-cut schedule and when an order counts as at risk of a cut (docs/operations.md). */
    public static class Power {
        /**
         * Location of a JSON power schedule (classpath:…, file:…): areas with daily and one-off cut windows
         * and the area of each restaurant. Unset: no schedule, unless tracking.power.jdbc is true or the
         * application has a PowerSchedule bean.
         */
        private String schedule;

        /**
         * Whether the schedule lives in the database (JdbcPowerSchedule, migration 3), so every node sees the
         * same one; tracking.power.schedule, when set, is written into it at startup.
         */
        private boolean jdbc = false;

        /** How long after an order's placement a cut's start makes it at risk (placed_before_cut). */
        private Duration lead = Duration.ofMinutes(10);

        /** Expected preparation and delivery time: a cut starting within it makes an order at risk. */
        private Duration expectedDuration = Duration.ofMinutes(45);

        /** Period of the sweep that recounts at-risk orders and announces those the schedule put at risk later. */
        private Duration riskInterval = Duration.ofSeconds(30);

        /** Longest age of the database schedule a node answers with (tracking.power.jdbc). */
        private Duration refreshInterval = Duration.ofSeconds(10);

        public String getSchedule() {
            return schedule;
        }

        public void setSchedule(String schedule) {
            this.schedule = schedule;
        }

        public boolean isJdbc() {
            return jdbc;
        }

        public void setJdbc(boolean jdbc) {
            this.jdbc = jdbc;
        }

        public Duration getLead() {
            return lead;
        }

        public void setLead(Duration lead) {
            this.lead = lead;
        }

        public Duration getExpectedDuration() {
            return expectedDuration;
        }

        public void setExpectedDuration(Duration expectedDuration) {
            this.expectedDuration = expectedDuration;
        }

        public Duration getRiskInterval() {
            return riskInterval;
        }

        public void setRiskInterval(Duration riskInterval) {
            this.riskInterval = riskInterval;
        }

        public Duration getRefreshInterval() {
            return refreshInterval;
        }

        public void setRefreshInterval(Duration refreshInterval) {
            this.refreshInterval = refreshInterval;
        }
    }

    /** The order tracker's background work. */
    public static class Tracker {
        /** How long an order may stay received before it fails with acceptance_timeout. */
        private Duration acceptanceTimeout = Duration.ofMinutes(5);

        /** Period of the acceptance sweep and the outbox relay. */
        private Duration sweepInterval = Duration.ofSeconds(5);

        /** Age an unpublished event must reach before the outbox relay publishes it. */
        private Duration relayGrace = Duration.ofSeconds(10);

        public Duration getAcceptanceTimeout() {
            return acceptanceTimeout;
        }

        public void setAcceptanceTimeout(Duration acceptanceTimeout) {
            this.acceptanceTimeout = acceptanceTimeout;
        }

        public Duration getSweepInterval() {
            return sweepInterval;
        }

        public void setSweepInterval(Duration sweepInterval) {
            this.sweepInterval = sweepInterval;
        }

        public Duration getRelayGrace() {
            return relayGrace;
        }

        public void setRelayGrace(Duration relayGrace) {
            this.relayGrace = relayGrace;
        }
    }

    /**
     * When finished orders are purged (the retention policy). Off by default on a database, whose audit
     * trail may be needed for disputes; on by default with the in-memory repository.
     */
    public static class Retention {
        /**
         * Whether terminal orders older than max-age are purged with their audit trail, outbox rows and
         * notification claims. Unset: the repository's default, off for JDBC (the audit trail may be
         * needed for disputes) and on for the in-memory repository.
         */
        private Boolean enabled;

        /** How long after its last status change a delivered or failed order is kept. */
        private Duration maxAge = Duration.ofHours(24);

        /** Most orders one purge batch (one transaction) removes. */
        private int batchSize = 500;

        /** Pause between two purge runs; each run takes at most 10 batches. */
        private Duration interval = Duration.ofMinutes(1);

        public Boolean getEnabled() {
            return enabled;
        }

        public void setEnabled(Boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getMaxAge() {
            return maxAge;
        }

        public void setMaxAge(Duration maxAge) {
            this.maxAge = maxAge;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }
    }

    /** Validation and throttling of driver fixes. */
    public static class Location {
        /** How far in the future a fix's timestamp may be. */
        private Duration maxFutureSkew = Duration.ofMinutes(2);

        /** Oldest fix accepted (offline buffers flush late). */
        private Duration maxFixAge = Duration.ofMinutes(30);

        /** Fastest plausible speed between two fixes, in km/h. */
        private double maxSpeedKmh = 200;

        /** Smallest move, in meters, that is published to customers. */
        private double throttleMeters = 20;

        /** How long a driver's active orders are cached by the ingestor. */
        private Duration driverOrdersTtl = Duration.ofSeconds(5);

        public Duration getMaxFutureSkew() {
            return maxFutureSkew;
        }

        public void setMaxFutureSkew(Duration maxFutureSkew) {
            this.maxFutureSkew = maxFutureSkew;
        }

        public Duration getMaxFixAge() {
            return maxFixAge;
        }

        public void setMaxFixAge(Duration maxFixAge) {
            this.maxFixAge = maxFixAge;
        }

        public double getMaxSpeedKmh() {
            return maxSpeedKmh;
        }

        public void setMaxSpeedKmh(double maxSpeedKmh) {
            this.maxSpeedKmh = maxSpeedKmh;
        }

        public double getThrottleMeters() {
            return throttleMeters;
        }

        public void setThrottleMeters(double throttleMeters) {
            this.throttleMeters = throttleMeters;
        }

        public Duration getDriverOrdersTtl() {
            return driverOrdersTtl;
        }

        public void setDriverOrdersTtl(Duration driverOrdersTtl) {
            this.driverOrdersTtl = driverOrdersTtl;
        }
    }

    /** The operators' watch: restaurants that go dark, stuck orders, the operators' stream. */
    public static class Operations {
        /** Silence after which a restaurant with waiting orders is offline. */
        private Duration offlineAfter = Duration.ofMinutes(3);

        /** Interval of the restaurant presence check. */
        private Duration presenceInterval = Duration.ofSeconds(15);

        /** Least time between two writes of one restaurant's sign of life by this node. */
        private Duration heartbeatInterval = Duration.ofSeconds(30);

        /** Interval of the stuck-order check. */
        private Duration stuckInterval = Duration.ofSeconds(30);

        /** Longest time an order may stay accepted before it is stuck. */
        private Duration stuckAccepted = Duration.ofMinutes(10);

        /** Longest time an order may stay preparing before it is stuck. */
        private Duration stuckPreparing = Duration.ofMinutes(45);

        /** Longest time an order may stay ready before it is stuck. */
        private Duration stuckReady = Duration.ofMinutes(15);

        /** Longest time an order may stay picked up before it is stuck. */
        private Duration stuckPickedUp = Duration.ofMinutes(60);

        /** Period of the operators' stream's figures. */
        private Duration refresh = Duration.ofSeconds(5);

        public Duration getOfflineAfter() {
            return offlineAfter;
        }

        public void setOfflineAfter(Duration offlineAfter) {
            this.offlineAfter = offlineAfter;
        }

        public Duration getPresenceInterval() {
            return presenceInterval;
        }

        public void setPresenceInterval(Duration presenceInterval) {
            this.presenceInterval = presenceInterval;
        }

        public Duration getHeartbeatInterval() {
            return heartbeatInterval;
        }

        public void setHeartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
        }

        public Duration getStuckInterval() {
            return stuckInterval;
        }

        public void setStuckInterval(Duration stuckInterval) {
            this.stuckInterval = stuckInterval;
        }

        public Duration getStuckAccepted() {
            return stuckAccepted;
        }

        public void setStuckAccepted(Duration stuckAccepted) {
            this.stuckAccepted = stuckAccepted;
        }

        public Duration getStuckPreparing() {
            return stuckPreparing;
        }

        public void setStuckPreparing(Duration stuckPreparing) {
            this.stuckPreparing = stuckPreparing;
        }

        public Duration getStuckReady() {
            return stuckReady;
        }

        public void setStuckReady(Duration stuckReady) {
            this.stuckReady = stuckReady;
        }

        public Duration getStuckPickedUp() {
            return stuckPickedUp;
        }

        public void setStuckPickedUp(Duration stuckPickedUp) {
            this.stuckPickedUp = stuckPickedUp;
        }

        public Duration getRefresh() {
            return refresh;
        }

        public void setRefresh(Duration refresh) {
            this.refresh = refresh;
        }
    }

    /** Signal bands of deliveries whose driver went quiet. */
    public static class Staleness {
        /** Silence after which a delivery's signal is low_coverage. */
        private Duration lowCoverageAfter = Duration.ofSeconds(30);

        /** Silence after which a delivery's signal is connection_lost. */
        private Duration connectionLostAfter = Duration.ofMinutes(2);

        /** Interval of the staleness check. */
        private Duration interval = Duration.ofSeconds(1);

        /** Most deliveries classified per check. */
        private int maxDeliveries = 10000;

        public Duration getLowCoverageAfter() {
            return lowCoverageAfter;
        }

        public void setLowCoverageAfter(Duration lowCoverageAfter) {
            this.lowCoverageAfter = lowCoverageAfter;
        }

        public Duration getConnectionLostAfter() {
            return connectionLostAfter;
        }

        public void setConnectionLostAfter(Duration connectionLostAfter) {
            this.connectionLostAfter = connectionLostAfter;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public int getMaxDeliveries() {
            return maxDeliveries;
        }

        public void setMaxDeliveries(int maxDeliveries) {
            this.maxDeliveries = maxDeliveries;
        }
    }

    /** Push notifications through the application's PushNotifier bean. */
    public static class Notifications {
        /** ETA at or under which the arriving push is sent. */
        private Duration arrivingWithin = Duration.ofMinutes(5);

        /** ETA above which the arriving push may fire again. */
        private Duration rearmAbove = Duration.ofMinutes(6);

        /** Attempts per push before it is given up. */
        private int maxAttempts = 5;

        /** Delay before the first retry; doubles per attempt. */
        private Duration initialBackoff = Duration.ofSeconds(1);

        /** Longest delay between retries. */
        private Duration maxBackoff = Duration.ofMinutes(1);

        public Duration getArrivingWithin() {
            return arrivingWithin;
        }

        public void setArrivingWithin(Duration arrivingWithin) {
            this.arrivingWithin = arrivingWithin;
        }

        public Duration getRearmAbove() {
            return rearmAbove;
        }

        public void setRearmAbove(Duration rearmAbove) {
            this.rearmAbove = rearmAbove;
        }

        public int getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public Duration getInitialBackoff() {
            return initialBackoff;
        }

        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        public Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }
    }

    /** The Actuator health indicator. */
    public static class Health {
        /** Unpublished outbox events at or above which the tracking health is down. */
        private long outboxBacklogThreshold = 1000;

        public long getOutboxBacklogThreshold() {
            return outboxBacklogThreshold;
        }

        public void setOutboxBacklogThreshold(long outboxBacklogThreshold) {
            this.outboxBacklogThreshold = outboxBacklogThreshold;
        }
    }
}
