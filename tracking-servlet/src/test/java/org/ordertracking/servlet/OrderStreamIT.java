package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.WireCodec;
import org.ordertracking.core.internal.JsonCodec;

@org.junit.jupiter.api.Timeout(120)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class OrderStreamIT {
    @Parameter
    Container container;

    private HookedRepository repository;
    private GapBus bus;
    private OrderTracker tracker;
    private Node node;

    @BeforeEach
    void start() throws Exception {
        repository = new HookedRepository();
        bus = new GapBus(EventBus.inMemory());
        tracker = OrderTracker.builder().repository(repository).eventBus(bus).build();
        node = Node.start(container, tracker, b -> b.keepAlive(Duration.ofMillis(300)));
    }

    @AfterEach
    void stop() throws Exception {
        node.close();
        tracker.close();
        bus.close();
    }

    private String order(String id) {
        tracker.register(new NewOrder(id, "r-1", "c-1", new GeoPoint(33.89, 35.50)));
        return Node.token(Role.CUSTOMER, id);
    }

    private static void assertStatus(SseClient.Event event, long seq, String status) {
        assertEquals("status", event.event(), () -> "expected a status event but got " + event);
        assertEquals(Long.toString(seq), event.id());
        JsonNode data = json(event.data());
        assertEquals(seq, data.get("seq").asLong());
        assertEquals(status, data.get("status").asText());
    }

    private static JsonNode json(String s) {
        try {
            return JsonCodec.mapper().readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    @Test
    void stream_newOrder_sendsRetryThenReplayThenSnapshotThenLive() throws Exception {
        String token = order("o-1");
        try (SseClient sse = node.stream("/orders/o-1/stream", token)) {
            assertEquals(200, sse.status());
            assertTrue(sse.header("Content-Type").startsWith("text/event-stream"), sse.header("Content-Type"));
            assertEquals("no-store", sse.header("Cache-Control"));
            assertEquals("no", sse.header("X-Accel-Buffering"));
            SseClient.Event retry = sse.next();
            assertEquals("retry", retry.event());
            long retryMillis = Long.parseLong(retry.data());
            assertTrue(retryMillis >= 3000 && retryMillis <= 8000, "retry: drawn from [3000, 8000], got " + retryMillis);
            SseClient.Event first = sse.next();
            assertStatus(first, 1, "received");
            assertEquals(WireCodec.toJson(tracker.history("o-1").get(0)), first.data());
            SseClient.Event snapshot = sse.nextEvent();
            assertEquals("snapshot", snapshot.event());
            JsonNode snap = json(snapshot.data());
            assertEquals("o-1", snap.get("order_id").asText());
            assertTrue(snap.has("location") && snap.has("signal") && snap.has("eta_seconds"), snapshot.data());

            OrderEvent accepted = tracker.transition("o-1", OrderStatus.ACCEPTED);
            SseClient.Event live = sse.nextEvent();
            assertStatus(live, 2, "accepted");
            assertEquals(WireCodec.toJson(accepted), live.data());
        }
    }

    @Test
    void stream_lastEventIdHeaderOrQuery_replaysOnlyLaterStatuses() throws Exception {
        String token = order("o-2");
        tracker.transition("o-2", OrderStatus.ACCEPTED);
        tracker.transition("o-2", OrderStatus.PREPARING);
        try (SseClient sse = node.stream("/orders/o-2/stream", token, "1")) {
            assertEquals("retry", sse.next().event());
            assertStatus(sse.next(), 2, "accepted");
            assertStatus(sse.next(), 3, "preparing");
            assertEquals("snapshot", sse.nextEvent().event());
        }
        try (SseClient sse = node.stream("/orders/o-2/stream?last_event_id=2", token)) {
            assertEquals("retry", sse.next().event());
            assertStatus(sse.next(), 3, "preparing");
            assertEquals("snapshot", sse.nextEvent().event());
        }
    }

    @Test
    void stream_reconnectAfterCut_resumesWithNoGapAndNoDuplicate() throws Exception {
        String token = order("o-3");
        String lastId;
        try (SseClient sse = node.stream("/orders/o-3/stream", token)) {
            sse.nextOfType("snapshot");
            tracker.transition("o-3", OrderStatus.ACCEPTED);
            SseClient.Event e = sse.nextEvent();
            assertStatus(e, 2, "accepted");
            lastId = e.id();
        } // the network cut
        tracker.transition("o-3", OrderStatus.PREPARING);
        tracker.transition("o-3", OrderStatus.READY);
        try (SseClient sse = node.stream("/orders/o-3/stream", token, lastId)) {
            assertEquals("retry", sse.next().event());
            assertStatus(sse.next(), 3, "preparing");
            assertStatus(sse.next(), 4, "ready");
            assertEquals("snapshot", sse.nextEvent().event());
            tracker.transition("o-3", OrderStatus.PICKED_UP);
            assertStatus(sse.nextEvent(), 5, "picked_up");
        }
    }

    @Test
    void stream_terminalStatus_endsStreamAndLaterReconnectGets204() throws Exception {
        String token = order("o-4");
        try (SseClient sse = node.stream("/orders/o-4/stream", token)) {
            sse.nextOfType("snapshot");
            tracker.transition("o-4", OrderStatus.FAILED, "rejected", null);
            SseClient.Event e = sse.nextEvent();
            assertStatus(e, 2, "failed");
            assertSame(SseClient.END, sse.nextEvent(), "the stream must end after the terminal status");
        }
        try (SseClient again = node.stream("/orders/o-4/stream", token, "2")) {
            assertEquals(204, again.status());
        }
        try (SseClient fresh = node.stream("/orders/o-4/stream", token)) {
            assertEquals(200, fresh.status());
            assertEquals("retry", fresh.next().event());
            assertStatus(fresh.next(), 1, "received");
            assertStatus(fresh.next(), 2, "failed");
            JsonNode snap = json(fresh.nextOfType("snapshot").data());
            assertTrue(snap.get("location").isNull(), "no location once terminal: " + snap);
            fresh.awaitEnd(Duration.ofSeconds(20));
        }
    }

    @Test
    void stream_terminalOrder_neverSendsLocationAfterTheTerminalStatus() throws Exception {
        String token = order("o-5");
        tracker.transition("o-5", OrderStatus.ACCEPTED);
        tracker.transition("o-5", OrderStatus.PREPARING);
        tracker.transition("o-5", OrderStatus.READY);
        tracker.assignDriver("o-5", "d-1");
        tracker.transition("o-5", OrderStatus.PICKED_UP);
        try (SseClient sse = node.stream("/orders/o-5/stream", token)) {
            sse.nextOfType("snapshot");
            Instant now = Instant.now();
            bus.publish(Topic.order("o-5"), new TrackingMessage.LocationUpdate("o-5", "d-1",
                    LocationFix.of(33.9, 35.5, now, now), 60L));
            assertEquals("location", sse.nextEvent().event());
            tracker.transition("o-5", OrderStatus.DELIVERED);
            bus.publish(Topic.order("o-5"), new TrackingMessage.LocationUpdate("o-5", "d-1",
                    LocationFix.of(33.91, 35.51, now, now), 30L));
            assertStatus(sse.nextEvent(), 6, "delivered");
            assertSame(SseClient.END, sse.nextEvent());
        }
    }

    @Test
    void stream_statusCommittedBeforeHistoryRead_isSentOnce() throws Exception {
        String token = order("o-6");
        // subscribe happened; the transition commits and publishes before the replay reads the history
        repository.beforeNextEvents.set(() -> tracker.transition("o-6", OrderStatus.ACCEPTED));
        try (SseClient sse = node.stream("/orders/o-6/stream", token)) {
            assertEquals("retry", sse.next().event());
            assertStatus(sse.next(), 1, "received");
            assertStatus(sse.next(), 2, "accepted");
            assertEquals("snapshot", sse.nextEvent().event());
            tracker.transition("o-6", OrderStatus.PREPARING);
            assertStatus(sse.nextEvent(), 3, "preparing");
        }
    }

    @Test
    void stream_statusesCommittedDuringAndAfterHistoryRead_arriveInOrderWithoutGap() throws Exception {
        String token = order("o-7");
        // the history read returns only seq 1; seq 2 and 3 are committed and published right after it,
        // before the stream switches to live
        repository.afterNextEvents.set(() -> {
            tracker.transition("o-7", OrderStatus.ACCEPTED);
            tracker.transition("o-7", OrderStatus.PREPARING);
        });
        try (SseClient sse = node.stream("/orders/o-7/stream", token)) {
            assertEquals("retry", sse.next().event());
            assertStatus(sse.next(), 1, "received");
            assertStatus(sse.nextOfType("status"), 2, "accepted");
            assertStatus(sse.nextOfType("status"), 3, "preparing");
            tracker.transition("o-7", OrderStatus.READY);
            assertStatus(sse.nextEvent(), 4, "ready");
        }
    }

    @Test
    void stream_busLosesAStatus_fillsTheGapFromTheRepository() throws Exception {
        String token = order("o-8");
        try (SseClient sse = node.stream("/orders/o-8/stream", token)) {
            sse.nextOfType("snapshot");
            bus.loseNextOrderPublishes.set(1);
            tracker.transition("o-8", OrderStatus.ACCEPTED); // lost on the order topic
            tracker.transition("o-8", OrderStatus.PREPARING); // seq 3 arrives: 2 is read from the repository
            assertStatus(sse.nextEvent(), 2, "accepted");
            assertStatus(sse.nextEvent(), 3, "preparing");
            bus.loseNextOrderPublishes.set(1);
            tracker.transition("o-8", OrderStatus.READY); // lost, and nothing follows it
            bus.signalGap(Topic.order("o-8")); // the bus says it may have missed messages
            assertStatus(sse.nextEvent(), 4, "ready");
        }
    }

    @Test
    void stream_idle_sendsKeepAliveComment() throws Exception {
        String token = order("o-9");
        try (SseClient sse = node.stream("/orders/o-9/stream", token)) {
            sse.nextOfType("snapshot");
            SseClient.Event e = sse.next(Duration.ofSeconds(10));
            assertEquals("comment", e.event());
            assertEquals("keep-alive", e.data());
            assertTrue(sse.lines.contains(": keep-alive"), sse.lines.toString());
        }
    }

    @Test
    void stream_lastEventIdBeyondTheOrdersSeq_stillDeliversLiveStatuses() throws Exception {
        String token = order("o-11");
        try (SseClient sse = node.stream("/orders/o-11/stream", token, "42")) {
            assertEquals("retry", sse.next().event());
            assertEquals("snapshot", sse.nextEvent().event());
            tracker.transition("o-11", OrderStatus.ACCEPTED);
            assertStatus(sse.nextEvent(), 2, "accepted");
        }
    }

    @Test
    void stream_accessTokenQuery_standsInForTheHeader() throws Exception {
        String token = order("o-12");
        try (SseClient sse = node.stream("/orders/o-12/stream?access_token=" + token, null)) {
            assertEquals(200, sse.status());
            assertEquals("retry", sse.next().event());
            assertStatus(sse.next(), 1, "received");
        }
        try (SseClient other = node.stream("/orders/o-12/stream?access_token=" + Node.token(Role.CUSTOMER, "o-1"), null)) {
            assertEquals(403, other.status());
        }
    }

    @Test
    void registerOrder_withoutId_generatesOneAndReturnsAWorkingTrackingToken() throws Exception {
        HttpResponse<String> r = node.post("/orders", Node.operator(),
                "{\"restaurant_id\":\"r-1\",\"customer_id\":\"c-9\",\"destination\":{\"lat\":33.9,\"lon\":35.5}}");
        assertEquals(201, r.statusCode(), r.body());
        JsonNode body = json(r.body());
        String id = body.get("order_id").asText();
        assertTrue(org.ordertracking.core.internal.Checks.isValidId(id), id);
        assertEquals("/tracking/orders/" + id, r.headers().firstValue("Location").orElseThrow());
        try (SseClient sse = node.stream("/orders/" + id + "/stream", body.get("tracking_token").asText())) {
            assertEquals("retry", sse.next().event());
            assertStatus(sse.next(), 1, "received");
        }
    }

    @Test
    void snapshot_getOrder_answersOrderEventsAndLiveFields() throws Exception {
        String token = order("o-10");
        tracker.transition("o-10", OrderStatus.ACCEPTED);
        HttpResponse<String> r = node.get("/orders/o-10", token);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = json(r.body());
        assertEquals("o-10", body.get("order").get("order_id").asText());
        assertEquals("accepted", body.get("order").get("status").asText());
        assertEquals(2, body.get("events").size());
        assertEquals(WireCodec.toJson(tracker.history("o-10").get(1)), body.get("events").get(1).toString());
        assertTrue(body.has("location") && body.has("signal") && body.has("eta_seconds"), r.body());
        assertNotNull(r.headers().firstValue("ETag").orElse(null));
    }
}
