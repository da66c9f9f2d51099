package org.ordertracking.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class MillisTest {
    private static final Instant T = Instant.parse("2026-11-24T10:00:00.123Z");

    @Test
    void exclusiveCutoff_wholeMillisecond_isThatMillisecond() {
        assertEquals(T.toEpochMilli(), Millis.exclusiveCutoff(T));
    }

    @Test
    void exclusiveCutoff_subMillisecond_roundsUpSoTheStoredMillisecondBeforeItCounts() {
        assertEquals(T.toEpochMilli() + 1, Millis.exclusiveCutoff(T.plusNanos(1)));
    }

    @Test
    void exclusiveCutoff_beyondLong_saturates() {
        assertEquals(Long.MAX_VALUE, Millis.exclusiveCutoff(Instant.MAX));
        assertEquals(Long.MIN_VALUE, Millis.exclusiveCutoff(Instant.MIN));
    }

    @Test
    void truncate_dropsSubMillisecondsAndRejectsUnstorableInstants() {
        assertEquals(T, Millis.truncate(T.plusNanos(999_999), "at"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Millis.truncate(Instant.MAX, "at"));
        assertEquals(true, e.getMessage().contains("but was " + Instant.MAX), e.getMessage());
    }
}
