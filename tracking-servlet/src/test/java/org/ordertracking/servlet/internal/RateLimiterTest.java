package org.ordertracking.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.ordertracking.test.SettableClock;

/** The driver rate limit's token buckets, on a settable clock. */
class RateLimiterTest {
    private final SettableClock clock = SettableClock.at("2026-11-24T10:00:00Z");
    /** 3 messages per 3 seconds: one permit back every second. */
    private final RateLimiter limiter = new RateLimiter(clock, 3, Duration.ofSeconds(3));

    @Test
    void tryAcquire_newKey_grantsAFullBurstThenSaysHowLongToWait() {
        assertEquals(0, limiter.tryAcquire("d-1"));
        assertEquals(0, limiter.tryAcquire("d-1"));
        assertEquals(0, limiter.tryAcquire("d-1"));
        assertEquals(1000, limiter.tryAcquire("d-1"), "one permit comes back per second");
        assertEquals(1000, limiter.tryAcquire("d-1"), "a refused call takes nothing");
    }

    @Test
    void tryAcquire_asTimePasses_refillsContinuously() {
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("d-1");
        }
        clock.advance(Duration.ofMillis(400));
        assertEquals(600, limiter.tryAcquire("d-1"), "0.4 of a permit is back");
        clock.advance(Duration.ofMillis(600));
        assertEquals(0, limiter.tryAcquire("d-1"));
        assertEquals(1000, limiter.tryAcquire("d-1"));
    }

    @Test
    void tryAcquire_afterALongIdle_refillsOnlyUpToTheBurst() {
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("d-1");
        }
        clock.advance(Duration.ofHours(1));
        assertEquals(0, limiter.tryAcquire("d-1"));
        assertEquals(0, limiter.tryAcquire("d-1"));
        assertEquals(0, limiter.tryAcquire("d-1"));
        assertEquals(1000, limiter.tryAcquire("d-1"), "an hour idle buys no more than the burst");
    }

    @Test
    void tryAcquire_clockGoingBack_neitherRefillsNorFails() {
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("d-1");
        }
        clock.advance(Duration.ofSeconds(-30));
        assertEquals(1000, limiter.tryAcquire("d-1"));
    }

    @Test
    void tryAcquire_oneKeyExhausted_leavesOtherKeysTheirOwnBurst() {
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("d-1");
        }
        assertEquals(1000, limiter.tryAcquire("d-1"));
        assertEquals(0, limiter.tryAcquire("d-2"));
        assertEquals(0, limiter.tryAcquire("d-2"));
        assertEquals(0, limiter.tryAcquire("d-2"));
        assertEquals(1000, limiter.tryAcquire("d-2"));
    }

    @Test
    void tryAcquire_manyKeys_forgetsTheFullBucketsIncrementallyButKeepsOnesStillRefilling() {
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("busy");
        }
        for (int i = 0; i < 10_000; i++) {
            limiter.tryAcquire("idle-" + i);
        }
        clock.advance(Duration.ofSeconds(1)); // every idle bucket is full again; "busy" holds one permit of three
        long before = limiter.examined();
        assertEquals(0, limiter.tryAcquire("new"));
        assertTrue(limiter.examined() - before <= RateLimiter.SWEEP_STEP, "one call examines at most two buckets");
        for (int i = 0; i < 10_002 / RateLimiter.SWEEP_STEP; i++) {
            limiter.tryAcquire("new");   // refused from the fourth on: a refused call sweeps all the same
        }
        assertEquals(2, limiter.keys(), "only the refilling bucket and the new one remain after one pass");
        assertEquals(0, limiter.tryAcquire("busy"), "the kept bucket keeps its state: one permit");
        assertEquals(1000, limiter.tryAcquire("busy"));
    }

    @Test
    void tryAcquire_manyDistinctKeys_keepsTheMapBoundedAndExaminesAtMostTwoBucketsPerCall() {
        RateLimiter wide = new RateLimiter(clock, 5, Duration.ofSeconds(1));
        int maxKeys = 0;
        for (int i = 0; i < 200_000; i++) {
            clock.advance(Duration.ofMillis(1));   // 1,000 new keys per window, each used once
            long before = wide.examined();
            wide.tryAcquire("client-" + i);
            assertTrue(wide.examined() - before <= RateLimiter.SWEEP_STEP, "a call examined more than two buckets");
            maxKeys = Math.max(maxKeys, wide.keys());
        }
        // a key refills one window after its use; the cursor reaches it within one more pass
        assertTrue(maxKeys <= 3 * 1000, "the map grew to " + maxKeys + " keys");
    }

    @Test
    void tryAcquire_keyInUse_isNotForgottenWhileItsBucketIsDraining() {
        RateLimiter slow = new RateLimiter(clock, 1, Duration.ofSeconds(10));
        assertEquals(0, slow.tryAcquire("busy"));
        for (int i = 0; i < 10_000; i++) {
            clock.advance(Duration.ofNanos(100_000));   // 1 s in all: other keys come and go
            slow.tryAcquire("other-" + i);
        }
        assertTrue(slow.tryAcquire("busy") > 0, "the drained bucket of a busy key must survive the sweep");
    }

    @Test
    void tryAcquire_concurrentCallsOnOneKey_neverGrantMoreThanTheBurst() throws Exception {
        RateLimiter wide = new RateLimiter(clock, 100, Duration.ofSeconds(10));
        AtomicInteger granted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                calls.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 1_000; i++) {
                        if (wide.tryAcquire("d-1") == 0) {
                            granted.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> call : calls) {
                call.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(100, granted.get(), "the clock stood still: exactly the burst");
    }
}
