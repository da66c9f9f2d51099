package org.ordertracking.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.WireCodec;

/**
 * Proves that one publish is encoded once, not once per subscriber: every subscriber of a topic
 * receives the same {@link Envelope}, and the JSON strings they read are one and the same object.
 * With several delivery threads, first readers may race (the envelope allows it), so at most one
 * encoding per delivery thread — never one per subscriber.
 */
class EncodeOncePerPublishTest {
    private static final int SUBSCRIBERS = 1_000;

    @Test
    void publish_toThousandSubscribersOnOneThread_encodesOnce() throws InterruptedException {
        assertEquals(1, distinctEncodings(1));
    }

    @Test
    void publish_toThousandSubscribersOnTwoThreads_encodesAtMostOncePerThread() throws InterruptedException {
        int encodings = distinctEncodings(2);
        assertTrue(encodings >= 1 && encodings <= 2, "encodings: " + encodings);
    }

    private static int distinctEncodings(int threads) throws InterruptedException {
        Set<String> seen = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        Set<Envelope> envelopes = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        CountDownLatch done = new CountDownLatch(SUBSCRIBERS);
        Topic topic = Topic.order("o-1");
        TrackingMessage message = new TrackingMessage.StatusUpdate(new OrderEvent("o-1", 2, OrderStatus.ACCEPTED,
                OrderStatus.RECEIVED, null, null, Instant.parse("2026-11-24T10:00:00Z")));
        List<Subscription> subscriptions = new ArrayList<>();
        try (EventBus bus = EventBus.inMemory(threads)) {
            for (int i = 0; i < SUBSCRIBERS; i++) {
                subscriptions.add(bus.subscribe(topic, envelope -> {
                    envelopes.add(envelope);
                    seen.add(envelope.json());
                    done.countDown();
                }));
            }
            bus.publish(topic, message);
            assertTrue(done.await(10, TimeUnit.SECONDS), "not every subscriber received the message");
            subscriptions.forEach(Subscription::close);
        }
        assertEquals(1, envelopes.size(), "every subscriber gets the same envelope");
        String json = seen.iterator().next();
        assertEquals(WireCodec.toJson(message), json);
        return seen.size();
    }
}
