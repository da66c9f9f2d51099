package org.ordertracking.benchmarks.load;

import org.ordertracking.core.Haversine;

/**
 * The simulated drivers' routes in the realistic mix: driver {@code d} starts on its own point of a
 * grid over Beirut (about 220 m apart) and drives due north {@code stepMeters} per fix, so every fix is
 * {@code stepMeters} from the one before. The tracker publishes a position only when it is more than
 * its throttle distance (20 m by default) from the last one published for the order, so a step above
 * that is published every time, a step below it only every few fixes.
 */
final class Trace {
    /** Metres per degree of latitude on the sphere {@link Haversine} uses. */
    static final double METERS_PER_DEGREE_LAT = Haversine.EARTH_RADIUS_METERS * Math.PI / 180;
    private static final int COLUMNS = 200;
    private static final double GRID_DEGREES = 0.002;

    private Trace() {
    }

    /** Latitude of driver {@code d}'s {@code fix}-th fix (from 0). */
    static double lat(int d, long fix, double stepMeters) {
        return 33.70 + (d % COLUMNS) * GRID_DEGREES + fix * stepMeters / METERS_PER_DEGREE_LAT;
    }

    /** Longitude of driver {@code d}'s fixes (the routes run due north). */
    static double lon(int d) {
        return 35.40 + (d / COLUMNS) * GRID_DEGREES;
    }

    /**
     * How many of a driver's first {@code fixes} fixes the throttle publishes: the first, then each one
     * more than {@code throttleMeters} from the last published; what the mix expects when every order
     * stays picked up.
     */
    static long expectedPublished(long fixes, double stepMeters, double throttleMeters) {
        if (fixes <= 0) {
            return 0;
        }
        if (stepMeters <= 0) {
            return 1;
        }
        // the k-th fix after a published one is k * step away: published at the first k with k * step > throttle
        long every = (long) Math.floor(throttleMeters / stepMeters) + 1;
        return 1 + (fixes - 1) / every;
    }
}
