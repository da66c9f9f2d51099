package org.ordertracking.core.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeliveryThreadsTest {

    @Test
    void aWorkerThatWaitedLongerThanASpinParksWithoutSpinningAndStillRunsTheNextTask() throws Exception {
        Thread[] worker = new Thread[1];
        ThreadFactory factory = LocalFanout.daemonThreads("test-spin-");
        try (DeliveryThreads threads = new DeliveryThreads(1, r -> worker[0] = factory.newThread(r))) {
            runAndWait(threads);
            // parked: it spun the whole spin in vain first, so this task comes later than a spin
            awaitParked(worker[0]);
            runAndWait(threads);
            assertFalse(threads.spinPays(), "a spin would not have caught a task that came this late");
            awaitParked(worker[0]);
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
                    int burst = i + 1;
                    // idle gaps between bursts: the pool runs dry, so the spin turns off and on again
                    await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() >= burst);
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

    /** Waits until the worker is parked, which it is only after its spin (if any) ran out. */
    private static void awaitParked(Thread worker) {
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.getState() == Thread.State.WAITING);
    }

    private static void runAndWait(DeliveryThreads threads) throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        threads.execute(ran::countDown);
        assertTrue(ran.await(10, TimeUnit.SECONDS));
    }
}
