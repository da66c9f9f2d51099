package org.ordertracking.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.ordertracking.test.SettableClock;

class RateLimiterTest {
    private final SettableClock clock = SettableClock.at("2026-01-01T00:00:00Z");

    @Test
    void tryAcquire_beyondPermits_isRefusedWithTheWaitUntilTheNextPermit() {
        RateLimiter limiter = new RateLimiter(clock, 2, Duration.ofSeconds(1));
        assertEquals(0, limiter.tryAcquire("a"));
        assertEquals(0, limiter.tryAcquire("a"));
        assertEquals(500, limiter.tryAcquire("a"));
        assertEquals(0, limiter.tryAcquire("b"), "each key has its own bucket");
        clock.advance(Duration.ofMillis(500));
        assertEquals(0, limiter.tryAcquire("a"));
    }

    @Test
    void tryAcquire_manyDistinctKeys_keepsTheMapBoundedAndExaminesAtMostTwoBucketsPerCall() {
        RateLimiter limiter = new RateLimiter(clock, 5, Duration.ofSeconds(1));
        int calls = 200_000;
        int maxSize = 0;
        for (int i = 0; i < calls; i++) {
            clock.advance(Duration.ofMillis(1));   // 1,000 new keys per window, each used once
            long before = limiter.examined();
            limiter.tryAcquire("client-" + i);
            assertTrue(limiter.examined() - before <= RateLimiter.SWEEP_STEP, "a call examined more than two buckets");
            maxSize = Math.max(maxSize, limiter.size());
        }
        // a key refills one window after its use; the cursor finds it within one more pass
        assertTrue(maxSize <= 3 * 1000, "the map grew to " + maxSize + " keys");
    }

    @Test
    void tryAcquire_keyInUse_isNotForgottenWhileItsBucketIsDraining() {
        RateLimiter limiter = new RateLimiter(clock, 1, Duration.ofSeconds(10));
        assertEquals(0, limiter.tryAcquire("busy"));
        for (int i = 0; i < 10_000; i++) {
            clock.advance(Duration.ofNanos(100_000));   // 1 s in all: other keys come and go
            limiter.tryAcquire("other-" + i);
        }
        assertTrue(limiter.tryAcquire("busy") > 0, "the drained bucket of a busy key must survive the sweep");
    }
}
