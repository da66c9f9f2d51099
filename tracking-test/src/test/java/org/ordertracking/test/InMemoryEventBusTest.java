package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.internal.InMemoryEventBus;

class InMemoryEventBusTest extends EventBusContract {
    @Override
    protected EventBus createBus() {
        return EventBus.inMemory();
    }

    @Test
    void publish_acceptedFutureIsSharedAndAllocatesNothing_soNoCallerCanChangeItForTheOthers() {
        try (InMemoryEventBus shared = InMemoryEventBus.builder().build()) {
            Topic topic = newTopic();
            CompletableFuture<Void> first = shared.publish(topic, new TrackingMessage.DriverAssigned(topic.id(), "d-1"))
                    .toCompletableFuture();
            CompletableFuture<Void> second = shared.publish(topic, new TrackingMessage.DriverAssigned(topic.id(), "d-2"))
                    .toCompletableFuture();
            assertSame(first, second, "one shared future, no copy per publish");

            assertThrows(UnsupportedOperationException.class,
                    () -> first.obtrudeException(new IllegalStateException("a careless caller")));
            assertThrows(UnsupportedOperationException.class, () -> first.obtrudeValue(null));
            assertFalse(first.completeExceptionally(new IllegalStateException("a careless caller")));
            assertFalse(first.cancel(true));

            assertNull(second.join());
            assertTrue(first.isDone() && !first.isCompletedExceptionally() && !first.isCancelled());
            CompletableFuture<String> dependent = first.thenApply(ignored -> "then");
            assertEquals("then", dependent.join());
            dependent.obtrudeValue("a dependent stage is the caller's own");
            assertNull(shared.publish(topic, new TrackingMessage.DriverAssigned(topic.id(), "d-3"))
                    .toCompletableFuture().join());
        }
    }

    @Test
    void fullBuffer_dropsTheOldestMessagesAndSignalsAGapBeforeTheNextDelivery() throws Exception {
        try (InMemoryEventBus small = InMemoryEventBus.builder().bufferSize(4).threads(1).build()) {
            Topic topic = newTopic();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch entered = new CountDownLatch(1);
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            try (Subscription ignored = small.subscribe(topic, new BusListener() {
                @Override
                public void onMessage(Envelope envelope) {
                    long seq = ((TrackingMessage.StatusUpdate) envelope.message()).event().seq();
                    if (seq == 1) {
                        entered.countDown();
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    seen.add(Long.toString(seq));
                }

                @Override
                public void onGap(Topic gapTopic) {
                    seen.add("gap");
                }
            })) {
                small.publish(topic, status(topic.id(), 1));
                assertTrue(entered.await(10, TimeUnit.SECONDS));
                for (int seq = 2; seq <= 10; seq++) {
                    small.publish(topic, status(topic.id(), seq));
                }
                release.countDown();
                // 1 was being delivered; of 2..10 only the newest 4 fit the buffer, and the gap comes first
                assertEquals(List.of("1", "gap", "7", "8", "9", "10"), take(seen, 6));
                small.publish(topic, status(topic.id(), 11));
                assertEquals(List.of("11"), take(seen, 1), "caught up: no further gap");
            }
        }
    }

    private static List<String> take(BlockingQueue<String> queue, int count) throws InterruptedException {
        List<String> got = new ArrayList<>();
        while (got.size() < count) {
            String next = queue.poll(10, TimeUnit.SECONDS);
            assertNotNull(next, "got only " + got);
            got.add(next);
        }
        return got;
    }

    @Test
    void subscriberCount_followsSubscribeAndClose() {
        try (InMemoryEventBus local = InMemoryEventBus.builder().build()) {
            Topic topic = newTopic();
            Subscription a = local.subscribe(topic, new RecordingListener());
            Subscription b = local.subscribe(topic, new RecordingListener());
            assertEquals(2, local.subscriberCount(topic));
            a.close();
            assertEquals(1, local.subscriberCount(topic));
            b.close();
            assertEquals(0, local.subscriberCount(topic));
        }
    }
}
