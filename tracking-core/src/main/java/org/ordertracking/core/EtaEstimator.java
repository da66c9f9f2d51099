package org.ordertracking.core;

import java.time.Duration;
import org.ordertracking.core.internal.GreatCircleEtaEstimator;

/**
 * Estimates how long a driver needs from a position to an order's destination. The default,
 * {@link #greatCircle()}, multiplies the great-circle distance by a road factor and divides it by
 * an urban speed; integrators plug a routing engine in by implementing this interface.
 *
 * <p>Implementations must be thread-safe and fast: the location pipeline calls {@link #estimate}
 * on the thread that ingests a driver's fix, each time a position is published for an order (at
 * most once per throttle distance). A routing engine behind a network call should answer from a
 * cache and refresh it asynchronously.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface EtaEstimator {

    /** Default ratio of road distance to great-circle distance in a city: 1.4. */
    double DEFAULT_ROAD_FACTOR = 1.4;

    /** Default average driving speed in a city, in km/h: 25. */
    double DEFAULT_URBAN_SPEED_KMH = 25;

    /**
     * Returns the estimated travel time from {@code from} to {@code destination}, or {@code null}
     * when no estimate can be given. Exceptions are logged by the caller and read as unknown.
     */
    Duration estimate(GeoPoint from, GeoPoint destination);

    /** Returns the default estimator with {@link #DEFAULT_ROAD_FACTOR} and {@link #DEFAULT_URBAN_SPEED_KMH}. */
    static EtaEstimator greatCircle() {
        return greatCircle(DEFAULT_ROAD_FACTOR, DEFAULT_URBAN_SPEED_KMH);
    }

    /**
     * Returns an estimator of great-circle distance × {@code roadFactor} ÷ {@code urbanSpeedKmh}.
     *
     * @param roadFactor finite, in [1, 5]
     * @param urbanSpeedKmh finite, in (0, 200]
     * @throws IllegalArgumentException naming the bad value
     */
    static EtaEstimator greatCircle(double roadFactor, double urbanSpeedKmh) {
        return new GreatCircleEtaEstimator(roadFactor, urbanSpeedKmh);
    }
}
