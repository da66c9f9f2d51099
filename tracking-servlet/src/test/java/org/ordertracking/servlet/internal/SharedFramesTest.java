package org.ordertracking.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.WireCodec;

class SharedFramesTest {
    private final SharedFrames frames = new SharedFrames();

    private static Envelope status(String orderId, long seq) {
        OrderEvent event = new OrderEvent(orderId, seq, OrderStatus.PREPARING, OrderStatus.ACCEPTED, null, null,
                Instant.parse("2026-11-24T10:00:00Z"));
        return Envelope.of(Topic.order(orderId), new TrackingMessage.StatusUpdate(event));
    }

    private static String text(Frame frame) {
        return new String(frame.bytes, StandardCharsets.UTF_8);
    }

    @Test
    void frame_sameEnvelopeForManyStreams_isBuiltOnce() {
        Envelope envelope = status("o-1", 3);
        Frame first = frames.frame(envelope, SharedFrames.Form.ORDER_STATUS, 3);
        for (int i = 0; i < 500; i++) {
            assertSame(first, frames.frame(envelope, SharedFrames.Form.ORDER_STATUS, 3));
        }
    }

    @Test
    void frame_bytesAreTheWireFormat() {
        Envelope envelope = status("o-1", 3);
        String json = WireCodec.toJson(envelope.message());
        assertEquals("id: 3\nevent: status\ndata: " + json + "\n\n",
                text(frames.frame(envelope, SharedFrames.Form.ORDER_STATUS, 3)));
        Envelope restaurant = envelope.withTopic(Topic.restaurant("r-1"));
        assertEquals("event: status\ndata: " + json + "\n\n",
                text(frames.frame(restaurant, SharedFrames.Form.RESTAURANT_STATUS, 0)));
    }

    @Test
    void frame_concurrentStreamsOfManyOrders_eachGetTheFrameOfItsOwnEnvelope() throws Exception {
        int orders = SharedFrames.SIZE * 4; // more envelopes than slots: collisions replace entries
        List<Envelope> envelopes = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < orders; i++) {
            Envelope e = status("o-" + i, 2 + i % 7);
            envelopes.add(e);
            expected.add("id: " + (2 + i % 7) + "\nevent: status\ndata: " + WireCodec.toJson(e.message()) + "\n\n");
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t * 13;
                results.add(pool.submit(() -> {
                    start.await();
                    int wrong = 0;
                    for (int k = 0; k < 20 * orders; k++) {
                        int i = (offset + k * 7) % orders;
                        Frame f = frames.frame(envelopes.get(i), SharedFrames.Form.ORDER_STATUS, 2 + i % 7);
                        if (!text(f).equals(expected.get(i))) {
                            wrong++;
                        }
                    }
                    return wrong;
                }));
            }
            start.countDown();
            for (Future<Integer> result : results) {
                assertEquals(0, result.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
