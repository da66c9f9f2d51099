package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
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
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.RestaurantPresence;
import org.ordertracking.core.RestaurantPresenceMonitor;
import org.ordertracking.core.StuckOrderWatchdog;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.test.ForwardingOrderRepository;
import org.ordertracking.test.RecordingListener;
import org.ordertracking.test.SettableClock;

/**
 * {@code GET /operations/stream} through a real container: the snapshot read from the store, then the
 * operations topic's messages with nothing lost at the seam, the figures, the heartbeat of a polling
 * board, and the offline flag on a customer's snapshot. Time is a {@link SettableClock}; the monitors'
 * checks are run by the test.
 */
@Timeout(120)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class OperationsStreamIT {
    private static final Instant T0 = Instant.parse("2026-12-02T12:00:00Z");

    @Parameter
    Container container;

    private final SettableClock clock = SettableClock.at(T0);
    /** When armed, the next restaurantPresence() read of the operator's snapshot runs {@link #duringRead} after it. */
    private final AtomicBoolean armed = new AtomicBoolean();
    private volatile Runnable duringRead = () -> { };
    private final OrderRepository repository = new ForwardingOrderRepository(OrderRepository.inMemory()) {
        @Override
        public List<RestaurantPresence> restaurantPresence() {
            List<RestaurantPresence> read = super.restaurantPresence();
            if (armed.compareAndSet(true, false)) {
                duringRead.run();
            }
            return read;
        }
    };
    private EventBus bus;
    private OrderTracker tracker;
    private RestaurantPresenceMonitor presence;
    private RestaurantPresenceMonitor otherNode;
    private StuckOrderWatchdog watchdog;
    private Node node;

    @BeforeEach
    void start() throws Exception {
        bus = EventBus.inMemory();
        tracker = OrderTracker.builder().repository(repository).eventBus(bus).clock(clock).build();
        presence = RestaurantPresenceMonitor.builder(repository, bus).clock(clock).build();
        otherNode = RestaurantPresenceMonitor.builder(repository, bus).clock(clock).build();
        watchdog = StuckOrderWatchdog.builder(repository, bus).clock(clock).build();
        node = Node.start(container, tracker, b -> b.restaurantPresence(presence).stuckOrders(watchdog)
                .operationsRefresh(Duration.ofMillis(50)));
    }

    @AfterEach
    void stop() throws Exception {
        node.close();
        presence.close();
        otherNode.close();
        watchdog.close();
        tracker.close();
        bus.close();
    }

    private void order(String orderId, String restaurantId) {
        tracker.register(new NewOrder(orderId, restaurantId, "c-1", new GeoPoint(33.9, 35.5)));
    }

    private static JsonNode json(SseClient.Event event) throws Exception {
        return JsonCodec.mapper().readTree(event.data());
    }

    @Test
    void operationsStream_snapshotFromTheStore_thenEveryChange() throws Exception {
        order("op-dark", "r-dark");
        order("op-1", "r-1");
        tracker.transition("op-1", OrderStatus.ACCEPTED);
        clock.advance(Duration.ofMinutes(3));
        node.get("/restaurants/r-1/orders", Node.token(Role.RESTAURANT, "r-1"));   // r-1's board polls
        presence.check();                                                         // r-dark goes dark before anyone watches

        try (SseClient ops = node.stream("/operations/stream", Node.operator())) {
            assertEquals("no-store", ops.header("Cache-Control"));
            assertEquals("retry", ops.next().event());
            SseClient.Event first = ops.nextEvent();
            assertEquals("snapshot", first.event());
            JsonNode snapshot = json(first);
            assertEquals(1, snapshot.get("offline_restaurants").size(), first.data());
            JsonNode dark = snapshot.get("offline_restaurants").get(0);
            assertEquals("r-dark", dark.get("restaurant_id").asText());
            assertEquals(T0.toString(), dark.get("silent_since").asText());
            assertEquals(1, dark.get("open_orders").asInt());
            assertEquals(0, snapshot.get("stuck_orders").size());
            assertEquals(0, snapshot.get("at_risk_orders").size(), "no power schedule: none");
            JsonNode figures = snapshot.get("figures");
            assertEquals(1, figures.get("connections").get("operations_stream").asInt());
            assertEquals(1, figures.get("restaurants_offline").asInt());
            assertTrue(figures.get("outbox").get("backlog").isNumber());

            clock.advance(Duration.ofMinutes(7));   // op-1 accepted for 10 minutes; r-1 silent for 7
            watchdog.check();
            JsonNode stuck = json(ops.nextOfType("order_stuck"));
            assertEquals("op-1", stuck.get("order_id").asText());
            assertEquals("accepted", stuck.get("status").asText());
            assertEquals(600, stuck.get("limit_seconds").asInt());

            presence.check();
            JsonNode offline = json(ops.nextOfType("restaurant_offline"));
            assertEquals("r-1", offline.get("restaurant_id").asText());
            assertEquals(T0.plus(Duration.ofMinutes(3)).toString(), offline.get("last_seen_at").asText());

            JsonNode flagged = JsonCodec.mapper().readTree(node.get("/orders/op-1", Node.token(Role.CUSTOMER, "op-1"))
                    .body());
            assertTrue(flagged.get("restaurant_offline").asBoolean(), "the customer's page can say so");

            node.get("/restaurants/r-1/orders", Node.token(Role.RESTAURANT, "r-1"));   // the board is back
            JsonNode online = json(ops.nextOfType("restaurant_online"));
            assertEquals("r-1", online.get("restaurant_id").asText());
            assertEquals("seen", online.get("reason").asText());
            JsonNode cleared = JsonCodec.mapper().readTree(node.get("/orders/op-1", Node.token(Role.CUSTOMER, "op-1"))
                    .body());
            assertFalse(cleared.get("restaurant_offline").asBoolean());
        }
    }

    @Test
    void operationsStream_changeAnnouncedWhileTheSnapshotIsRead_followsTheSnapshot() throws Exception {
        order("op-seam", "r-seam");
        clock.advance(Duration.ofMinutes(3));
        // another node finds r-seam dark just after this stream read the store, before it sent the snapshot;
        // the read waits until the announcement was delivered (to a listener subscribed after the stream's),
        // so it reaches the stream while the snapshot is still being composed
        duringRead = () -> {
            RecordingListener probe = new RecordingListener();
            try (Subscription s = bus.subscribe(Topic.operations(), probe)) {
                otherNode.check();
                assertEquals("restaurant_offline", probe.next().type());
            }
        };
        armed.set(true);
        try (SseClient ops = node.stream("/operations/stream", Node.operator())) {
            JsonNode snapshot = json(ops.nextOfType("snapshot"));
            assertEquals(0, snapshot.get("offline_restaurants").size(), "read before the change: " + snapshot);
            SseClient.Event after = ops.nextMatching("the change", e -> !e.event().equals("figures")
                    && !e.event().equals("comment"));
            assertEquals("restaurant_offline", after.event(), "held back while the snapshot was read, not lost");
            assertEquals("r-seam", json(after).get("restaurant_id").asText());
        }
        assertFalse(armed.get(), "the hook ran during the snapshot's read");
    }

    @Test
    void operationsStream_figuresChange_sendsAFiguresEvent() throws Exception {
        try (SseClient ops = node.stream("/operations/stream", Node.operator())) {
            assertEquals(0, json(ops.nextOfType("snapshot")).get("figures").get("connections").get("restaurant_stream")
                    .asInt());
            try (SseClient board = node.stream("/restaurants/r-5/stream", Node.token(Role.RESTAURANT, "r-5"))) {
                board.nextOfType("snapshot");
                SseClient.Event figures = ops.nextMatching("figures with the board",
                        e -> e.event().equals("figures") && json(e).get("connections").get("restaurant_stream").asInt() == 1);
                assertTrue(json(figures).has("at"));
            }
        }
    }

    @Test
    void meters_countOfflineRestaurantsAndStuckOrders() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        try (TrackingMeterBinder binder = new TrackingMeterBinder(node.servlet)) {
            binder.bindTo(meters);
            order("op-m1", "r-m1");
            tracker.transition("op-m1", OrderStatus.ACCEPTED);
            order("op-m2", "r-m2");
            clock.advance(Duration.ofMinutes(10));
            presence.check();
            watchdog.check();
            watchdog.check();
            assertEquals(2.0, meters.get("tracking.restaurants.offline").gauge().value());
            assertEquals(1.0, meters.get("tracking.orders.stuck").tag("status", "accepted").functionCounter().count());
            assertEquals(0.0, meters.get("tracking.orders.stuck").tag("status", "picked_up").functionCounter().count());
            assertEquals(1.0, meters.get("tracking.orders.stuck.open").gauge().value());
            assertEquals(0.0, meters.get("tracking.connections.open").tag("kind", "operations_stream").gauge().value());
        }
    }

    @Test
    void operationsStream_otherRoles_areRefusedAsProblems() throws Exception {
        for (String token : List.of(Node.token(Role.RESTAURANT, "r-1"), Node.token(Role.CUSTOMER, "op-1"),
                Node.token(Role.DRIVER, "d-1"))) {
            HttpResponse<String> refused = node.get("/operations/stream", token);
            assertEquals(403, refused.statusCode(), refused.body());
            assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse("")
                    .split(";")[0]);
        }
        assertEquals(401, node.get("/operations/stream", null).statusCode());
        assertEquals(405, node.post("/operations/stream", Node.operator(), "{}").statusCode());
    }
}
