package org.ordertracking.core;

import java.time.Duration;
import java.util.Objects;
import org.ordertracking.core.internal.Checks;

/**
 * Settings of the {@link LocationIngestor}. Immutable and thread-safe; build one with
 * {@link #builder()}, or use {@link #defaults()}.
 *
 * @since 0.1.0
 */
public final class LocationConfig {

    /** Default largest distance a fix's {@code recordedAt} may lie ahead of server time: 2 minutes. */
    public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofMinutes(2);

    /** Default oldest accepted fix (the horizon of the app's offline buffer): 30 minutes. */
    public static final Duration DEFAULT_MAX_FIX_AGE = Duration.ofMinutes(30);

    /** Default largest plausible speed between two accepted fixes, in km/h: 200. */
    public static final double DEFAULT_MAX_SPEED_KMH = 200;

    /** Default distance a driver must move from the last published position to be published again: 20 m. */
    public static final double DEFAULT_THROTTLE_METERS = 20;

    /**
     * Default time a driver's active orders are cached before they are read again from the
     * repository: 5 seconds. Changes made through the {@link OrderTracker} of this node invalidate
     * the cache at once; this bounds how long a change made on another node goes unseen.
     */
    public static final Duration DEFAULT_DRIVER_ORDERS_TTL = Duration.ofSeconds(5);

    private static final LocationConfig DEFAULTS = builder().build();

    private final Duration maxFutureSkew;
    private final Duration maxFixAge;
    private final double maxSpeedKmh;
    private final double throttleMeters;
    private final Duration driverOrdersTtl;

    private LocationConfig(Builder builder) {
        this.maxFutureSkew = builder.maxFutureSkew;
        this.maxFixAge = builder.maxFixAge;
        this.maxSpeedKmh = builder.maxSpeedKmh;
        this.throttleMeters = builder.throttleMeters;
        this.driverOrdersTtl = builder.driverOrdersTtl;
    }

    /** Returns the configuration with every default. */
    public static LocationConfig defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A fix recorded further than this ahead of server time is rejected as {@link FixRejection#RECORDED_IN_FUTURE}. */
    public Duration maxFutureSkew() {
        return maxFutureSkew;
    }

    /** A fix recorded longer than this ago is rejected as {@link FixRejection#TOO_OLD}. */
    public Duration maxFixAge() {
        return maxFixAge;
    }

    /** A fix implying a higher speed from the previous accepted one is a {@link FixRejection#GPS_JUMP}. */
    public double maxSpeedKmh() {
        return maxSpeedKmh;
    }

    /** A position is published for an order only when further than this from the last one published. */
    public double throttleMeters() {
        return throttleMeters;
    }

    /** How long a driver's active orders are cached. */
    public Duration driverOrdersTtl() {
        return driverOrdersTtl;
    }

    @Override
    public String toString() {
        return "LocationConfig[maxFutureSkew=" + maxFutureSkew + ", maxFixAge=" + maxFixAge + ", maxSpeedKmh="
                + maxSpeedKmh + ", throttleMeters=" + throttleMeters + ", driverOrdersTtl=" + driverOrdersTtl + "]";
    }

    /**
     * Builds a {@link LocationConfig}. Each value is checked when set, with a message that shows it.
     * Not thread-safe.
     */
    public static final class Builder {
        private Duration maxFutureSkew = DEFAULT_MAX_FUTURE_SKEW;
        private Duration maxFixAge = DEFAULT_MAX_FIX_AGE;
        private double maxSpeedKmh = DEFAULT_MAX_SPEED_KMH;
        private double throttleMeters = DEFAULT_THROTTLE_METERS;
        private Duration driverOrdersTtl = DEFAULT_DRIVER_ORDERS_TTL;

        private Builder() {
        }

        /** Allowed clock skew ahead of server time; not negative. Default 2 minutes. */
        public Builder maxFutureSkew(Duration skew) {
            Objects.requireNonNull(skew, "maxFutureSkew must not be null");
            if (skew.isNegative()) {
                throw new IllegalArgumentException("maxFutureSkew must not be negative, but was " + skew);
            }
            this.maxFutureSkew = skew;
            return this;
        }

        /** Oldest accepted fix; positive. Default 30 minutes. */
        public Builder maxFixAge(Duration age) {
            this.maxFixAge = Checks.requirePositive(age, "maxFixAge");
            return this;
        }

        /** Largest plausible speed in km/h; finite and positive. Default 200. */
        public Builder maxSpeedKmh(double kmh) {
            if (!Double.isFinite(kmh) || kmh <= 0) {
                throw new IllegalArgumentException("maxSpeedKmh must be a finite positive number, but was " + kmh);
            }
            this.maxSpeedKmh = kmh;
            return this;
        }

        /** Throttle distance in metres; finite and not negative (0 publishes every move). Default 20. */
        public Builder throttleMeters(double meters) {
            if (!Double.isFinite(meters) || meters < 0) {
                throw new IllegalArgumentException("throttleMeters must be a finite number >= 0, but was " + meters);
            }
            this.throttleMeters = meters;
            return this;
        }

        /** How long a driver's active orders are cached; positive. Default 5 seconds. */
        public Builder driverOrdersTtl(Duration ttl) {
            this.driverOrdersTtl = Checks.requirePositive(ttl, "driverOrdersTtl");
            return this;
        }

        public LocationConfig build() {
            return new LocationConfig(this);
        }
    }
}
