package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
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
    void fullMailbox_dropsNewMessagesAndSignalsAGapBeforeTheNextDelivery() throws Exception {
        try (InMemoryEventBus small = InMemoryEventBus.builder().bufferSize(4).threads(1).build()) {
            Topic topic = newTopic();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch entered = new CountDownLatch(1);
            RecordingListener after = new RecordingListener();
            try (Subscription ignored = small.subscribe(topic, new org.ordertracking.core.BusListener() {
                @Override
                public void onMessage(org.ordertracking.core.Envelope envelope) {
                    if (((TrackingMessage.StatusUpdate) envelope.message()).event().seq() == 1) {
                        entered.countDown();
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    after.onMessage(envelope);
                }

                @Override
                public void onGap(Topic gapTopic) {
                    after.onGap(gapTopic);
                }
            })) {
                small.publish(topic, status(topic.id(), 1));
                assertTrue(entered.await(10, TimeUnit.SECONDS));
                for (int seq = 2; seq <= 10; seq++) {
                    small.publish(topic, status(topic.id(), seq));
                }
                release.countDown();
                // 1 was being delivered, 2..5 fit the mailbox, 6..10 were dropped
                for (int seq = 1; seq <= 5; seq++) {
                    assertEquals(seq, ((TrackingMessage.StatusUpdate) after.next().message()).event().seq());
                }
                small.publish(topic, status(topic.id(), 11));
                assertEquals(11, ((TrackingMessage.StatusUpdate) after.next().message()).event().seq());
                assertEquals(1, after.gaps());
            }
        }
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
