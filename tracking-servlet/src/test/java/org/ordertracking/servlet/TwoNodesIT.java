package org.ordertracking.servlet;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.internal.JsonCodec;

/** Two nodes, each its own tracker and servlet, sharing one bus and one repository (the stand-ins for Redis and PostgreSQL). */
@org.junit.jupiter.api.Timeout(120)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class TwoNodesIT {
    @Parameter
    Container container;

    private EventBus bus;
    private OrderTracker trackerA;
    private OrderTracker trackerB;
    private Node a;
    private Node b;

    @BeforeEach
    void start() throws Exception {
        bus = EventBus.inMemory();
        OrderRepository repository = OrderRepository.inMemory();
        trackerA = OrderTracker.builder().repository(repository).eventBus(bus).build();
        trackerB = OrderTracker.builder().repository(repository).eventBus(bus).build();
        a = Node.start(container, trackerA);
        b = Node.start(container, trackerB);
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        b.close();
        trackerA.close();
        trackerB.close();
        bus.close();
    }

    @Test
    void stream_onNodeB_receivesTransitionMadeThroughNodeA() throws Exception {
        HttpResponse<String> created = a.post("/orders", Node.token(Role.RESTAURANT, "r-1"),
                "{\"order_id\":\"n-1\",\"restaurant_id\":\"r-1\",\"customer_id\":\"c-1\",\"destination\":{\"lat\":33.9,\"lon\":35.5}}");
        assertEquals(201, created.statusCode(), created.body());
        JsonNode body = JsonCodec.mapper().readTree(created.body());
        assertEquals("n-1", body.get("order_id").asText());
        assertEquals("received", body.get("status").asText());
        assertEquals(1, body.get("seq").asInt());
        assertEquals("/tracking/orders/n-1/stream", body.get("stream_url").asText());
        String token = body.get("tracking_token").asText();

        try (SseClient customer = b.stream("/orders/n-1/stream", token);
                SseClient restaurant = b.stream("/restaurants/r-1/stream", Node.token(Role.RESTAURANT, "r-1"))) {
            customer.nextOfType("snapshot");
            JsonNode board = JsonCodec.mapper().readTree(restaurant.nextOfType("snapshot").data());
            assertEquals("n-1", board.get("orders").get(0).get("order_id").asText());

            HttpResponse<String> moved = a.post("/orders/n-1/transitions", Node.token(Role.RESTAURANT, "r-1"),
                    "{\"status\":\"accepted\",\"reason\":\"on it\"}");
            assertEquals(200, moved.statusCode(), moved.body());
            SseClient.Event e = customer.nextEvent();
            assertEquals("status", e.event());
            assertEquals(moved.body(), e.data(), "the 200 body is the stream's data, byte for byte");
            assertEquals(moved.body(), restaurant.nextOfType("status").data());
        }
    }

    @Test
    void socket_driverOnNodeB_getsAssignmentMadeThroughNodeA() throws Exception {
        trackerA.register(new org.ordertracking.core.NewOrder("n-2", "r-1", "c-1", new org.ordertracking.core.GeoPoint(33.9, 35.5)));
        LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        CompletableFuture<Void> opened = new CompletableFuture<>();
        WebSocket socket = b.http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + Node.token(Role.DRIVER, "d-7"))
                .buildAsync(java.net.URI.create(b.base.toString().replace("http:", "ws:") + "/drivers/d-7/socket"),
                        new WebSocket.Listener() {
                            private final StringBuilder text = new StringBuilder();

                            @Override
                            public void onOpen(WebSocket webSocket) {
                                opened.complete(null);
                                webSocket.request(Long.MAX_VALUE);
                            }

                            @Override
                            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                text.append(data);
                                if (last) {
                                    frames.add(text.toString());
                                    text.setLength(0);
                                }
                                return null;
                            }
                        })
                .get(20, TimeUnit.SECONDS);
        try {
            opened.get(20, TimeUnit.SECONDS);
            // the socket subscribes in onOpen; wait until node B holds it
            await("node B holds the socket").atMost(Metrics.WAIT)
                    .until(() -> Metrics.connections(b, DriverSocketIT.SOCKET_KIND), equalTo(1));
            HttpResponse<String> assigned = a.post("/orders/n-2/driver", Node.operator(), "{\"driver_id\":\"d-7\"}");
            assertEquals(200, assigned.statusCode(), assigned.body());
            assertEquals("d-7", JsonCodec.mapper().readTree(assigned.body()).get("driver_id").asText());
            String frame = frames.poll(20, TimeUnit.SECONDS);
            assertEquals("{\"type\":\"assignment\",\"order_id\":\"n-2\"}", frame);
        } finally {
            socket.abort();
        }
    }
}
