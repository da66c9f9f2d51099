package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Set;
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
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.PowerPlan;
import org.ordertracking.core.PowerSchedule;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.test.SettableClock;

/**
 * The power risk on the HTTP surface, on a real container: {@code power_risk} on the order snapshot
 * for restaurants and operators (never customers), on the restaurant board's snapshot and order
 * list, the {@code order_at_risk} event on the board stream, and the gauge. The tracker's clock is
 * settable: 10:00Z is 12:00 in Beirut (winter, +02:00); the area "hamra" has a daily cut at 12:10.
 */
@Timeout(120)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class PowerRiskIT {
    private static final Instant NOON_BEIRUT = Instant.parse("2026-12-02T10:00:00Z");
    private static final GeoPoint HAMRA = new GeoPoint(33.8966, 35.4823);

    @Parameter
    Container container;

    private final SettableClock clock = SettableClock.at(NOON_BEIRUT);
    private EventBus bus;
    private OrderTracker tracker;
    private Node node;

    @BeforeEach
    void start() throws Exception {
        bus = EventBus.inMemory();
        PowerSchedule schedule = PowerSchedule.inMemory(PowerPlan.builder()
                .area("hamra", ZoneId.of("Asia/Beirut"))
                .daily("hamra", LocalTime.of(12, 10), LocalTime.of(14, 0))
                .area("achrafieh", ZoneId.of("Asia/Beirut"))
                .restaurant("r-1", "hamra").restaurant("r-2", "achrafieh").build());
        tracker = OrderTracker.builder().eventBus(bus).clock(clock).powerSchedule(schedule).build();
        node = Node.start(container, tracker);
    }

    @AfterEach
    void stop() throws Exception {
        node.close();
        tracker.close();
        bus.close();
    }

    private JsonNode get(String path, String token) throws Exception {
        HttpResponse<String> response = node.get(path, token);
        assertEquals(200, response.statusCode(), response.body());
        return JsonCodec.mapper().readTree(response.body());
    }

    @Test
    void orderSnapshot_showsTheRiskToRestaurantsAndOperators_butNotToCustomers() throws Exception {
        tracker.register(new NewOrder("pr-1", "r-1", "c-1", HAMRA));
        clock.advance(Duration.ofSeconds(90));

        for (String token : new String[] {Node.operator(), Node.token(Role.RESTAURANT, "r-1")}) {
            JsonNode risk = get("/orders/pr-1", token).get("power_risk");
            assertEquals("pr-1", risk.get("order_id").asText());
            assertEquals("hamra", risk.get("area").asText());
            assertEquals("2026-12-02T10:10:00Z", risk.get("cut_start").asText());
            assertEquals("2026-12-02T12:00:00Z", risk.get("cut_end").asText());
            assertEquals("daily", risk.get("cut_kind").asText());
            assertEquals("placed_before_cut", risk.get("reason").asText());
            assertEquals(9, risk.get("minutes_until").asInt(), "8.5 minutes on the tracker's clock, rounded up");
        }
        JsonNode forCustomer = get("/orders/pr-1", Node.token(Role.CUSTOMER, "pr-1"));
        assertFalse(forCustomer.has("power_risk"), forCustomer.toString());
        assertEquals("pr-1", forCustomer.get("order").get("order_id").asText());
    }

    @Test
    void orderSnapshot_ofAnOrderNotAtRisk_hasANullRisk() throws Exception {
        tracker.register(new NewOrder("pr-2", "r-2", "c-1", HAMRA));
        JsonNode snapshot = get("/orders/pr-2", Node.operator());
        assertTrue(snapshot.has("power_risk"));
        assertTrue(snapshot.get("power_risk").isNull());
    }

    @Test
    void restaurantBoard_flagsAtRiskOrders_inItsSnapshot_list_andLiveEvents() throws Exception {
        tracker.register(new NewOrder("pr-3", "r-1", "c-1", HAMRA));
        clock.set(Instant.parse("2026-12-02T10:15:00Z"));   // after the cut started: not at risk
        tracker.register(new NewOrder("pr-4", "r-1", "c-1", HAMRA));
        String restaurant = Node.token(Role.RESTAURANT, "r-1");

        JsonNode list = get("/restaurants/r-1/orders", restaurant);
        assertEquals(2, list.size());
        assertEquals("pr-3", list.get(0).get("power_risk").get("order_id").asText());
        assertEquals(-5, list.get(0).get("power_risk").get("minutes_until").asInt());
        assertTrue(list.get(1).get("power_risk").isNull());
        assertEquals("r-1", list.get(0).get("restaurant_id").asText(), "the order's own fields are all there");

        try (SseClient board = node.stream("/restaurants/r-1/stream", restaurant)) {
            JsonNode snapshot = JsonCodec.mapper().readTree(board.nextOfType("snapshot").data());
            assertEquals("2026-12-02T10:10:00Z", snapshot.get("orders").get(0).get("power_risk").get("cut_start").asText());
            assertTrue(snapshot.get("orders").get(1).get("power_risk").isNull());

            // placed at 14:05 Beirut: the next day's 12:10 cut is far off, so not at risk; then one at 12:05
            clock.set(Instant.parse("2026-12-02T12:05:00Z"));
            tracker.register(new NewOrder("pr-5", "r-1", "c-1", HAMRA));
            clock.set(Instant.parse("2026-12-03T10:05:00Z"));
            tracker.register(new NewOrder("pr-6", "r-1", "c-1", HAMRA));
            SseClient.Event first = board.nextEvent();
            assertEquals("status", first.event());
            assertEquals("pr-5", JsonCodec.mapper().readTree(first.data()).get("order_id").asText());
            assertEquals("status", board.nextEvent().event());
            SseClient.Event atRisk = board.nextEvent();
            assertEquals("order_at_risk", atRisk.event());
            assertNull(atRisk.id());
            JsonNode risk = JsonCodec.mapper().readTree(atRisk.data());
            assertEquals("pr-6", risk.get("order_id").asText());
            assertEquals("2026-12-03T10:10:00Z", risk.get("cut_start").asText());
            assertEquals(5, risk.get("minutes_until").asInt());
        }
    }

    @Test
    void gauge_countsTheActiveOrdersAtRisk() throws Exception {
        tracker.register(new NewOrder("pr-7", "r-1", "c-1", HAMRA));
        tracker.register(new NewOrder("pr-8", "r-1", "c-1", HAMRA));
        tracker.register(new NewOrder("pr-9", "r-2", "c-1", HAMRA));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (TrackingMeterBinder binder = new TrackingMeterBinder(node.servlet)) {
            binder.bindTo(meters);
            assertEquals(2.0, meters.get("tracking.orders.at_risk").gauge().value());
            tracker.transition("pr-7", org.ordertracking.core.OrderStatus.FAILED);
            tracker.sweepPowerRisk();
            assertEquals(1.0, meters.get("tracking.orders.at_risk").gauge().value());
        }
    }

    @Test
    void powerRiskRoles_empty_showsItToNobody() throws Exception {
        tracker.register(new NewOrder("pr-10", "r-1", "c-1", HAMRA));
        try (Node hidden = Node.start(container, tracker, b -> b.powerRiskRoles(Set.of()))) {
            HttpResponse<String> response = hidden.get("/orders/pr-10", Node.operator());
            assertEquals(200, response.statusCode());
            assertFalse(JsonCodec.mapper().readTree(response.body()).has("power_risk"), response.body());
            JsonNode list = JsonCodec.mapper().readTree(hidden.get("/restaurants/r-1/orders", Node.operator()).body());
            assertFalse(list.get(0).has("power_risk"));
        }
    }

    @Test
    void withoutASchedule_noDocumentHasTheField_andThereIsNoGauge() throws Exception {
        try (OrderTracker plain = OrderTracker.builder().eventBus(bus).clock(clock).build();
                Node other = Node.start(container, plain)) {
            plain.register(new NewOrder("pr-11", "r-1", "c-1", HAMRA));
            HttpResponse<String> response = other.get("/orders/pr-11", Node.operator());
            assertFalse(JsonCodec.mapper().readTree(response.body()).has("power_risk"), response.body());
            JsonNode list = JsonCodec.mapper().readTree(other.get("/restaurants/r-1/orders", Node.operator()).body());
            assertFalse(list.get(0).has("power_risk"));
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            try (TrackingMeterBinder binder = new TrackingMeterBinder(other.servlet)) {
                binder.bindTo(meters);
                assertNull(meters.find("tracking.orders.at_risk").gauge());
            }
        }
    }
}
