package org.ordertracking.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The operations topic and its messages: names, wire form, round trips and refusals. */
class OperationsMessagesTest {
    private static final Instant AT = Instant.parse("2026-11-24T10:00:00Z");

    @Test
    void operationsTopic_isTheOneChannelOperationsAll() {
        assertEquals("operations:all", Topic.operations().channel());
        assertEquals(Topic.operations(), Topic.parse("operations:all"));
        assertEquals("operations", Topic.Kind.OPERATIONS.prefix());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Topic.parse("operations:r-1"));
        assertTrue(e.getMessage().contains("'r-1'"), e.getMessage());
    }

    @Test
    void restaurantOffline_isEncodedAndReadBack() {
        TrackingMessage.RestaurantOffline offline = new TrackingMessage.RestaurantOffline("r-1", AT.minusSeconds(200),
                AT.minusSeconds(200), 2, AT);
        String json = WireCodec.toJson(offline);
        assertEquals("{\"restaurant_id\":\"r-1\",\"silent_since\":\"2026-11-24T09:56:40Z\","
                + "\"last_seen_at\":\"2026-11-24T09:56:40Z\",\"open_orders\":2,\"at\":\"2026-11-24T10:00:00Z\"}", json);
        assertEquals(offline, WireCodec.readMessage("restaurant_offline", json));
        assertEquals("restaurant_offline", offline.type());
        assertNull(offline.orderId(), "about a restaurant, not an order");
    }

    @Test
    void restaurantOnline_neverSeen_writesANullLastSeen() {
        TrackingMessage.RestaurantOnline online = new TrackingMessage.RestaurantOnline("r-1", null,
                TrackingMessage.RestaurantOnline.REASON_NO_OPEN_ORDERS, AT);
        String json = WireCodec.toJson(online);
        assertEquals("{\"restaurant_id\":\"r-1\",\"last_seen_at\":null,\"reason\":\"no_open_orders\","
                + "\"at\":\"2026-11-24T10:00:00Z\"}", json);
        assertEquals(online, WireCodec.readMessage("restaurant_online", json));
    }

    @Test
    void orderStuck_isEncodedAndReadBack() {
        TrackingMessage.OrderStuck stuck = new TrackingMessage.OrderStuck("o-1", "r-1", null, OrderStatus.READY,
                AT.minusSeconds(900), 900, AT);
        String json = WireCodec.toJson(stuck);
        assertEquals("{\"order_id\":\"o-1\",\"restaurant_id\":\"r-1\",\"driver_id\":null,\"status\":\"ready\","
                + "\"since\":\"2026-11-24T09:45:00Z\",\"limit_seconds\":900,\"at\":\"2026-11-24T10:00:00Z\"}", json);
        assertEquals(stuck, WireCodec.readMessage("order_stuck", json));
        assertEquals("o-1", stuck.orderId());
    }

    @Test
    void readMessage_badOperationsMessages_areRefusedNamingTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WireCodec.readMessage("restaurant_offline",
                "{\"restaurant_id\":\"r-1\",\"silent_since\":\"2026-11-24T09:56:40Z\",\"open_orders\":1.5,"
                        + "\"at\":\"2026-11-24T10:00:00Z\"}")).getMessage().contains("open_orders"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WireCodec.readMessage("restaurant_online",
                "{\"restaurant_id\":\"r-1\",\"reason\":\"power\",\"at\":\"2026-11-24T10:00:00Z\"}"))
                .getMessage().contains("'power'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WireCodec.readMessage("order_stuck",
                "{\"order_id\":\"o-1\",\"restaurant_id\":\"r-1\",\"status\":\"delivered\",\"since\":\"2026-11-24T09:45:00Z\","
                        + "\"limit_seconds\":900,\"at\":\"2026-11-24T10:00:00Z\"}")).getMessage().contains("terminal"));
        assertThrows(IllegalArgumentException.class, () -> WireCodec.readMessage("restaurant_offline",
                "{\"restaurant_id\":\"r 1\",\"silent_since\":\"2026-11-24T09:56:40Z\",\"open_orders\":1,"
                        + "\"at\":\"2026-11-24T10:00:00Z\"}"));
    }

    @Test
    void restaurantPresence_silentSince_isTheLaterOfLastSeenAndOldestWaitingOrder() {
        assertEquals(AT, new RestaurantPresence("r-1", AT.minusSeconds(60), 1, AT, false, null).silentSince());
        assertEquals(AT, new RestaurantPresence("r-1", AT, 1, AT.minusSeconds(60), false, null).silentSince());
        assertEquals(AT, new RestaurantPresence("r-1", null, 1, AT, false, null).silentSince());
        assertNull(new RestaurantPresence("r-1", AT, 0, null, true, AT).silentSince());
        assertThrows(IllegalArgumentException.class, () -> new RestaurantPresence("r-1", AT, 1, null, false, null));
        assertThrows(IllegalArgumentException.class, () -> new RestaurantPresence("r-1", AT, -1, AT, false, null));
    }
}
