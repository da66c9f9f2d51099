package org.ordertracking.redis.internal;

import java.time.Instant;
import org.ordertracking.core.LocationFix;

/**
 * The value of a driver's position key: {@code stamp(recordedAt)} then
 * {@code lat,lon,accuracy,heading,speed,stamp(receivedAt)}, an absent optional value left empty, e.g.
 * {@code 31557015962733600123000000}{@code 33.8938,35.5018,8.0,,,31557015962733600200000000}. The
 * leading stamp is what the write script compares ({@link PutIfNewerScript}); numbers are written as
 * {@link Double#toString(double)} writes them, so every value reads back exactly. Cheaper to write and
 * to read than JSON, and still legible in {@code redis-cli}.
 */
public final class StoredFix {
    private StoredFix() {
    }

    /** Returns the position value of {@code fix}, whose recordedAt stamp the caller already made. */
    public static String encode(String recordedStamp, LocationFix fix) {
        StringBuilder value = new StringBuilder(PutIfNewerScript.STAMP_LENGTH * 2 + 64);
        value.append(recordedStamp).append(fix.lat()).append(',').append(fix.lon()).append(',');
        appendNullable(value, fix.accuracy());
        value.append(',');
        appendNullable(value, fix.heading());
        value.append(',');
        appendNullable(value, fix.speed());
        value.append(',');
        return value.append(PutIfNewerScript.stamp(fix.receivedAt())).toString();
    }

    /** Returns the fix of a position value. */
    public static LocationFix decode(String value) {
        int stamp = PutIfNewerScript.STAMP_LENGTH;
        if (value.length() < 2 * stamp + 9) {
            throw new IllegalArgumentException("not a stored position: " + value);
        }
        Instant recordedAt = PutIfNewerScript.instantOf(value);
        int start = stamp;
        double[] numbers = new double[5];
        boolean[] present = new boolean[5];
        for (int i = 0; i < 5; i++) {
            int comma = value.indexOf(',', start);
            if (comma < 0) {
                throw new IllegalArgumentException("not a stored position: " + value);
            }
            if (comma > start) {
                numbers[i] = Double.parseDouble(value.substring(start, comma));
                present[i] = true;
            }
            start = comma + 1;
        }
        if (!present[0] || !present[1] || value.length() - start != stamp) {
            throw new IllegalArgumentException("not a stored position: " + value);
        }
        Instant receivedAt = PutIfNewerScript.instantOf(value.substring(start));
        return new LocationFix(numbers[0], numbers[1], present[2] ? numbers[2] : null, present[3] ? numbers[3] : null,
                present[4] ? numbers[4] : null, recordedAt, receivedAt);
    }

    private static void appendNullable(StringBuilder value, Double number) {
        if (number != null) {
            value.append(number.doubleValue());
        }
    }
}
