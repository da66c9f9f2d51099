package org.ordertracking.core;

import java.time.Instant;
import java.util.Objects;

/**
 * One position report of a driver's device.
 *
 * <p>The constructor checks what can be checked without a clock and throws
 * {@link InvalidFixException} with the {@link FixRejection} reason: finite coordinates in range,
 * not (0, 0), and plausible optional fields. Checks against the server's time (a fix recorded in
 * the future, or too old) belong to the location pipeline, which has the clock.
 *
 * @param lat latitude in degrees, finite, in [-90, 90]
 * @param lon longitude in degrees, finite, in [-180, 180]
 * @param accuracy horizontal accuracy in metres, in [0, 10 000], or {@code null}
 * @param heading direction of travel in degrees, in [0, 360), or {@code null}
 * @param speed ground speed in metres per second, in [0, 150], or {@code null}
 * @param recordedAt when the device took the fix (device clock)
 * @param receivedAt when the server received it (server clock)
 * @since 0.1.0
 */
public record LocationFix(double lat, double lon, Double accuracy, Double heading, Double speed,
        Instant recordedAt, Instant receivedAt) {

    /** Largest accepted accuracy radius, in metres. */
    public static final double MAX_ACCURACY_METERS = 10_000;

    /** Largest accepted device-reported speed, in metres per second (540 km/h). */
    public static final double MAX_SPEED_MPS = 150;

    public LocationFix {
        if (!Double.isFinite(lat) || lat < -90 || lat > 90 || !Double.isFinite(lon) || lon < -180 || lon > 180) {
            throw new InvalidFixException(FixRejection.INVALID_COORDINATES,
                    "coordinates must be finite with lat in [-90, 90] and lon in [-180, 180], but were ("
                            + lat + ", " + lon + ")");
        }
        if (lat == 0 && lon == 0) {
            throw new InvalidFixException(FixRejection.NULL_ISLAND, "coordinates (0, 0) are a missing fix");
        }
        if (accuracy != null && !(accuracy >= 0 && accuracy <= MAX_ACCURACY_METERS)) {
            throw new InvalidFixException(FixRejection.INVALID_ACCURACY,
                    "accuracy must be in [0, " + MAX_ACCURACY_METERS + "] m, but was " + accuracy);
        }
        if (heading != null && !(heading >= 0 && heading < 360)) {
            throw new InvalidFixException(FixRejection.INVALID_HEADING,
                    "heading must be in [0, 360) degrees, but was " + heading);
        }
        if (speed != null && !(speed >= 0 && speed <= MAX_SPEED_MPS)) {
            throw new InvalidFixException(FixRejection.INVALID_SPEED,
                    "speed must be in [0, " + MAX_SPEED_MPS + "] m/s, but was " + speed);
        }
        if (recordedAt == null) {
            throw new InvalidFixException(FixRejection.MALFORMED, "recordedAt must not be null");
        }
        Objects.requireNonNull(receivedAt, "receivedAt must not be null");
    }

    /** A fix with only a position and the two instants. */
    public static LocationFix of(double lat, double lon, Instant recordedAt, Instant receivedAt) {
        return new LocationFix(lat, lon, null, null, null, recordedAt, receivedAt);
    }

    /** Returns the position as a point. */
    public GeoPoint point() {
        return new GeoPoint(lat, lon);
    }
}
