package org.ordertracking.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OrderStateMachineTest {

    private static final OrderStateMachine DEFAULTS = OrderStateMachine.defaults();

    @Test
    void defaults_haveExactlyTheEdgesOfTheDesign() {
        List<String> edges = new ArrayList<>();
        for (OrderStatus from : OrderStatus.values()) {
            for (OrderStatus to : OrderStatus.values()) {
                if (DEFAULTS.isAllowed(from, to)) {
                    edges.add(from + "->" + to);
                }
            }
        }
        assertEquals(List.of(
                "received->accepted", "received->failed",
                "accepted->preparing", "accepted->failed",
                "preparing->ready",
                "ready->picked_up",
                "picked_up->delivered", "picked_up->failed"), edges);
    }

    @ParameterizedTest
    @EnumSource(value = OrderStatus.class, names = {"DELIVERED", "FAILED"})
    void defaults_terminalStatuses_haveNoNextStatus(OrderStatus terminal) {
        assertTrue(terminal.isTerminal());
        assertEquals(Set.of(), DEFAULTS.allowedFrom(terminal));
    }

    @Test
    void check_illegalEdge_throwsNamingOrderStatusesAndAllowedNext() {
        IllegalTransitionException e = assertThrows(IllegalTransitionException.class,
                () -> DEFAULTS.check("o-1", OrderStatus.RECEIVED, OrderStatus.READY));
        assertEquals("o-1", e.orderId());
        assertEquals(OrderStatus.RECEIVED, e.current());
        assertEquals(OrderStatus.READY, e.requested());
        assertEquals(Set.of(OrderStatus.ACCEPTED, OrderStatus.FAILED), e.allowed());
        assertEquals("order 'o-1' cannot go from received to ready; allowed next: accepted, failed", e.getMessage());
    }

    @Test
    void check_fromTerminal_saysItIsTerminal() {
        IllegalTransitionException e = assertThrows(IllegalTransitionException.class,
                () -> DEFAULTS.check("o-1", OrderStatus.DELIVERED, OrderStatus.FAILED));
        assertEquals("order 'o-1' cannot go from delivered to failed; allowed next: none (delivered is terminal)",
                e.getMessage());
    }

    @Test
    void builder_edgeOutOfDelivered_isRejectedNamingTheEdge() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OrderStateMachine.builder().allow(OrderStatus.DELIVERED, OrderStatus.FAILED));
        assertEquals("an edge out of a terminal status is not allowed, but was delivered -> failed", e.getMessage());
    }

    @Test
    void builder_edgeOutOfFailed_isRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> DEFAULTS.toBuilder().allow(OrderStatus.FAILED, OrderStatus.RECEIVED));
    }

    @Test
    void builder_selfLoop_isRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OrderStateMachine.builder().allow(OrderStatus.READY, OrderStatus.READY));
        assertTrue(e.getMessage().contains("ready -> ready"), e.getMessage());
    }

    @Test
    void builder_nullStatus_isRejectedNamingTheArgument() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> OrderStateMachine.builder().allow(null, OrderStatus.READY));
        assertEquals("from must not be null", e.getMessage());
    }

    @Test
    void toBuilder_widensWithoutChangingTheOriginal() {
        OrderStateMachine wider = DEFAULTS.toBuilder().allow(OrderStatus.PREPARING, OrderStatus.FAILED).build();
        assertTrue(wider.isAllowed(OrderStatus.PREPARING, OrderStatus.FAILED));
        assertFalse(DEFAULTS.isAllowed(OrderStatus.PREPARING, OrderStatus.FAILED));
        assertEquals(DEFAULTS, DEFAULTS.toBuilder().build());
    }

    @Test
    void toBuilder_forbid_narrowsTheTable() {
        OrderStateMachine stricter = DEFAULTS.toBuilder().forbid(OrderStatus.ACCEPTED, OrderStatus.FAILED).build();
        assertFalse(stricter.isAllowed(OrderStatus.ACCEPTED, OrderStatus.FAILED));
    }

    @Test
    void allowedFrom_isUnmodifiable() {
        assertThrows(UnsupportedOperationException.class,
                () -> DEFAULTS.allowedFrom(OrderStatus.RECEIVED).add(OrderStatus.READY));
    }
}
