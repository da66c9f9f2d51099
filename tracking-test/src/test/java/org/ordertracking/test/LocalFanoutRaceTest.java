package org.ordertracking.test;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.internal.DeliveryThreads;
import org.ordertracking.core.internal.InMemoryEventBus;
import org.ordertracking.core.internal.LocalFanout;

/**
 * Races in the fan-out and its delivery threads found in review, each reproduced with real threads
 * and latches that force the interleaving (no timing assumptions beyond generous timeouts).
 */
class LocalFanoutRaceTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static TrackingMessage status(String orderId, long seq) {
        return new TrackingMessage.StatusUpdate(new OrderEvent(orderId, seq, seq == 1 ? OrderStatus.RECEIVED
                : OrderStatus.ACCEPTED, seq == 1 ? null : OrderStatus.RECEIVED, null, null, T0.plusSeconds(seq)));
    }

    private static long seq(Envelope envelope) {
        return ((TrackingMessage.StatusUpdate) envelope.message()).event().seq();
    }

    /** Records "gap" and seqs in call order. */
    private static class Events implements BusListener {
        final List<String> seen = new ArrayList<>();

        @Override
        public void onMessage(Envelope envelope) {
            synchronized (seen) {
                seen.add(Long.toString(seq(envelope)));
                seen.notifyAll();
            }
        }

        @Override
        public void onGap(Topic topic) {
            synchronized (seen) {
                seen.add("gap");
                seen.notifyAll();
            }
        }

        /** Waits until {@code value} was recorded; returns everything recorded so far. */
        List<String> awaitSeen(String value) {
            await("seeing " + value).atMost(WAIT).pollInterval(Duration.ofMillis(1)).until(() -> {
                synchronized (seen) {
                    return seen.contains(value);
                }
            });
            synchronized (seen) {
                return new ArrayList<>(seen);
            }
        }
    }

    /** Holds every task until {@link #open()}, then runs them (and later ones) on a cached pool. */
    private static final class GateExecutor implements Executor, AutoCloseable {
        private final ExecutorService pool = Executors.newCachedThreadPool(LocalFanout.daemonThreads("gate-"));
        private final List<Runnable> held = new ArrayList<>();
        private final AtomicInteger inFlight = new AtomicInteger();
        private boolean open;

        @Override
        public void execute(Runnable task) {
            synchronized (this) {
                if (!open) {
                    held.add(task);
                    return;
                }
            }
            forward(task);
        }

        private void forward(Runnable task) {
            inFlight.incrementAndGet();
            pool.execute(() -> {
                try {
                    task.run();
                } finally {
                    inFlight.decrementAndGet();
                }
            });
        }

        /** Waits until every task handed on has returned (tasks they submit included). */
        void awaitIdle() {
            await("the executor is idle").atMost(WAIT).pollInSameThread().pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1)).until(inFlight::get, equalTo(0));
        }

        synchronized int held() {
            return held.size();
        }

        void open() {
            List<Runnable> release;
            synchronized (this) {
                open = true;
                release = new ArrayList<>(held);
                held.clear();
            }
            release.forEach(this::forward);
        }

        @Override
        public void close() {
            pool.shutdownNow();
        }
    }

    /**
     * A sweep is submitted with as many tasks as the topic had listeners when it was scheduled; publishes
     * until it starts share it. Listeners that subscribed meanwhile are in its snapshot, so if one of
     * them blocks, the lone task must not be the only one serving the others.
     */
    @Test
    void listenersThatJoinWhileASweepIsQueued_areNotHeldUpByABlockedOne() throws Exception {
        Topic topic = Topic.restaurant("joined-while-queued");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (GateExecutor gate = new GateExecutor();
                InMemoryEventBus bus = InMemoryEventBus.builder().executor(gate).threads(2).build()) {
            Events first = new Events();
            bus.subscribe(topic, first);
            bus.publish(topic, status("o-1", 1)); // one listener: a sweep of one task, queued
            assertEquals(1, gate.held());
            bus.subscribe(topic, envelope -> {
                entered.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Events third = new Events();
            bus.subscribe(topic, third);
            bus.publish(topic, status("o-1", 2)); // rides on the queued sweep
            gate.open();
            assertTrue(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(List.of("1", "2"), first.awaitSeen("2"));
            assertEquals(List.of("2"), third.awaitSeen("2"), "a blocked listener held up one that joined with it");
        } finally {
            release.countDown();
        }
    }

    /**
     * A listener that throws an {@link Error} releases its claim; a publish that found it claimed
     * meanwhile skipped it, so it must still get that message without waiting for another publish.
     */
    @Test
    void listenerThrowingAnError_stillGetsWhatWasPublishedWhileItWasInTheCall() throws Exception {
        Topic topic = Topic.order("error-recheck");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Events afterError = new Events();
        Events other = new Events();
        try (DeliveryThreads threads = new DeliveryThreads(2, LocalFanout.daemonThreads("test-error-"))) {
            LocalFanout fanout = new LocalFanout(threads, 64, 2);
            fanout.add(topic, new BusListener() {
                @Override
                public void onMessage(Envelope envelope) {
                    if (seq(envelope) == 1) {
                        entered.countDown();
                        try {
                            release.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        throw new AssertionError("thrown on purpose by the test listener");
                    }
                    afterError.onMessage(envelope);
                }
            });
            fanout.add(topic, other);
            fanout.deliver(Envelope.of(topic, status("o-1", 1)));
            assertTrue(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            other.awaitSeen("1");
            // the one free worker serves the listeners of this sweep in order: once `other` has 2,
            // the throwing listener was found claimed and skipped
            fanout.deliver(Envelope.of(topic, status("o-1", 2)));
            other.awaitSeen("2");
            release.countDown();
            assertEquals(List.of("2"), afterError.awaitSeen("2"));
            fanout.close();
        } finally {
            release.countDown();
        }
    }

    /**
     * A gap signalled (and a message published after it) while a listener is inside an earlier
     * {@code onGap} must reach it before that message: a reconnect's gap comes before what follows it.
     */
    @Test
    void gapSignalledWhileAListenerIsInOnGap_isDeliveredBeforeTheNextMessage() throws Exception {
        Topic topic = Topic.restaurant("gap-during-gap");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger gaps = new AtomicInteger();
        Events events = new Events() {
            @Override
            public void onGap(Topic gapTopic) {
                super.onGap(gapTopic);
                if (gaps.incrementAndGet() == 1) {
                    entered.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        try (DeliveryThreads threads = new DeliveryThreads(2, LocalFanout.daemonThreads("test-gap-"))) {
            LocalFanout fanout = new LocalFanout(threads, 64, 2);
            fanout.add(topic, events);
            fanout.gap(topic); // first outage
            assertTrue(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            fanout.gap(topic); // second outage, while the listener is still in the first onGap
            fanout.deliver(Envelope.of(topic, status("o-1", 1)));
            release.countDown();
            List<String> seen = events.awaitSeen("1");
            assertEquals(List.of("gap", "gap", "1"), seen, "the second gap must come before the message after it");
            fanout.close();
        } finally {
            release.countDown();
        }
    }

    /**
     * One worker, several submitters, pauses around the spin time so that submissions land while the
     * worker spins, stops spinning, parks, or is being woken: every task runs.
     */
    @Test
    void deliveryThreads_oneWorker_runsEveryTaskSubmittedAcrossItsSpinParkTransitions() throws Exception {
        int submitters = 3;
        int rounds = 1_500;
        try (DeliveryThreads threads = new DeliveryThreads(1, LocalFanout.daemonThreads("test-park-"))) {
            ExecutorService pool = Executors.newFixedThreadPool(submitters);
            try {
                CyclicBarrier barrier = new CyclicBarrier(submitters + 1);
                AtomicInteger lost = new AtomicInteger();
                List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
                for (int s = 0; s < submitters; s++) {
                    futures.add(pool.submit(() -> {
                        for (int round = 0; round < rounds; round++) {
                            barrier.await();
                            // 0..100 µs: before, during and after the worker's 50 µs spin
                            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(100_000));
                            CountDownLatch ran = new CountDownLatch(1);
                            threads.execute(ran::countDown);
                            if (!ran.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                                lost.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                for (int round = 0; round < rounds; round++) {
                    barrier.await(60, TimeUnit.SECONDS);
                }
                for (java.util.concurrent.Future<?> future : futures) {
                    future.get(120, TimeUnit.SECONDS);
                }
                assertEquals(0, lost.get(), "tasks never run");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * The ring grows while a listener lags; once everyone has caught up and the topic goes idle, it
     * must not keep a ring's worth of envelopes alive (the class promises "at most a few").
     */
    @Test
    void idleTopic_afterALagThatGrewItsRing_retainsOnlyAFewEnvelopes() throws Exception {
        Topic topic = Topic.restaurant("retention");
        int buffer = 256;
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<java.lang.ref.WeakReference<Envelope>> published = new ArrayList<>();
        Events events = new Events() {
            @Override
            public void onMessage(Envelope envelope) {
                if (seq(envelope) == 1) {
                    entered.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.onMessage(envelope);
            }
        };
        try (DeliveryThreads threads = new DeliveryThreads(2, LocalFanout.daemonThreads("test-retention-"))) {
            LocalFanout fanout = new LocalFanout(threads, buffer, 2);
            fanout.add(topic, events);
            for (int seq = 1; seq <= buffer; seq++) {
                Envelope envelope = Envelope.of(topic, status("o-1", seq));
                published.add(new java.lang.ref.WeakReference<>(envelope));
                fanout.deliver(envelope);
                if (seq == 1) {
                    assertTrue(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS));
                }
            }
            release.countDown();
            events.awaitSeen(Integer.toString(buffer));
            // a collection is only requested: ask again until the idle topic lets go of what it delivered
            await("the idle topic holds at most 4 of " + buffer + " delivered envelopes").atMost(WAIT)
                    .pollInSameThread().pollInterval(Duration.ofMillis(20)).until(() -> {
                        System.gc();
                        return published.stream().filter(reference -> reference.get() != null).count();
                    }, lessThanOrEqualTo(4L));
            fanout.close();
        } finally {
            release.countDown();
        }
    }

    /**
     * Listeners pause at random so the ring grows, is trimmed and put back while publishers append and
     * others read; short-lived listeners churn (one may be the laggard when it closes). With a buffer
     * larger than everything published, no listener may see a gap or miss a message; with a small one,
     * a listener may lose messages, but only behind a gap, and never sees one twice or out of order.
     */
    @Test
    void ringGrowingAndShrinkingUnderReaders_neverLosesOrReordersWithoutAGap() throws Exception {
        stressRing(1 << 16, false);
        stressRing(8, true);
    }

    private static void stressRing(int buffer, boolean lapping) throws Exception {
        Topic topic = Topic.restaurant("ring-stress-" + buffer);
        int publishers = 2;
        int perPublisher = 20_000;
        List<Events> listeners = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(publishers + 1);
        try (DeliveryThreads threads = new DeliveryThreads(2, LocalFanout.daemonThreads("test-ring-"))) {
            LocalFanout fanout = new LocalFanout(threads, buffer, 2);
            for (int i = 0; i < 4; i++) {
                // lags of different lengths: one listener catches up (and trims) while another still lags
                int oneIn = 64 << (2 * i);
                long pause = 100_000L << i;
                Events events = new Events() {
                    @Override
                    public void onMessage(Envelope envelope) {
                        super.onMessage(envelope);
                        if (ThreadLocalRandom.current().nextInt(oneIn) == 0) {
                            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(pause));
                        }
                    }
                };
                listeners.add(events);
                fanout.add(topic, events);
            }
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.Future<?> churn = pool.submit(() -> {
                while (!done.get()) {
                    LocalFanout.Mailbox mailbox = fanout.add(topic, envelope -> LockSupport.parkNanos(
                            ThreadLocalRandom.current().nextLong(20_000)));
                    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(500_000));
                    mailbox.close();
                }
                return null;
            });
            CountDownLatch start = new CountDownLatch(1);
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                long base = (p + 1) * 1_000_000L;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 1; i <= perPublisher; i++) {
                        fanout.deliver(Envelope.of(topic, status("o-" + base, base + i)));
                        if (i % 1_000 == 0) {
                            LockSupport.parkNanos(300_000); // let the topic go idle now and then
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (java.util.concurrent.Future<?> future : futures) {
                future.get(120, TimeUnit.SECONDS);
            }
            // a last message from each publisher, after every other one: all must see it
            for (int p = 0; p < publishers; p++) {
                long base = (p + 1) * 1_000_000L;
                fanout.deliver(Envelope.of(topic, status("o-" + base, base + perPublisher + 1)));
            }
            for (Events events : listeners) {
                for (int p = 0; p < publishers; p++) {
                    events.awaitSeen(Long.toString((p + 1) * 1_000_000L + perPublisher + 1));
                }
            }
            done.set(true);
            churn.get(60, TimeUnit.SECONDS);
            for (Events events : listeners) {
                List<String> seen;
                synchronized (events.seen) {
                    seen = new ArrayList<>(events.seen);
                }
                long[] last = new long[publishers];
                // a gap covers what any publisher lost before it
                boolean[] gapSince = new boolean[publishers];
                int gaps = 0;
                for (String entry : seen) {
                    if (entry.equals("gap")) {
                        java.util.Arrays.fill(gapSince, true);
                        gaps++;
                        continue;
                    }
                    long value = Long.parseLong(entry);
                    int p = (int) (value / 1_000_000L) - 1;
                    long n = value % 1_000_000L;
                    assertTrue(n > last[p], "duplicate or out of order: " + n + " after " + last[p]);
                    if (n != last[p] + 1) {
                        assertTrue(gapSince[p], "message " + n + " of publisher " + p + " came after "
                                + last[p] + " with no gap in between (buffer " + buffer + ")");
                    }
                    last[p] = n;
                    gapSince[p] = false;
                }
                if (!lapping) {
                    assertEquals(0, gaps, "a gap without lapping (buffer " + buffer + ")");
                    assertEquals(publishers * (perPublisher + 1), seen.size());
                }
            }
            fanout.close();
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Closing a subscription while its listener is in {@code onGap} lets that call complete, but no
     * message may be handed to it after {@code close()} returned.
     */
    @Test
    void closeWhileTheListenerIsInOnGap_noMessageIsDeliveredAfterCloseReturns() throws Exception {
        Topic topic = Topic.order("close-in-gap");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch gapReturned = new CountDownLatch(1);
        Events events = new Events() {
            @Override
            public void onGap(Topic gapTopic) {
                super.onGap(gapTopic);
                entered.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                gapReturned.countDown();
            }
        };
        try (GateExecutor gate = new GateExecutor()) {
            LocalFanout fanout = new LocalFanout(gate, 64, 2);
            LocalFanout.Mailbox mailbox = fanout.add(topic, events);
            fanout.gap(topic); // a reconnect...
            fanout.deliver(Envelope.of(topic, status("o-1", 1))); // ...and what followed it, one sweep
            gate.open();
            assertTrue(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertTrue(mailbox.close());
            release.countDown();
            assertTrue(gapReturned.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            gate.awaitIdle(); // the drain that was in onGap has finished
            fanout.gap(topic);
            fanout.deliver(Envelope.of(topic, status("o-1", 2)));
            gate.awaitIdle();
            synchronized (events.seen) {
                assertEquals(List.of("gap"), events.seen, "delivered to a subscription after close() returned");
            }
            fanout.close();
        } finally {
            release.countDown();
        }
    }

    /**
     * Two publishers race each other and the sweep the first one started (it may be finishing, its
     * listener being released) with nothing published afterwards: both messages must still arrive.
     * Run for a one-listener topic (one task per sweep) and a two-chunk topic.
     */
    @Test
    void messagesPublishedWhileASweepFinishes_areDeliveredWithoutALaterPublish() throws Exception {
        racePublishersAgainstFinishingSweeps(1, 1_500);
        racePublishersAgainstFinishingSweeps(CHUNKS_OF_TWO, 300);
    }

    private static final int CHUNKS_OF_TWO = 100;

    private static void racePublishersAgainstFinishingSweeps(int listenerCount, int rounds) throws Exception {
        Topic topic = Topic.restaurant("finishing-sweep-" + listenerCount);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (DeliveryThreads threads = new DeliveryThreads(2, LocalFanout.daemonThreads("test-finish-"))) {
            LocalFanout fanout = new LocalFanout(threads, 1 << 16, 2);
            AtomicInteger[] counts = new AtomicInteger[listenerCount];
            for (int i = 0; i < listenerCount; i++) {
                AtomicInteger count = new AtomicInteger();
                counts[i] = count;
                fanout.add(topic, envelope -> count.incrementAndGet());
            }
            CyclicBarrier barrier = new CyclicBarrier(2);
            for (int round = 1; round <= rounds; round++) {
                long seqBase = round * 10L;
                List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
                for (int p = 0; p < 2; p++) {
                    long seq = seqBase + p;
                    futures.add(pool.submit(() -> {
                        barrier.await();
                        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(30_000));
                        fanout.deliver(Envelope.of(topic, status("o-1", seq)));
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<?> future : futures) {
                    future.get(30, TimeUnit.SECONDS);
                }
                // the fewest messages any listener got, with nothing published after
                await("round " + round + ": every listener gets both messages").atMost(WAIT).pollInSameThread()
                        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                        .until(() -> java.util.Arrays.stream(counts).mapToInt(AtomicInteger::get).min().orElseThrow(),
                                greaterThanOrEqualTo(2 * round));
            }
            fanout.close();
        } finally {
            pool.shutdownNow();
        }
    }
}
