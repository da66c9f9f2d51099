package org.ordertracking.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValueTypesTest {
    private static final GeoPoint BEIRUT = new GeoPoint(33.8938, 35.5018);
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @Test
    void newOrder_nullId_isRejectedNamingTheField() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> new NewOrder(null, "r-1", "c-1", BEIRUT));
        assertEquals("orderId must not be null", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a b", "a/b", "ä", "o:1", "x\n"})
    void newOrder_idWithUnsafeCharacters_isRejectedShowingTheValue(String bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NewOrder("o-1", bad, "c-1", BEIRUT));
        assertEquals("restaurantId must be 1 to 128 characters of [A-Za-z0-9_.-], but was '" + bad + "'",
                e.getMessage());
    }

    @Test
    void newOrder_idLongerThan128_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> new NewOrder("o".repeat(129), "r", "c", BEIRUT));
        new NewOrder("o".repeat(128), "r", "c", BEIRUT);
    }

    @Test
    void newOrder_nullDestination_isRejected() {
        assertThrows(NullPointerException.class, () -> new NewOrder("o-1", "r-1", "c-1", null));
    }

    @ParameterizedTest
    @ValueSource(doubles = {90.0001, -90.5, Double.NaN, Double.POSITIVE_INFINITY})
    void geoPoint_badLatitude_isRejectedShowingTheValue(double lat) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GeoPoint(lat, 35));
        assertEquals("lat must be a finite number in [-90, 90], but was " + lat, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(doubles = {180.1, -181, Double.NaN})
    void geoPoint_badLongitude_isRejected(double lon) {
        assertThrows(IllegalArgumentException.class, () -> new GeoPoint(33, lon));
    }

    @Test
    void orderEvent_firstEventWithPrevious_isRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new OrderEvent("o-1", 1, OrderStatus.RECEIVED, OrderStatus.RECEIVED, null, null, T0));
    }

    @Test
    void orderEvent_laterEventWithoutPrevious_isRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new OrderEvent("o-1", 2, OrderStatus.ACCEPTED, null, null, null, T0));
    }

    @Test
    void orderEvent_seqBelowOne_isRejectedShowingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OrderEvent("o-1", 0, OrderStatus.RECEIVED, null, null, null, T0));
        assertEquals("seq must be at least 1, but was 0", e.getMessage());
    }

    @Test
    void transitionRequest_overlongReason_isRejected() {
        String reason = "x".repeat(OrderEvent.MAX_REASON_LENGTH + 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TransitionRequest.of("o-1", OrderStatus.ACCEPTED, reason, null, T0));
        assertEquals("reason must be at most 500 characters, but was 501 characters long", e.getMessage());
    }

    @Test
    void topic_channelRoundTrips() {
        assertEquals("order:o-1", Topic.order("o-1").channel());
        assertEquals(Topic.restaurant("r.1"), Topic.parse("restaurant:r.1"));
        assertEquals(Topic.driver("d_1"), Topic.parse(Topic.driver("d_1").channel()));
        assertEquals("operations:all", Topic.operations().channel());
        assertEquals(Topic.operations(), Topic.parse("operations:all"));
        assertEquals("operations", Topic.Kind.OPERATIONS.prefix());
        assertThrows(IllegalArgumentException.class, () -> Topic.parse("customer:c-1"));
        assertThrows(IllegalArgumentException.class, () -> Topic.parse("order"));
    }

    @Test
    void notificationMoment_wireNamesRoundTrip() {
        for (NotificationMoment moment : NotificationMoment.values()) {
            assertEquals(moment, NotificationMoment.fromWireName(moment.wireName()));
        }
        assertThrows(IllegalArgumentException.class, () -> NotificationMoment.fromWireName("marketing"));
    }
}
