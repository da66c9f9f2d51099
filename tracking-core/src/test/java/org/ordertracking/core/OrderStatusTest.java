package org.ordertracking.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OrderStatusTest {

    @Test
    void wireName_isSnakeCase() {
        assertEquals("picked_up", OrderStatus.PICKED_UP.wireName());
        assertEquals("received", OrderStatus.RECEIVED.toString());
    }

    @ParameterizedTest
    @EnumSource(OrderStatus.class)
    void fromWireName_roundTripsEveryStatus(OrderStatus status) {
        assertEquals(status, OrderStatus.fromWireName(status.wireName()));
    }

    @Test
    void fromWireName_unknownValue_isRejectedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OrderStatus.fromWireName("PICKED_UP"));
        assertEquals("unknown order status 'PICKED_UP'; expected one of received, accepted, preparing, ready, "
                + "picked_up, delivered, failed", e.getMessage());
    }

    @Test
    void fromWireName_null_isRejected() {
        assertThrows(NullPointerException.class, () -> OrderStatus.fromWireName(null));
    }
}
