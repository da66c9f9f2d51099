package org.ordertracking.core.internal;

import org.ordertracking.core.Haversine;

/**
 * The location throttle of one order: the position last pushed to its customers, and whether a new
 * position is more than {@code meters} from it.
 *
 * <p>The decision does not run the haversine (six transcendental calls): it compares the squared
 * equirectangular distance, {@code R² · (Δφ² + (Δλ · cos φ₀)²)}, with {@code meters²}, where
 * {@code φ₀} is the latitude of the pushed position and its cosine is computed once, when that
 * position is pushed. Per check that is two subtractions, the antimeridian wrap of Δλ, and four
 * multiplications. Same sphere as {@link Haversine} ({@link Haversine#EARTH_RADIUS_METERS}).
 *
 * <p><b>Error bound.</b> Up to a few tens of metres the equirectangular distance differs from the
 * haversine distance by at most about {@code d · |tan φ₀| · Δφ / 2} (the cosine is taken at the pushed
 * position, not at the midpoint), where {@code Δφ ≤ d / R}: at a 20 m threshold that is under
 * 0.06 mm at 60° latitude and under 0.2 mm at {@value #POLAR_LATITUDE}°. So the decision is exactly
 * the haversine's ({@code Haversine.meters(...) > meters}) except when the haversine distance is
 * within a relative {@value #AGREEMENT_BAND} of the threshold (0.2 mm at 20 m). Positions far away
 * cannot be judged differently: both distances are at least the meridian distance {@code R · |Δφ|},
 * so a disagreement needs {@code |Δφ|} and {@code |Δλ · cos φ₀|} both within the threshold, where the
 * bound holds. Beyond {@value #POLAR_LATITUDE}° (where the cosine changes fast and no delivery
 * happens) the haversine itself decides.
 * {@code PushThrottleTest} checks the agreement at latitudes 0–80° in both hemispheres and across
 * the antimeridian.
 *
 * <p>Not thread-safe: the ingestor uses it under the driver's lock.
 */
public final class PushThrottle {

    /** Relative distance from the threshold within which the decision may differ from the haversine's. */
    public static final double AGREEMENT_BAND = 1e-5;

    /** Above this absolute latitude of the pushed position, the haversine decides. */
    public static final double POLAR_LATITUDE = 80;

    private static final double METERS_PER_DEGREE = Haversine.EARTH_RADIUS_METERS * Math.PI / 180;

    private final double meters;
    /** {@code meters²} in degrees² of latitude, so a check needs no conversion. */
    private final double limitDegreesSquared;
    private boolean pushed;
    private double lat;
    private double lon;
    private double cosLat;

    /** A throttle of {@code meters} with nothing pushed yet. */
    public PushThrottle(double meters) {
        this.meters = meters;
        double degrees = meters / METERS_PER_DEGREE;
        this.limitDegreesSquared = degrees * degrees;
    }

    /**
     * Returns whether a position should be pushed: nothing was pushed yet, or it is more than the
     * throttle's metres from the last pushed position. Coordinates in degrees, validated by the caller.
     */
    public boolean shouldPush(double lat, double lon) {
        return !pushed || isFartherThanLimit(lat, lon);
    }

    /** Records that a position was pushed; the next checks measure from it. */
    public void pushed(double lat, double lon) {
        this.pushed = true;
        this.lat = lat;
        this.lon = lon;
        this.cosLat = Math.cos(Math.toRadians(lat));
    }

    /** Returns whether anything was pushed. */
    public boolean hasPushed() {
        return pushed;
    }

    private boolean isFartherThanLimit(double lat, double lon) {
        if (Math.abs(this.lat) > POLAR_LATITUDE) {
            return Haversine.meters(this.lat, this.lon, lat, lon) > meters;
        }
        double dLat = lat - this.lat;
        double dLon = lon - this.lon;
        if (dLon > 180) {
            dLon -= 360;
        } else if (dLon < -180) {
            dLon += 360;
        }
        double x = dLon * cosLat;
        return dLat * dLat + x * x > limitDegreesSquared;
    }
}
