package org.ordertracking.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    void tryAcquire_manyKeys_forgetsTheFullBucketsButKeepsOnesStillRefilling() {
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("busy");
        }
        for (int i = 0; i < 10_000; i++) {
            limiter.tryAcquire("idle-" + i);
        }
        assertEquals(10_001, limiter.keys());
        clock.advance(Duration.ofSeconds(1)); // every idle bucket is full again; "busy" holds one permit of three
        assertEquals(0, limiter.tryAcquire("new"));
        assertEquals(2, limiter.keys(), "only the refilling bucket and the new one remain");
        assertEquals(0, limiter.tryAcquire("busy"), "the kept bucket keeps its state: one permit");
        assertEquals(1000, limiter.tryAcquire("busy"));
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
