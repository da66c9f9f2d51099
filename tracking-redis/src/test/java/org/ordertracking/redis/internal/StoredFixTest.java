package org.ordertracking.redis.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.LocationFix;

class StoredFixTest {

    private static LocationFix roundTrip(LocationFix fix) {
        return StoredFix.decode(StoredFix.encode(PutIfNewerScript.stamp(fix.recordedAt()), fix));
    }

    @Test
    void encode_documentedExample() {
        Instant recorded = Instant.parse("2026-11-24T10:00:00.123Z");
        LocationFix fix = new LocationFix(33.8938, 35.5018, 8.0, null, null, recorded, Instant.parse("2026-11-24T10:00:00.200Z"));
        assertEquals("31557015962733600123000000" + "33.8938,35.5018,8.0,,,31557015962733600200000000",
                StoredFix.encode(PutIfNewerScript.stamp(recorded), fix));
    }

    @Test
    void roundTrip_everyFieldToTheNanosecond() {
        LocationFix full = new LocationFix(-33.8938123456789, -179.99999999999997, 0.0, 359.9999, 149.5,
                Instant.parse("1969-12-31T23:59:59.999999999Z"), Instant.parse("2026-11-24T10:00:00.000000001Z"));
        assertEquals(full, roundTrip(full));
        LocationFix bare = new LocationFix(90, 180, null, null, null, Instant.EPOCH, Instant.EPOCH);
        assertEquals(bare, roundTrip(bare));
    }

    @Test
    void roundTrip_randomFixes_readBackExactly() {
        Random random = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            Instant recorded = Instant.ofEpochSecond(random.nextInt(2_000_000_000) - 100_000_000L, random.nextInt(1_000_000_000));
            LocationFix fix = new LocationFix(random.nextDouble() * 180 - 90, random.nextDouble() * 360 - 180 + 1e-9,
                    random.nextBoolean() ? random.nextDouble() * 100 : null, random.nextBoolean() ? random.nextDouble() * 359 : null,
                    random.nextBoolean() ? random.nextDouble() * 40 : null, recorded, recorded.plusNanos(random.nextInt(1_000_000)));
            assertEquals(fix, roundTrip(fix));
        }
    }

    @Test
    void stamp_ordersAsTheInstants() {
        Instant[] ordered = {Instant.MIN, Instant.parse("1969-12-31T23:59:59.999999999Z"), Instant.EPOCH,
                Instant.parse("2026-11-24T10:00:00.000000001Z"), Instant.parse("2026-11-24T10:00:00.000000002Z"),
                Instant.parse("2026-11-24T10:00:01Z"), Instant.MAX};
        for (int i = 0; i < ordered.length; i++) {
            String stamp = PutIfNewerScript.stamp(ordered[i]);
            assertEquals(PutIfNewerScript.STAMP_LENGTH, stamp.length());
            assertTrue(stamp.chars().allMatch(Character::isDigit), stamp);
            assertEquals(ordered[i], PutIfNewerScript.instantOf(stamp));
            if (i > 0) {
                assertTrue(PutIfNewerScript.stamp(ordered[i - 1]).compareTo(stamp) < 0, ordered[i - 1] + " < " + ordered[i]);
            }
        }
    }

    @Test
    void decode_garbage_isRefusedNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StoredFix.decode("{\"lat\":1}"));
        assertTrue(e.getMessage().contains("{\"lat\":1}"));
    }
}
