package org.ordertracking.test;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.internal.DeliveryThreads;
import org.ordertracking.core.internal.InMemoryEventBus;
import org.ordertracking.core.internal.LocalFanout;

/**
 * What the in-memory fan-out relies on beyond {@link EventBusContract}: listeners of one topic are
 * served in chunks by several tasks, from one shared log, so these tests use topics far larger than
 * a chunk and real delivery threads.
 */
class LocalFanoutTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static TrackingMessage status(String orderId, long seq) {
        return new TrackingMessage.StatusUpdate(new OrderEvent(orderId, seq, seq == 1 ? OrderStatus.RECEIVED
                : OrderStatus.ACCEPTED, seq == 1 ? null : OrderStatus.RECEIVED, null, null, T0.plusSeconds(seq)));
    }

    private static long seq(Envelope envelope) {
        return ((TrackingMessage.StatusUpdate) envelope.message()).event().seq();
    }

    /** Records seqs and gaps, and fails the test if it is ever called concurrently. */
    private static final class Recorder implements BusListener {
        final List<String> seen = new ArrayList<>();
        final AtomicBoolean inCall = new AtomicBoolean();
        final AtomicBoolean overlapped = new AtomicBoolean();
        volatile int messages;

        @Override
        public void onMessage(Envelope envelope) {
            enter();
            synchronized (seen) {
                seen.add(Long.toString(seq(envelope)));
            }
            messages++;
            inCall.set(false);
        }

        @Override
        public void onGap(Topic topic) {
            enter();
            synchronized (seen) {
                seen.add("gap");
            }
            inCall.set(false);
        }

        private void enter() {
            if (!inCall.compareAndSet(false, true)) {
                overlapped.set(true);
            }
        }

        List<String> seen() {
            synchronized (seen) {
                return new ArrayList<>(seen);
            }
        }
    }

    private static void awaitAll(List<Recorder> recorders, int messages) {
        // the fewest messages any listener got
        await("every listener gets " + messages + " messages").atMost(WAIT).pollInSameThread()
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                .until(() -> recorders.stream().mapToInt(r -> r.messages).min().orElse(messages),
                        greaterThanOrEqualTo(messages));
    }

    @Test
    void listenerBlockedForever_inABigTopic_doesNotHoldUpTheListenersBatchedWithIt() throws Exception {
        Topic topic = Topic.restaurant("big-blocked");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        List<Recorder> others = new ArrayList<>();
        try (InMemoryEventBus bus = InMemoryEventBus.builder().threads(2).build()) {
            for (int i = 0; i < 1_000; i++) {
                if (i == 10) {
                    // early in the first chunk: the rest of its chunk must be taken over by another task
                    bus.subscribe(topic, envelope -> {
                        entered.countDown();
                        try {
                            release.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                } else {
                    Recorder recorder = new Recorder();
                    others.add(recorder);
                    bus.subscribe(topic, recorder);
                }
            }
            // one publish only: no later sweep may come to the rescue of the stuck chunk
            bus.publish(topic, status("o-1", 1));
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            awaitAll(others, 1);
            for (int seq = 2; seq <= 20; seq++) {
                bus.publish(topic, status("o-1", seq));
            }
            awaitAll(others, 20);
            for (Recorder recorder : others) {
                assertEquals(20, recorder.seen().size());
                assertEquals("20", recorder.seen().get(19));
            }
        } finally {
            release.countDown();
        }
    }

    @Test
    void concurrentPublishers_everyListenerSeesTheSameOrder_neverConcurrently() throws Exception {
        Topic topic = Topic.restaurant("big-concurrent");
        int publishers = 4;
        int perPublisher = 1_000;
        List<Recorder> recorders = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        try (InMemoryEventBus bus = InMemoryEventBus.builder().threads(2).bufferSize(1 << 14).build()) {
            for (int i = 0; i < 300; i++) {
                Recorder recorder = new Recorder();
                recorders.add(recorder);
                bus.subscribe(topic, recorder);
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                int base = p * 1_000_000;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 1; i <= perPublisher; i++) {
                        bus.publish(topic, status("o-" + base, base + i));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
            awaitAll(recorders, publishers * perPublisher);
            List<String> first = recorders.get(0).seen();
            assertEquals(publishers * perPublisher, first.size());
            long[] last = new long[publishers];
            for (String entry : first) {
                long value = Long.parseLong(entry);
                int publisher = (int) (value / 1_000_000);
                assertTrue(value > last[publisher], "publisher " + publisher + " out of order at " + value);
                last[publisher] = value;
            }
            for (Recorder recorder : recorders) {
                assertEquals(first, recorder.seen(), "every listener sees the one publish order");
                assertFalse(recorder.overlapped.get(), "a listener was called concurrently");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void laggingListener_inABigTopic_getsOneGapThenTheNewestMessages_whileOthersGetEverything() throws Exception {
        Topic topic = Topic.restaurant("big-lagging");
        int buffer = 16;
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        Recorder slow = new Recorder();
        List<Recorder> others = new ArrayList<>();
        try (InMemoryEventBus bus = InMemoryEventBus.builder().threads(2).bufferSize(buffer).build()) {
            for (int i = 0; i < 500; i++) {
                if (i == 70) {
                    bus.subscribe(topic, new BusListener() {
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
                            slow.onMessage(envelope);
                        }

                        @Override
                        public void onGap(Topic gapTopic) {
                            slow.onGap(gapTopic);
                        }
                    });
                } else {
                    Recorder recorder = new Recorder();
                    others.add(recorder);
                    bus.subscribe(topic, recorder);
                }
            }
            bus.publish(topic, status("o-1", 1));
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            for (int seq = 2; seq <= 100; seq++) {
                bus.publish(topic, status("o-1", seq));
                awaitAll(others, seq); // keep the others within their buffer: only the slow one lags
            }
            release.countDown();
            awaitAll(List.of(slow), 1 + buffer);
            List<String> expected = new ArrayList<>(List.of("1", "gap"));
            for (int seq = 101 - buffer; seq <= 100; seq++) {
                expected.add(Integer.toString(seq));
            }
            assertEquals(expected, slow.seen());
            for (Recorder recorder : others) {
                assertEquals(100, recorder.seen().size());
                assertFalse(recorder.seen().contains("gap"));
            }
        } finally {
            release.countDown();
        }
    }

    @Test
    void aListenerThatFellBehind_isToldMoreFollows_andTheLastOfTheRunSaysNoMore() throws Exception {
        Topic topic = Topic.order("run");
        CountDownLatch firstArrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(6);
        BusListener listener = new BusListener() {
            @Override
            public void onMessage(Envelope envelope) {
                throw new AssertionError("the fanout tells whether more follows");
            }

            @Override
            public void onMessage(Envelope envelope, boolean more) {
                calls.add(((TrackingMessage.StatusUpdate) envelope.message()).event().seq() + (more ? "+" : "."));
                firstArrived.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS); // the first call holds the listener: the rest pile up
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                all.countDown();
            }
        };
        try (DeliveryThreads threads = new DeliveryThreads(2, LocalFanout.daemonThreads("test-more-"))) {
            LocalFanout fanout = new LocalFanout(threads, 64, 2);
            fanout.add(topic, listener);
            fanout.deliver(Envelope.of(topic, status("o-1", 1)));
            assertTrue(firstArrived.await(10, TimeUnit.SECONDS));
            for (int seq = 2; seq <= 6; seq++) {
                fanout.deliver(Envelope.of(topic, status("o-1", seq)));
            }
            release.countDown();
            assertTrue(all.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("1.", "2+", "3+", "4+", "5+", "6."), calls,
                    "published alone, then a run of five that was waiting: only its last says no more");
            fanout.close();
        }
    }

    @Test
    void gap_reachesEveryListenerOfTheTopic_beforeItsNextMessage() {
        Topic topic = Topic.restaurant("big-gap");
        List<Recorder> recorders = new ArrayList<>();
        try (DeliveryThreads threads = new DeliveryThreads(2, LocalFanout.daemonThreads("test-fanout-"))) {
            LocalFanout fanout = new LocalFanout(threads, 64, 2);
            for (int i = 0; i < 300; i++) {
                Recorder recorder = new Recorder();
                recorders.add(recorder);
                fanout.add(topic, recorder);
            }
            fanout.gap(topic);
            fanout.deliver(Envelope.of(topic, status("o-1", 1)));
            awaitAll(recorders, 1);
            for (Recorder recorder : recorders) {
                assertEquals(List.of("gap", "1"), recorder.seen());
            }
            fanout.close();
        }
    }

    @Test
    void subscriber_receivesWhatIsPublishedAfterSubscribe_evenWhileATopicSweepIsPending() throws Exception {
        Topic topic = Topic.order("late-joiner");
        try (InMemoryEventBus bus = InMemoryEventBus.builder().threads(2).build()) {
            List<Subscription> subscriptions = new ArrayList<>();
            AtomicInteger total = new AtomicInteger();
            for (int round = 1; round <= 200; round++) {
                RecordingListener joiner = new RecordingListener();
                bus.publish(topic, status("o-1", round * 2L - 1)); // a sweep for the old listeners only
                subscriptions.add(bus.subscribe(topic, joiner));
                bus.publish(topic, status("o-1", round * 2L));
                assertEquals(round * 2L, seq(joiner.next()), "a listener gets the first message after it subscribed");
                total.incrementAndGet();
            }
            assertEquals(200, total.get());
            subscriptions.forEach(Subscription::close);
        }
    }

    @Test
    void deliveryThreads_runEveryTask_whetherWorkersSpinOrPark_andRefuseAfterClose() throws Exception {
        DeliveryThreads threads = new DeliveryThreads(2, LocalFanout.daemonThreads("test-delivery-"));
        try {
            for (int round = 0; round < 300; round++) {
                CountDownLatch done = new CountDownLatch(3);
                for (int i = 0; i < 3; i++) {
                    threads.execute(done::countDown);
                }
                assertTrue(done.await(10, TimeUnit.SECONDS), "a task was not run in round " + round);
                if (round % 3 == 0) {
                    TimeUnit.MICROSECONDS.sleep(200); // past the spin: the next task must unpark a worker
                }
            }
        } finally {
            threads.close();
            threads.close();
        }
        try {
            threads.execute(() -> { });
            throw new AssertionError("execute after close was accepted");
        } catch (java.util.concurrent.RejectedExecutionException expected) {
            // refused, as documented
        }
    }
}
