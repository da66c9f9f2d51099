package org.ordertracking.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void ceiling_doublesFromTheBase_upToTheCap() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new SplittableRandom(1));
        assertEquals(1_000, b.ceilingMillis(1));
        assertEquals(2_000, b.ceilingMillis(2));
        assertEquals(32_000, b.ceilingMillis(6));
        assertEquals(60_000, b.ceilingMillis(7));
        assertEquals(60_000, b.ceilingMillis(1_000), "no overflow after many failures");
    }

    @Test
    void delays_areFullJitter_uniformOverZeroToTheCeiling() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), new SplittableRandom(42));
        for (int failure = 1; failure <= 12; failure++) {
            long d = b.nextDelayMillis();
            assertTrue(d >= 0 && d <= b.ceilingMillis(failure), "failure " + failure + ": " + d);
        }
        // at the cap: 10,000 delays spread over the whole window, not bunched at its top (no stampede)
        long[] buckets = new long[10];
        for (int i = 0; i < 10_000; i++) {
            buckets[(int) Math.min(9, b.nextDelayMillis() / 1_000)]++;
        }
        for (long n : buckets) {
            assertTrue(n > 800 && n < 1_200, java.util.Arrays.toString(buckets));
        }
    }

    @Test
    void sameSeed_sameDelays_andResetStartsOver() {
        Backoff a = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), new SplittableRandom(7));
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), new SplittableRandom(7));
        for (int i = 0; i < 20; i++) {
            assertEquals(a.nextDelayMillis(), b.nextDelayMillis());
        }
        a.reset();
        assertEquals(0, a.failures());
        assertTrue(a.nextDelayMillis() <= 100, "after a success the window is the base again");
    }
}
