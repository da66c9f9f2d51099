package org.ordertracking.servlet;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.internal.JsonCodec;

@Timeout(120)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class RestaurantAndMetricsIT {
    @Parameter
    Container container;

    private GapBus bus;
    private OrderTracker tracker;
    private Node node;

    @BeforeEach
    void start() throws Exception {
        bus = new GapBus(EventBus.inMemory());
        tracker = OrderTracker.builder().eventBus(bus).build();
        node = Node.start(container, tracker, b -> b.leakGrace(Duration.ofMillis(50)).leakSweepInterval(Duration.ofMillis(50)));
    }

    @AfterEach
    void stop() throws Exception {
        node.close();
        tracker.close();
        bus.close();
    }

    @Test
    void restaurantStream_snapshotThenEveryStatusOfItsOrdersOnly() throws Exception {
        tracker.register(new NewOrder("ro-1", "r-1", "c-1", new GeoPoint(33.9, 35.5)));
        tracker.register(new NewOrder("ro-x", "r-2", "c-1", new GeoPoint(33.9, 35.5)));
        try (SseClient board = node.stream("/restaurants/r-1/stream", Node.token(Role.RESTAURANT, "r-1"))) {
            assertEquals("no-store", board.header("Cache-Control"));
            assertEquals("retry", board.next().event());
            JsonNode snapshot = JsonCodec.mapper().readTree(board.nextEvent().data());
            assertEquals("r-1", snapshot.get("restaurant_id").asText());
            assertEquals(1, snapshot.get("orders").size());
            tracker.transition("ro-x", OrderStatus.ACCEPTED);
            tracker.register(new NewOrder("ro-2", "r-1", "c-2", new GeoPoint(33.9, 35.5)));
            tracker.transition("ro-1", OrderStatus.ACCEPTED);
            JsonNode first = JsonCodec.mapper().readTree(board.nextOfType("status").data());
            JsonNode second = JsonCodec.mapper().readTree(board.nextOfType("status").data());
            assertEquals("ro-2", first.get("order_id").asText());
            assertEquals("ro-1", second.get("order_id").asText());
            assertEquals("accepted", second.get("status").asText());
        }
    }

    @Test
    void restaurantStream_snapshotLargerThanTheStreamsResponseBuffer_arrivesWholeThenLiveEventsFollow() throws Exception {
        int orders = 60; // a board of 60 orders: a snapshot many times the stream's 2 KB response buffer
        for (int i = 0; i < orders; i++) {
            tracker.register(new NewOrder("big-" + i, "r-big", "c-" + i, new GeoPoint(33.9, 35.5)));
        }
        try (SseClient board = node.stream("/restaurants/r-big/stream", Node.token(Role.RESTAURANT, "r-big"))) {
            assertEquals("retry", board.next().event());
            String data = board.nextEvent().data();
            assertTrue(data.length() > 4 * org.ordertracking.servlet.internal.Responses.STREAM_BUFFER_BYTES,
                    "the snapshot should outgrow the buffer, not " + data.length() + " bytes");
            assertEquals(orders, JsonCodec.mapper().readTree(data).get("orders").size());
            tracker.transition("big-7", OrderStatus.ACCEPTED);
            assertEquals("big-7", JsonCodec.mapper().readTree(board.nextOfType("status").data()).get("order_id").asText());
        }
    }

    @Test
    void restaurantStream_busGap_sendsAFreshSnapshot() throws Exception {
        tracker.register(new NewOrder("ro-6", "r-6", "c-1", new GeoPoint(33.9, 35.5)));
        try (SseClient board = node.stream("/restaurants/r-6/stream", Node.token(Role.RESTAURANT, "r-6"))) {
            board.nextOfType("snapshot");
            tracker.transition("ro-6", OrderStatus.ACCEPTED);
            board.nextOfType("status");
            bus.signalGap(org.ordertracking.core.Topic.restaurant("r-6"));
            JsonNode fresh = JsonCodec.mapper().readTree(board.nextOfType("snapshot").data());
            assertEquals("accepted", fresh.get("orders").get(0).get("status").asText());
        }
    }

    @Test
    void restaurantOrders_unchanged_answers304ToIfNoneMatch() throws Exception {
        tracker.register(new NewOrder("ro-3", "r-3", "c-1", new GeoPoint(33.9, 35.5)));
        String token = Node.token(Role.RESTAURANT, "r-3");
        HttpResponse<String> first = node.get("/restaurants/r-3/orders", token);
        assertEquals(200, first.statusCode());
        JsonNode list = JsonCodec.mapper().readTree(first.body());
        assertTrue(list.isArray());
        assertEquals("ro-3", list.get(0).get("order_id").asText());
        String etag = first.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> again = node.http.send(HttpRequest.newBuilder(node.uri("/restaurants/r-3/orders"))
                .header("Authorization", "Bearer " + token).header("If-None-Match", etag).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(304, again.statusCode());
        assertEquals("", again.body());

        tracker.transition("ro-3", OrderStatus.ACCEPTED);
        HttpResponse<String> changed = node.http.send(HttpRequest.newBuilder(node.uri("/restaurants/r-3/orders"))
                .header("Authorization", "Bearer " + token).header("If-None-Match", etag).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, changed.statusCode());
        assertNotEquals(etag, changed.headers().firstValue("ETag").orElseThrow());
    }

    @Test
    void metrics_streamStillOpenAfterItsOrderEnded_isReapedAsLeak() throws Exception {
        tracker.register(new NewOrder("ro-4", "r-1", "c-1", new GeoPoint(33.9, 35.5)));
        try (SseClient customer = node.stream("/orders/ro-4/stream", Node.token(Role.CUSTOMER, "ro-4"))) {
            customer.nextOfType("snapshot");
            JsonNode metrics = Metrics.read(node);
            assertEquals(1, metrics.get("connections").get("customer_stream").asInt(), metrics.toString());
            assertEquals(1, metrics.get("viewers").get("ro-4").asInt());
            bus.loseNextOrderPublishes.set(1); // the stream never hears of the terminal status
            tracker.transition("ro-4", OrderStatus.FAILED);
            assertSame(SseClient.END, customer.nextEvent(), "the leak sweep closes the stream");
            await("the sweep counts the leak").atMost(Metrics.WAIT).until(() -> Metrics.leaksClosed(node), equalTo(1));
            assertEquals(0, Metrics.read(node).get("connections").get("customer_stream").asInt());
        }
    }

    @Test
    void close_twice_isHarmlessAndEndsOpenStreams() throws Exception {
        tracker.register(new NewOrder("ro-5", "r-1", "c-1", new GeoPoint(33.9, 35.5)));
        try (SseClient customer = node.stream("/orders/ro-5/stream", Node.token(Role.CUSTOMER, "ro-5"))) {
            customer.nextOfType("snapshot");
            assertDoesNotThrow(node.servlet::close);
            assertDoesNotThrow(node.servlet::close, "a second close is a no-op");
            customer.awaitEnd(Duration.ofSeconds(20));
        }
        HttpResponse<String> r = node.get("/orders/ro-5/stream", Node.token(Role.CUSTOMER, "ro-5"));
        assertEquals(503, r.statusCode(), r.body());
    }
}
