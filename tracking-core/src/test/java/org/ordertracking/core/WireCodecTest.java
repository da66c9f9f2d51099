package org.ordertracking.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class WireCodecTest {
    private static final Instant AT = Instant.parse("2026-11-24T10:00:00Z");

    @Test
    void statusEvent_isEncodedExactlyAsTheDesignShows() {
        OrderEvent event = new OrderEvent("o-1", 3, OrderStatus.PREPARING, OrderStatus.ACCEPTED, null,
                "restaurant:r-1", AT);
        assertEquals("{\"order_id\":\"o-1\",\"seq\":3,\"status\":\"preparing\",\"previous\":\"accepted\","
                + "\"reason\":null,\"at\":\"2026-11-24T10:00:00Z\"}", WireCodec.toJson(event));
        assertEquals(WireCodec.toJson(event), WireCodec.toJson(new TrackingMessage.StatusUpdate(event)));
    }

    @Test
    void firstEvent_hasNullPrevious_andMillisecondsAreKept() {
        OrderEvent event = new OrderEvent("o-1", 1, OrderStatus.RECEIVED, null, "new", null,
                Instant.parse("2026-11-24T10:00:00.120Z"));
        assertEquals("{\"order_id\":\"o-1\",\"seq\":1,\"status\":\"received\",\"previous\":null,"
                + "\"reason\":\"new\",\"at\":\"2026-11-24T10:00:00.120Z\"}", WireCodec.toJson(event));
    }

    @Test
    void location_isEncodedExactlyAsTheDesignShows() {
        LocationFix fix = new LocationFix(33.8938, 35.5018, 8.0, 90.0, 5.0, AT, AT.plusSeconds(1));
        String json = WireCodec.toJson(new TrackingMessage.LocationUpdate("o-1", "d-1", fix, 420L));
        assertEquals("{\"order_id\":\"o-1\",\"driver_id\":\"d-1\",\"lat\":33.8938,\"lon\":35.5018,\"accuracy\":8.0,"
                + "\"recorded_at\":\"2026-11-24T10:00:00Z\",\"eta_seconds\":420}", json);
    }

    @Test
    void location_withoutAccuracyOrEta_writesNulls() {
        LocationFix fix = LocationFix.of(33.8938, 35.5018, AT, AT);
        assertEquals("{\"order_id\":\"o-1\",\"driver_id\":\"d-1\",\"lat\":33.8938,\"lon\":35.5018,\"accuracy\":null,"
                        + "\"recorded_at\":\"2026-11-24T10:00:00Z\",\"eta_seconds\":null}",
                WireCodec.toJson(new TrackingMessage.LocationUpdate("o-1", "d-1", fix, null)));
    }

    @Test
    void signal_isEncodedExactlyAsTheDesignShows() {
        assertEquals("{\"order_id\":\"o-1\",\"state\":\"low_coverage\",\"last_seen_at\":\"2026-11-24T10:00:00Z\","
                        + "\"age_seconds\":47}",
                WireCodec.toJson(new TrackingMessage.SignalUpdate("o-1", SignalState.LOW_COVERAGE, AT, 47L)));
    }

    @Test
    void assignment_isEncoded() {
        assertEquals("{\"order_id\":\"o-1\",\"driver_id\":\"d-1\"}",
                WireCodec.toJson(new TrackingMessage.DriverAssigned("o-1", "d-1")));
    }

    @Test
    void unassignedAndCancelled_areEncodedLikeTheAssignment() {
        assertEquals("{\"order_id\":\"o-1\",\"driver_id\":\"d-1\"}",
                WireCodec.toJson(new TrackingMessage.DriverUnassigned("o-1", "d-1")));
        assertEquals("{\"order_id\":\"o-1\",\"driver_id\":\"d-1\"}",
                WireCodec.toJson(new TrackingMessage.OrderCancelled("o-1", "d-1")));
        assertEquals("unassigned", new TrackingMessage.DriverUnassigned("o-1", "d-1").type());
        assertEquals("cancelled", new TrackingMessage.OrderCancelled("o-1", "d-1").type());
    }

    @Test
    void readMessage_driverInstructionWithBadId_isRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> WireCodec.readMessage("unassigned", "{\"order_id\":\"o 1\",\"driver_id\":\"d-1\"}"));
        assertThrows(IllegalArgumentException.class,
                () -> WireCodec.readMessage("cancelled", "{\"order_id\":\"o-1\"}"));
    }

    @Test
    void retentionPurged_isEncodedAndReadBack() {
        TrackingMessage.RetentionPurged purged =
                new TrackingMessage.RetentionPurged(42, AT.minusSeconds(86_400), AT.plusMillis(5));
        String json = WireCodec.toJson(purged);

        assertEquals("{\"purged\":42,\"finished_before\":\"2026-11-23T10:00:00Z\",\"at\":\"2026-11-24T10:00:00.005Z\"}",
                json);
        assertEquals(purged, WireCodec.readMessage("retention_purged", json));
        assertEquals("retention_purged", purged.type());
        assertEquals(null, purged.orderId(), "about many orders, not one");
    }

    @Test
    void retentionPurged_badValues_areRejected() {
        assertThrows(IllegalArgumentException.class, () -> new TrackingMessage.RetentionPurged(0, AT, AT));
        assertThrows(NullPointerException.class, () -> new TrackingMessage.RetentionPurged(1, null, AT));
        assertThrows(IllegalArgumentException.class, () -> WireCodec.readMessage("retention_purged",
                "{\"purged\":\"many\",\"finished_before\":\"2026-11-23T10:00:00Z\",\"at\":\"2026-11-24T10:00:00Z\"}"));
        assertThrows(IllegalArgumentException.class, () -> WireCodec.readMessage("retention_purged",
                "{\"purged\":1.5,\"finished_before\":\"2026-11-23T10:00:00Z\",\"at\":\"2026-11-24T10:00:00Z\"}"));
        assertThrows(IllegalArgumentException.class, () -> WireCodec.readMessage("retention_purged",
                "{\"purged\":0,\"finished_before\":\"2026-11-23T10:00:00Z\",\"at\":\"2026-11-24T10:00:00Z\"}"));
        assertThrows(IllegalArgumentException.class, () -> WireCodec.readMessage("retention_purged",
                "{\"purged\":1,\"finished_before\":\"yesterday\",\"at\":\"2026-11-24T10:00:00Z\"}"));
    }

    @Test
    void order_isEncodedWithSnakeCaseFields() {
        TrackedOrder order = new TrackedOrder("o-1", "r-1", "c-1", null, new GeoPoint(33.9, 35.5),
                OrderStatus.PICKED_UP, 5, AT, AT.plusSeconds(60));
        assertEquals("{\"order_id\":\"o-1\",\"restaurant_id\":\"r-1\",\"customer_id\":\"c-1\",\"driver_id\":null,"
                + "\"destination\":{\"lat\":33.9,\"lon\":35.5},\"status\":\"picked_up\",\"seq\":5,"
                + "\"created_at\":\"2026-11-24T10:00:00Z\",\"updated_at\":\"2026-11-24T10:01:00Z\"}",
                WireCodec.toJson(order));
    }

    @Test
    void readMessage_roundTripsEveryType() {
        TrackingMessage[] messages = {
            new TrackingMessage.StatusUpdate(new OrderEvent("o-1", 2, OrderStatus.ACCEPTED, OrderStatus.RECEIVED,
                    "ok", null, AT)),
            new TrackingMessage.LocationUpdate("o-1", "d-1", new LocationFix(33.1, 35.2, 4.5, null, null, AT, AT), 60L),
            new TrackingMessage.SignalUpdate("o-1", SignalState.CONNECTION_LOST, null, null),
            new TrackingMessage.DriverAssigned("o-1", "d-1"),
            new TrackingMessage.DriverUnassigned("o-1", "d-1"),
            new TrackingMessage.OrderCancelled("o-1", "d-1")
        };
        for (TrackingMessage message : messages) {
            String json = WireCodec.toJson(message);
            assertEquals(json, WireCodec.toJson(WireCodec.readMessage(message.type(), json)));
        }
        for (int i = 3; i < messages.length; i++) {
            assertEquals(messages[i], WireCodec.readMessage(messages[i].type(), WireCodec.toJson(messages[i])),
                    "records compare by value, so the instruction reads back equal");
        }
    }

    @Test
    void readMessage_unknownTypeOrMalformedJson_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> WireCodec.readMessage("snapshot", "{}"));
        assertThrows(IllegalArgumentException.class, () -> WireCodec.readMessage("status", "{not json"));
        assertThrows(IllegalArgumentException.class, () -> WireCodec.readMessage("status", "[1,2]"));
        assertThrows(IllegalArgumentException.class, () -> WireCodec.readMessage("status", "{\"order_id\":1}"));
    }

    @Test
    void storedFix_roundTripsEveryField() {
        LocationFix fix = new LocationFix(33.8938, 35.5018, 8.0, 271.5, 11.2, AT, AT.plusMillis(1500));
        assertEquals(fix, WireCodec.readStoredFix(WireCodec.toStoredJson(fix)));
        LocationFix bare = LocationFix.of(-33.9, 151.2, AT, AT);
        assertEquals(bare, WireCodec.readStoredFix(WireCodec.toStoredJson(bare)));
    }

    @Test
    void readFix_fromDriverApp_usesServerReceiptTime() throws Exception {
        LocationFix fix = WireCodec.readFix(
                "{\"lat\":33.9,\"lon\":35.5,\"accuracy\":5,\"recorded_at\":\"2026-11-24T10:00:00Z\",\"extra\":true}",
                AT.plusSeconds(3));
        assertEquals(new LocationFix(33.9, 35.5, 5.0, null, null, AT, AT.plusSeconds(3)), fix);
    }

    @Test
    void readFix_badInputs_carryTheirReasonCodes() throws Exception {
        assertReason(FixRejection.MALFORMED, "[1]");
        assertReason(FixRejection.MALFORMED, "{\"lat\":33,");
        assertReason(FixRejection.INVALID_COORDINATES, "{\"lat\":\"33\",\"lon\":35,\"recorded_at\":\"2026-11-24T10:00:00Z\"}");
        assertReason(FixRejection.INVALID_COORDINATES, "{\"lon\":35,\"recorded_at\":\"2026-11-24T10:00:00Z\"}");
        assertReason(FixRejection.INVALID_COORDINATES, "{\"lat\":91,\"lon\":35,\"recorded_at\":\"2026-11-24T10:00:00Z\"}");
        assertReason(FixRejection.NULL_ISLAND, "{\"lat\":0,\"lon\":0,\"recorded_at\":\"2026-11-24T10:00:00Z\"}");
        assertReason(FixRejection.MALFORMED, "{\"lat\":33,\"lon\":35}");
        assertReason(FixRejection.MALFORMED, "{\"lat\":33,\"lon\":35,\"recorded_at\":\"yesterday\"}");
        assertReason(FixRejection.MALFORMED, "{\"lat\":33,\"lon\":35,\"recorded_at\":1700000000}");
        assertReason(FixRejection.MALFORMED,
                "{\"lat\":33,\"lon\":35,\"accuracy\":\"good\",\"recorded_at\":\"2026-11-24T10:00:00Z\"}");
        assertReason(FixRejection.INVALID_ACCURACY,
                "{\"lat\":33,\"lon\":35,\"accuracy\":-1,\"recorded_at\":\"2026-11-24T10:00:00Z\"}");
        assertReason(FixRejection.INVALID_HEADING,
                "{\"lat\":33,\"lon\":35,\"heading\":360,\"recorded_at\":\"2026-11-24T10:00:00Z\"}");
        assertReason(FixRejection.INVALID_SPEED,
                "{\"lat\":33,\"lon\":35,\"speed\":151,\"recorded_at\":\"2026-11-24T10:00:00Z\"}");
    }

    private static void assertReason(FixRejection expected, String json) throws Exception {
        InvalidFixException e = assertThrows(InvalidFixException.class, () -> WireCodec.readFix(json, AT));
        assertEquals(expected, e.reason(), json + " -> " + e.getMessage());
    }

    @Test
    void envelope_encodesOnceAndSharesTheString() {
        Envelope envelope = Envelope.of(Topic.order("o-1"), new TrackingMessage.DriverAssigned("o-1", "d-1"));
        assertEquals(true, envelope.json() == envelope.json());
        Envelope elsewhere = envelope.withTopic(Topic.restaurant("r-1"));
        assertEquals(Topic.restaurant("r-1"), elsewhere.topic());
        assertEquals(true, elsewhere.json() == envelope.json(), "one encoding shared across topics");
        Envelope received = Envelope.ofEncoded(Topic.order("o-1"), envelope.message(), "{\"given\":1}");
        assertEquals("{\"given\":1}", received.json());
    }
}
