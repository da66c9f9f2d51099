package org.ordertracking.servlet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.internal.InMemoryEventBus;
import org.ordertracking.core.internal.JsonCodec;

/** Many streams at once, and a client that stops reading. Functional, never timed. */
@org.junit.jupiter.api.Timeout(180)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class BroadcastIT {
    @Parameter
    Container container;

    private OrderTracker tracker;
    private EventBus bus;
    private Node node;

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close();
        }
        tracker.close();
        bus.close();
    }

    @Test
    void stream_thousandConcurrentStreams_allReceiveOneBroadcast() throws Exception {
        bus = EventBus.inMemory();
        tracker = OrderTracker.builder().eventBus(bus).build();
        int n = 1000;   // one customer token from one address: the stream limits are raised to let them in
        node = Node.start(container, tracker, b -> b.maxStreamsPerSubject(n).maxStreamsPerAddress(n)
                .streamOpenRate(n, Duration.ofSeconds(1)));
        tracker.register(new NewOrder("b-1", "r-1", "c-1", new GeoPoint(33.89, 35.50)));
        String token = Node.token(Role.CUSTOMER, "b-1");
        List<SseClient> clients = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                clients.add(SseClient.openAsync(node.http, node.uri("/orders/b-1/stream"), token, null));
            }
            for (SseClient client : clients) {
                assertEquals(200, client.status());
                client.nextOfType("snapshot");
            }
            JsonNode metrics = Metrics.read(node);
            assertEquals(n, metrics.get("viewers").get("b-1").asInt(), metrics.toString());

            tracker.transition("b-1", OrderStatus.ACCEPTED);
            for (SseClient client : clients) {
                SseClient.Event e = client.nextEvent();
                assertEquals("status", e.event());
                assertEquals("2", e.id());
            }
        } finally {
            clients.forEach(SseClient::close);
        }
    }

    @Test
    void stream_clientStopsReading_othersKeepReceivingAndItIsDisconnected() throws Exception {
        bus = InMemoryEventBus.builder().bufferSize(1 << 20).build();
        tracker = OrderTracker.builder().eventBus(bus).build();
        node = Node.start(container, tracker, b -> b.streamBufferSize(2));
        tracker.register(new NewOrder("b-2", "r-1", "c-1", new GeoPoint(33.89, 35.50)));
        tracker.assignDriver("b-2", "d-1");
        String token = Node.token(Role.CUSTOMER, "b-2");

        try (Socket slow = new Socket(); SseClient fast = node.stream("/orders/b-2/stream", token)) {
            slow.setReceiveBufferSize(1024);
            slow.connect(new InetSocketAddress(node.base.getHost(), node.base.getPort()));
            OutputStream out = slow.getOutputStream();
            out.write(("GET /tracking/orders/b-2/stream HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                    + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = slow.getInputStream();
            byte[] head = new byte[16];
            assertTrue(in.read(head) > 0, "the slow client gets the response head"); // then it stops reading
            fast.nextOfType("snapshot");
            // the slow stream's head can reach it a moment before the stream is counted as a viewer
            org.awaitility.Awaitility.await("both streams count as viewers").atMost(Metrics.WAIT)
                    .until(() -> Metrics.read(node).get("viewers").path("b-2").asInt() == 2);

            // flood locations until the slow client's pipe is full and its buffer drops stale locations;
            // publish in small rounds so the bus threads keep up, however slowly they start (cold JIT)
            String padding = "d-1";
            Instant t = Instant.now();
            // each poll publishes one more round (the poll interval paces the load), until a drop is counted
            await("locations are dropped").atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(2)).until(() -> {
                        for (int i = 0; i < 2_000; i++) {
                            bus.publish(Topic.order("b-2"), new TrackingMessage.LocationUpdate("b-2", padding,
                                    LocationFix.of(33.9 + (i % 100) * 1e-4, 35.5, t, t), 100L + i));
                        }
                        return Metrics.read(node).get("events").get("dropped").asLong() > 0;
                    });
            bus.publish(Topic.order("b-2"), new TrackingMessage.LocationUpdate("b-2", padding,
                    LocationFix.of(33.95, 35.55, t, t), 999_999L));
            // the fast client catches up: the newest location always survives (reading the whole flood
            // may take as long as publishing it did, so the same deadline)
            fast.nextMatching("the newest location", Duration.ofSeconds(60), e -> e.event().equals("location")
                    && JsonCodec.mapper().readTree(e.data()).get("eta_seconds").asLong() == 999_999L);

            tracker.transition("b-2", OrderStatus.ACCEPTED);
            tracker.transition("b-2", OrderStatus.PREPARING);
            tracker.transition("b-2", OrderStatus.READY);
            tracker.transition("b-2", OrderStatus.PICKED_UP);
            for (int seq = 2; seq <= 5; seq++) {
                SseClient.Event e = fast.nextOfType("status");
                assertEquals(Integer.toString(seq), e.id(), "the reading client gets every status");
            }
            // the slow one could not take the statuses: it was disconnected, the reading one stays; its
            // stream first works through the rest of the flood, so it gets the flood's deadline too
            await("the slow client is disconnected, the reading one stays").atMost(Duration.ofSeconds(60))
                    .until(() -> {
                        JsonNode metrics = Metrics.read(node);
                        return metrics.get("events").get("slow_disconnects").asLong() > 0
                                && metrics.get("viewers").path("b-2").asInt() == 1;
                    });
            tracker.transition("b-2", OrderStatus.DELIVERED);
            assertEquals("6", fast.nextOfType("status").id());
        }
    }
}
