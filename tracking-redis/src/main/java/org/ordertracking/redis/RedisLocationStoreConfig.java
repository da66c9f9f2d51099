package org.ordertracking.redis;

import java.time.Duration;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.internal.Checks;
import org.ordertracking.redis.internal.RedisChecks;

/**
 * Settings of a {@link RedisLocationStore}. Immutable and thread-safe; build one with {@link #builder()}.
 *
 * @param keyPrefix prepended to every key ({@code tracking:driver:{d-1}:location})
 * @param ttl time-to-live of a driver's position after its last write
 * @param lastSeenRetention how long the last-seen instant is kept after the last write; longer than {@code ttl}
 * @param geoIndex whether writes also maintain a GEO index of drivers for
 *     {@link RedisLocationStore#driversNear}
 * @since 0.1.0
 */
public record RedisLocationStoreConfig(String keyPrefix, Duration ttl, Duration lastSeenRetention, boolean geoIndex) {

    /** Default key prefix: {@value}. */
    public static final String DEFAULT_KEY_PREFIX = "tracking:";
    /** Default time-to-live of a position: {@link LocationStore#DEFAULT_TTL} (30 seconds). */
    public static final Duration DEFAULT_TTL = LocationStore.DEFAULT_TTL;
    /** Default retention of the last-seen instant: {@link LocationStore#DEFAULT_LAST_SEEN_RETENTION} (10 minutes). */
    public static final Duration DEFAULT_LAST_SEEN_RETENTION = LocationStore.DEFAULT_LAST_SEEN_RETENTION;

    /** Default: no GEO index (one write per fix instead of two). */
    public static final boolean DEFAULT_GEO_INDEX = false;

    public RedisLocationStoreConfig {
        RedisChecks.requirePrefix(keyPrefix, "keyPrefix");
        requireMillis(Checks.requirePositive(ttl, "ttl"), "ttl");
        requireMillis(Checks.requirePositive(lastSeenRetention, "lastSeenRetention"), "lastSeenRetention");
        if (lastSeenRetention.compareTo(ttl) <= 0) {
            throw new IllegalArgumentException("lastSeenRetention must be longer than ttl (" + ttl + "), but was "
                    + lastSeenRetention);
        }
    }

    private static void requireMillis(Duration value, String name) {
        if (value.toMillis() < 1) {
            throw new IllegalArgumentException(name + " must be at least 1 ms (Redis expiry precision), but was " + value);
        }
    }

    /** Returns the defaults. */
    public static RedisLocationStoreConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link RedisLocationStoreConfig}; values are checked when set and together on build. Not thread-safe. */
    public static final class Builder {
        private String keyPrefix = DEFAULT_KEY_PREFIX;
        private Duration ttl = DEFAULT_TTL;
        private Duration lastSeenRetention = DEFAULT_LAST_SEEN_RETENTION;
        private boolean geoIndex = DEFAULT_GEO_INDEX;

        private Builder() {
        }

        /** Prefix of every key; default {@value RedisLocationStoreConfig#DEFAULT_KEY_PREFIX}. */
        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = RedisChecks.requirePrefix(keyPrefix, "keyPrefix");
            return this;
        }

        /** Time-to-live of a position; default 30 seconds. */
        public Builder ttl(Duration ttl) {
            this.ttl = Checks.requirePositive(ttl, "ttl");
            return this;
        }

        /** Retention of the last-seen instant; default 10 minutes, must exceed the TTL. */
        public Builder lastSeenRetention(Duration lastSeenRetention) {
            this.lastSeenRetention = Checks.requirePositive(lastSeenRetention, "lastSeenRetention");
            return this;
        }

        /**
         * Also keeps a GEO index of drivers ({@code tracking:drivers:geo}) for
         * {@link RedisLocationStore#driversNear}; default off.
         */
        public Builder geoIndex(boolean geoIndex) {
            this.geoIndex = geoIndex;
            return this;
        }

        public RedisLocationStoreConfig build() {
            return new RedisLocationStoreConfig(keyPrefix, ttl, lastSeenRetention, geoIndex);
        }
    }
}
