package org.ordertracking.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PeriodicCheckTest {

    @Test
    void start_runsTheCheckEveryInterval_andACheckThatThrowsRunsAgain() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch third = new CountDownLatch(3);
        try (PeriodicCheck check = new PeriodicCheck("test check", null, "test-check", Duration.ofMillis(5), () -> {
            runs.incrementAndGet();
            third.countDown();
            throw new IllegalStateException("a failing check");
        })) {
            check.start();
            check.start(); // idempotent: one schedule, not two
            assertTrue(third.await(20, TimeUnit.SECONDS), "the check ran again after throwing: " + runs.get());
        }
    }

    @Test
    void close_isIdempotent_andNeverShutsDownAGivenScheduler() throws Exception {
        ScheduledExecutorService given = Executors.newSingleThreadScheduledExecutor();
        try {
            CountDownLatch ran = new CountDownLatch(1);
            PeriodicCheck check = new PeriodicCheck("test check", given, "unused", Duration.ofMillis(5), ran::countDown);
            check.start();
            assertTrue(ran.await(20, TimeUnit.SECONDS));
            check.close();
            check.close(); // idempotent
            assertFalse(given.isShutdown(), "the host's scheduler is the host's to stop");
            assertEquals("done", given.submit(() -> "done").get(20, TimeUnit.SECONDS));
        } finally {
            given.shutdownNow();
        }
    }

    @Test
    void start_afterClose_throwsNamingTheComponent() {
        PeriodicCheck check = new PeriodicCheck("stuck-order watchdog", null, "t", Duration.ofSeconds(1), () -> { });
        check.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, check::start);
        assertEquals("the stuck-order watchdog is closed", e.getMessage());
    }

    @Test
    void constructor_refusesANonPositiveInterval() {
        assertThrows(IllegalArgumentException.class,
                () -> new PeriodicCheck("test check", null, "t", Duration.ZERO, () -> { }));
    }
}
