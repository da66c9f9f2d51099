package org.ordertracking.client.internal;

import java.nio.ByteBuffer;
import java.time.Instant;
import org.ordertracking.client.Fix;

/**
 * The journal's binary form of a fix: a flags byte (bit 0 accuracy, 1 heading, 2 speed present),
 * lat and lon as doubles, the present optional fields as doubles, then {@code recordedAt} as epoch
 * seconds (long) and nanos (int). 37 to 61 bytes.
 */
final class FixCodec {
    private FixCodec() {
    }

    static void encode(Fix fix, ByteBuffer out) {
        int flags = (fix.accuracy() != null ? 1 : 0) | (fix.heading() != null ? 2 : 0) | (fix.speed() != null ? 4 : 0);
        out.put((byte) flags);
        out.putDouble(fix.lat());
        out.putDouble(fix.lon());
        if (fix.accuracy() != null) {
            out.putDouble(fix.accuracy());
        }
        if (fix.heading() != null) {
            out.putDouble(fix.heading());
        }
        if (fix.speed() != null) {
            out.putDouble(fix.speed());
        }
        out.putLong(fix.recordedAt().getEpochSecond());
        out.putInt(fix.recordedAt().getNano());
    }

    /** Decodes; throws a RuntimeException on values a {@link Fix} refuses. */
    static Fix decode(ByteBuffer in) {
        int flags = in.get();
        if ((flags & ~7) != 0) {
            throw new IllegalArgumentException("unknown flags " + flags);
        }
        double lat = in.getDouble();
        double lon = in.getDouble();
        Double accuracy = (flags & 1) != 0 ? in.getDouble() : null;
        Double heading = (flags & 2) != 0 ? in.getDouble() : null;
        Double speed = (flags & 4) != 0 ? in.getDouble() : null;
        long seconds = in.getLong();
        int nanos = in.getInt();
        return new Fix(lat, lon, accuracy, heading, speed, Instant.ofEpochSecond(seconds, nanos));
    }
}
