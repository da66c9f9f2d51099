package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.internal.InMemoryEventBus;
import org.ordertracking.core.internal.LocalFanout;

/**
 * The in-memory bus serves a small topic whose listeners all {@link BusListener#neverBlocks() never
 * block} on the publishing thread, and every other topic on its delivery threads.
 */
class InlineDeliveryTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    private static TrackingMessage status(String orderId, long seq) {
        return new TrackingMessage.StatusUpdate(new OrderEvent(orderId, seq, seq == 1 ? OrderStatus.RECEIVED
                : OrderStatus.ACCEPTED, seq == 1 ? null : OrderStatus.RECEIVED, null, null, T0.plusSeconds(seq)));
    }

    /** Records the seq and the thread of every call. */
    private static class Recorder implements BusListener {
        final boolean neverBlocks;
        final List<Long> seqs = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch calls;

        Recorder(boolean neverBlocks, int expected) {
            this.neverBlocks = neverBlocks;
            this.calls = new CountDownLatch(expected);
        }

        @Override
        public void onMessage(Envelope envelope) {
            seqs.add(((TrackingMessage.StatusUpdate) envelope.message()).event().seq());
            threads.add(Thread.currentThread());
            calls.countDown();
        }

        @Override
        public boolean neverBlocks() {
            return neverBlocks;
        }

        void await() throws InterruptedException {
            assertTrue(calls.await(10, TimeUnit.SECONDS), "delivered " + seqs);
        }
    }

    @Test
    void aSmallTopicOfListenersThatNeverBlock_isServedOnThePublishingThread_beforePublishReturns() throws Exception {
        Topic topic = Topic.order("inline-1");
        try (InMemoryEventBus bus = InMemoryEventBus.builder().threads(2).build()) {
            List<Recorder> recorders = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Recorder recorder = new Recorder(true, 1);
                recorders.add(recorder);
                bus.subscribe(topic, recorder);
            }
            bus.publish(topic, status("inline-1", 1));
            for (Recorder recorder : recorders) {
                assertEquals(List.of(1L), recorder.seqs, "delivered by the time publish returned");
                assertSame(Thread.currentThread(), recorder.threads.get(0));
            }
        }
    }

    @Test
    void aListenerThatMayBlock_isServedOnABusThread_andSoIsEveryListenerOfItsTopic() throws Exception {
        Topic topic = Topic.order("inline-2");
        try (InMemoryEventBus bus = InMemoryEventBus.builder().threads(2).build()) {
            Recorder quick = new Recorder(true, 1);
            Recorder mayBlock = new Recorder(false, 1);
            bus.subscribe(topic, quick);
            bus.subscribe(topic, mayBlock);
            bus.publish(topic, status("inline-2", 1));
            quick.await();
            mayBlock.await();
            assertNotSame(Thread.currentThread(), quick.threads.get(0));
            assertNotSame(Thread.currentThread(), mayBlock.threads.get(0));
        }
    }

    @Test
    void aTopicOfMoreThanTheInlineLimit_isServedOnBusThreads() throws Exception {
        Topic topic = Topic.restaurant("inline-3");
        try (InMemoryEventBus bus = InMemoryEventBus.builder().threads(2).build()) {
            List<Recorder> recorders = new ArrayList<>();
            for (int i = 0; i <= LocalFanout.INLINE_LISTENERS; i++) {
                Recorder recorder = new Recorder(true, 1);
                recorders.add(recorder);
                bus.subscribe(topic, recorder);
            }
            bus.publish(topic, status("o", 1));
            for (Recorder recorder : recorders) {
                recorder.await();
                assertNotSame(Thread.currentThread(), recorder.threads.get(0));
            }
        }
    }

    @Test
    void aListenerThatPublishesFromADelivery_getsItsOwnMessageAfterItReturns_inOrder_withoutRecursing() throws Exception {
        Topic topic = Topic.order("inline-4");
        try (InMemoryEventBus bus = InMemoryEventBus.builder().threads(2).build()) {
            Recorder other = new Recorder(true, 3);
            Recorder[] self = new Recorder[1];
            self[0] = new Recorder(true, 3) {
                @Override
                public void onMessage(Envelope envelope) {
                    super.onMessage(envelope);
                    long seq = seqs.get(seqs.size() - 1);
                    if (seq < 3) {
                        bus.publish(topic, status("inline-4", seq + 1)); // from inside its own delivery
                        assertEquals(seq, (long) seqs.get(seqs.size() - 1), "no call while this one runs");
                    }
                }
            };
            bus.subscribe(topic, self[0]);
            bus.subscribe(topic, other);
            bus.publish(topic, status("inline-4", 1));
            self[0].await();
            other.await();
            assertEquals(List.of(1L, 2L, 3L), self[0].seqs);
            assertEquals(List.of(1L, 2L, 3L), other.seqs);
        }
    }

    @Test
    void aPublisherDeliversAtMostOneBatch_whatOthersKeepPublishingMeanwhileGoesToTheDeliveryThreads() throws Exception {
        Topic topic = Topic.order("inline-6");
        int total = 301;
        CountDownLatch firstCall = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread[] publisher = new Thread[1];
        List<Long> onPublisher = Collections.synchronizedList(new ArrayList<>());
        Recorder recorder = new Recorder(true, total) {
            @Override
            public void onMessage(Envelope envelope) {
                super.onMessage(envelope);
                if (Thread.currentThread() == publisher[0]) {
                    onPublisher.add(seqs.get(seqs.size() - 1));
                }
                firstCall.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (InMemoryEventBus bus = InMemoryEventBus.builder().threads(2).build()) {
            bus.subscribe(topic, recorder);
            publisher[0] = new Thread(() -> bus.publish(topic, status("inline-6", 1)), "first-publisher");
            publisher[0].start();
            assertTrue(firstCall.await(10, TimeUnit.SECONDS));
            for (long seq = 2; seq <= total; seq++) {
                bus.publish(topic, status("inline-6", seq)); // the listener is taken: these only append
            }
            release.countDown();
            recorder.await();
            publisher[0].join(10_000);
            List<Long> expected = new ArrayList<>();
            for (long seq = 1; seq <= total; seq++) {
                expected.add(seq);
            }
            assertEquals(expected, recorder.seqs);
            assertEquals(256, onPublisher.size(), "one drain batch on the publisher, the rest on a delivery thread");
        }
    }

    @Test
    void aListenerThrowingAnError_neitherReachesThePublisherNorStarvesTheOtherListeners() throws Exception {
        Topic topic = Topic.order("inline-7");
        try (InMemoryEventBus bus = InMemoryEventBus.builder().threads(2).build()) {
            Recorder failing = new Recorder(true, 1) {
                @Override
                public void onMessage(Envelope envelope) {
                    super.onMessage(envelope);
                    throw new AssertionError("a listener's own error");
                }
            };
            Recorder other = new Recorder(true, 2);
            bus.subscribe(topic, failing);
            bus.subscribe(topic, other);
            bus.publish(topic, status("inline-7", 1));
            bus.publish(topic, status("inline-7", 2));
            other.await();
            assertEquals(List.of(1L, 2L), other.seqs);
        }
    }

    @Test
    void whileAnotherPublisherDeliversInline_aPublishGoesToTheDeliveryThreads() throws Exception {
        Topic busy = Topic.order("inline-8a");
        Topic other = Topic.order("inline-8b");
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Recorder holding = new Recorder(true, 1) {
            @Override
            public void onMessage(Envelope envelope) {
                super.onMessage(envelope);
                inside.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        Recorder recorder = new Recorder(true, 1);
        // two delivery threads: one publisher at a time may deliver inline
        try (InMemoryEventBus bus = InMemoryEventBus.builder().threads(2).build()) {
            bus.subscribe(busy, holding);
            bus.subscribe(other, recorder);
            Thread first = new Thread(() -> bus.publish(busy, status("inline-8a", 1)), "first-publisher");
            first.start();
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            assertSame(first, holding.threads.get(0));
            bus.publish(other, status("inline-8b", 1));
            recorder.await();
            assertNotSame(Thread.currentThread(), recorder.threads.get(0), "the node is busy: a delivery thread serves it");
            release.countDown();
            first.join(10_000);
            bus.publish(other, status("inline-8b", 2)); // inline, or by the delivery thread still holding the listener
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> recorder.seqs.size() == 2);
            assertEquals(List.of(1L, 2L), List.copyOf(recorder.seqs));
        }
    }

    @Test
    void aSubscriptionThatCloses_leavesTheOthersServedInline() throws Exception {
        Topic topic = Topic.order("inline-5");
        try (InMemoryEventBus bus = InMemoryEventBus.builder().threads(2).build()) {
            Recorder stays = new Recorder(true, 1);
            Recorder mayBlock = new Recorder(false, 0);
            bus.subscribe(topic, stays);
            Subscription leaving = bus.subscribe(topic, mayBlock);
            leaving.close(); // the listener that may block is gone: the topic is served inline again
            bus.publish(topic, status("inline-5", 1));
            assertEquals(List.of(1L), stays.seqs);
            assertSame(Thread.currentThread(), stays.threads.get(0));
            assertEquals(List.of(), mayBlock.seqs);
        }
    }
}
