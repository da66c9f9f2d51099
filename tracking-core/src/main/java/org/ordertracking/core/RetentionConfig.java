package org.ordertracking.core;

import java.time.Duration;
import java.util.Objects;
import org.ordertracking.core.internal.Checks;

/**
 * When finished orders are let go: the retention policy the {@link OrderTracker} runs. Terminal orders
 * ({@code delivered}, {@code failed}) whose status last changed more than {@link #maxAge()} ago are
 * purged with everything stored for them (the audit trail and outbox rows, the notification claims)
 * by {@link OrderRepository#purgeTerminal}, at most {@link #batchSize()} per batch, every
 * {@link #interval()}. An order that is not terminal is never purged, whatever its age, and neither is
 * a terminal order whose events are not all published yet.
 *
 * <p>Whether it is on by default depends on the repository ({@link OrderRepository#defaultRetention()}):
 * on for the in-memory repository, which would otherwise keep every order for the life of the process;
 * off for {@code JdbcOrderRepository}, because the audit trail in a database may be needed to settle a
 * dispute long after the delivery. Turn it on there with {@link #builder()} and a {@code maxAge} that
 * covers your dispute window.
 *
 * <pre>{@code
 * OrderTracker.builder()
 *         .repository(jdbcRepository)
 *         .retention(RetentionConfig.builder().maxAge(Duration.ofDays(90)).build())
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class RetentionConfig {

    /** Default age of a terminal order (since its last status change) before it is purged: 24 hours. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);

    /** Default number of orders one batch purges (one transaction on JDBC): 500. */
    public static final int DEFAULT_BATCH_SIZE = 500;

    /** Default pause between two purge runs: 1 minute. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

    private static final RetentionConfig DISABLED =
            new RetentionConfig(false, DEFAULT_MAX_AGE, DEFAULT_BATCH_SIZE, DEFAULT_INTERVAL);
    private static final RetentionConfig DEFAULTS =
            new RetentionConfig(true, DEFAULT_MAX_AGE, DEFAULT_BATCH_SIZE, DEFAULT_INTERVAL);

    private final boolean enabled;
    private final Duration maxAge;
    private final int batchSize;
    private final Duration interval;

    private RetentionConfig(boolean enabled, Duration maxAge, int batchSize, Duration interval) {
        this.enabled = enabled;
        this.maxAge = maxAge;
        this.batchSize = batchSize;
        this.interval = interval;
    }

    /** Returns the policy that keeps every order: nothing is ever purged. */
    public static RetentionConfig disabled() {
        return DISABLED;
    }

    /** Returns the policy that purges with every default: orders finished over 24 hours ago, 500 a batch, every minute. */
    public static RetentionConfig defaults() {
        return DEFAULTS;
    }

    /** Returns a builder of an enabled policy, starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns whether terminal orders are purged at all. */
    public boolean enabled() {
        return enabled;
    }

    /** Returns how long after its last status change a terminal order is kept. */
    public Duration maxAge() {
        return maxAge;
    }

    /** Returns the most orders one batch purges. */
    public int batchSize() {
        return batchSize;
    }

    /** Returns the pause between two purge runs. */
    public Duration interval() {
        return interval;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RetentionConfig that && enabled == that.enabled && batchSize == that.batchSize
                && maxAge.equals(that.maxAge) && interval.equals(that.interval);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, maxAge, batchSize, interval);
    }

    @Override
    public String toString() {
        return enabled ? "RetentionConfig[maxAge=" + maxAge + ", batchSize=" + batchSize + ", interval=" + interval + "]"
                : "RetentionConfig[disabled]";
    }

    /**
     * Builds a {@link RetentionConfig}; enabled unless told otherwise. Every value is checked when set,
     * with a message that shows it. Not thread-safe.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private boolean enabled = true;
        private Duration maxAge = DEFAULT_MAX_AGE;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration interval = DEFAULT_INTERVAL;

        private Builder() {
        }

        /** Whether to purge at all; default {@code true} (a builder is how a policy is turned on). */
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /** How long after its last status change a terminal order is kept; positive, default 24 hours. */
        public Builder maxAge(Duration maxAge) {
            this.maxAge = Checks.requirePositive(maxAge, "maxAge");
            return this;
        }

        /** The most orders one batch purges; positive, default 500. */
        public Builder batchSize(int batchSize) {
            this.batchSize = Checks.requirePositive(batchSize, "batchSize");
            return this;
        }

        /** The pause between two purge runs; positive, default 1 minute. */
        public Builder interval(Duration interval) {
            this.interval = Checks.requirePositive(interval, "interval");
            return this;
        }

        /** Returns the policy. */
        public RetentionConfig build() {
            return new RetentionConfig(enabled, maxAge, batchSize, interval);
        }
    }
}
