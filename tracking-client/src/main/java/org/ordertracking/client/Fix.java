package org.ordertracking.client;

import java.time.Instant;
import java.util.Objects;

/**
 * One position report of the driver's device, as the app records it.
 *
 * <p>The constructor applies the same checks as the server's shape checks, so a fix the server would
 * refuse for its shape never reaches the journal: finite coordinates in range, not (0, 0), and
 * plausible optional fields. Checks against the server's clock ({@code recorded_in_future},
 * {@code too_old}) and against the previous fix ({@code gps_jump}) can only be made by the server;
 * such rejections reach {@link DriverClientListener#onRejected}.
 *
 * <p>On the wire it is {@code {"lat","lon","accuracy"?,"heading"?,"speed"?,"recorded_at"}}; absent
 * optional fields are left out.
 *
 * @param lat latitude in degrees, finite, in [-90, 90]
 * @param lon longitude in degrees, finite, in [-180, 180]
 * @param accuracy horizontal accuracy in metres, in [0, 10 000], or {@code null}
 * @param heading direction of travel in degrees, in [0, 360), or {@code null}
 * @param speed ground speed in metres per second, in [0, 150], or {@code null}
 * @param recordedAt when the device took the fix (device clock)
 * @throws IllegalArgumentException if a value is out of range, naming the value
 * @since 0.1.0
 */
public record Fix(double lat, double lon, Double accuracy, Double heading, Double speed, Instant recordedAt) {

    /** Largest accepted accuracy radius, in metres (the server's limit). */
    public static final double MAX_ACCURACY_METERS = 10_000;

    /** Largest accepted device-reported speed, in metres per second (the server's limit, 540 km/h). */
    public static final double MAX_SPEED_MPS = 150;

    public Fix {
        if (!Double.isFinite(lat) || lat < -90 || lat > 90 || !Double.isFinite(lon) || lon < -180 || lon > 180) {
            throw new IllegalArgumentException("coordinates must be finite with lat in [-90, 90] and lon in "
                    + "[-180, 180], but were (" + lat + ", " + lon + ")");
        }
        if (lat == 0 && lon == 0) {
            throw new IllegalArgumentException("coordinates (0, 0) are a missing fix");
        }
        if (accuracy != null && !(accuracy >= 0 && accuracy <= MAX_ACCURACY_METERS)) {
            throw new IllegalArgumentException("accuracy must be in [0, " + MAX_ACCURACY_METERS
                    + "] m, but was " + accuracy);
        }
        if (heading != null && !(heading >= 0 && heading < 360)) {
            throw new IllegalArgumentException("heading must be in [0, 360) degrees, but was " + heading);
        }
        if (speed != null && !(speed >= 0 && speed <= MAX_SPEED_MPS)) {
            throw new IllegalArgumentException("speed must be in [0, " + MAX_SPEED_MPS + "] m/s, but was " + speed);
        }
        Objects.requireNonNull(recordedAt, "recordedAt must not be null");
    }

    /** A fix with only a position and the instant it was taken. */
    public static Fix of(double lat, double lon, Instant recordedAt) {
        return new Fix(lat, lon, null, null, null, recordedAt);
    }
}
