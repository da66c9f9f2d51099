package org.ordertracking.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeliveryThreadsTest {

    @Test
    void aWorkerThatWaitedLongerThanASpinParksWithoutSpinningAndStillRunsTheNextTask() throws Exception {
        try (DeliveryThreads threads = new DeliveryThreads(1, LocalFanout.daemonThreads("test-spin-"))) {
            runAndWait(threads);
            // far longer than a spin: the worker spun in vain, parked, and was woken by this task
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(DeliveryThreads.SPIN_NANOS) + 20);
            runAndWait(threads);
            assertFalse(threads.spinPays(), "a spin would not have caught a task that came this late");
            Thread.sleep(20);
            runAndWait(threads); // picked up from a plain park
            assertFalse(threads.spinPays());
        }
    }

    @Test
    void aSteadyStreamOfTasksRunsEveryTaskOnceWhateverTheSpinDecides() throws Exception {
        int count = 20_000;
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(count);
        try (DeliveryThreads threads = new DeliveryThreads(2, LocalFanout.daemonThreads("test-steady-"))) {
            for (int i = 0; i < count; i++) {
                threads.execute(() -> {
                    ran.incrementAndGet();
                    done.countDown();
                });
                if (i % 1000 == 0) {
                    Thread.sleep(1); // idle gaps between bursts: the spin turns off and on again
                }
            }
            assertTrue(done.await(30, TimeUnit.SECONDS));
        }
        assertEquals(count, ran.get());
    }

    @Test
    void aClosedPoolRefusesTasks() {
        DeliveryThreads threads = new DeliveryThreads(1, LocalFanout.daemonThreads("test-closed-"));
        threads.close();
        assertThrows(RejectedExecutionException.class, () -> threads.execute(() -> { }));
    }

    private static void runAndWait(DeliveryThreads threads) throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        threads.execute(ran::countDown);
        assertTrue(ran.await(10, TimeUnit.SECONDS));
    }
}
