package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStateMachine;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.TransitionRequest;
import org.ordertracking.core.TransitionResult;
import org.ordertracking.core.internal.AcceptanceSweeper;

class AcceptanceSweeperTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final SettableClock clock = SettableClock.at("2026-11-24T10:00:00Z");
    private final OrderRepository repository = OrderRepository.inMemory();
    private final List<TransitionRequest> applied = new ArrayList<>();

    private AcceptanceSweeper sweeper(int batchSize) {
        return new AcceptanceSweeper(repository, clock::instant, TIMEOUT, batchSize, "acceptance_timeout", "system",
                request -> {
                    applied.add(request);
                    return repository.transition(request, OrderStateMachine.defaults());
                });
    }

    private void register(String orderId) {
        repository.create(new NewOrder(orderId, "r-1", "c-1", new GeoPoint(33.9, 35.5)), clock.instant(), null);
    }

    private OrderStatus statusOf(String orderId) {
        return repository.find(orderId).orElseThrow().status();
    }

    @Test
    void run_failsOnlyOrdersReceivedLongerThanTheTimeout() {
        register("o-old");
        clock.advance(Duration.ofMinutes(3));
        register("o-new");
        clock.advance(Duration.ofMinutes(2).plusSeconds(1)); // o-old 5:01 old, o-new 2:01

        assertEquals(1, sweeper(100).run());
        assertEquals(OrderStatus.FAILED, statusOf("o-old"));
        assertEquals(OrderStatus.RECEIVED, statusOf("o-new"));
        OrderEvent failure = repository.events("o-old", 1).get(0);
        assertEquals("acceptance_timeout", failure.reason());
        assertEquals("system", failure.actor());
        assertEquals(clock.instant(), failure.at());
    }

    @Test
    void run_leavesAcceptedOrdersAlone() {
        register("o-1");
        repository.transition(TransitionRequest.of("o-1", OrderStatus.ACCEPTED, null, null, clock.instant()),
                OrderStateMachine.defaults());
        clock.advance(TIMEOUT.plusSeconds(1));

        assertEquals(0, sweeper(100).run());
        assertEquals(OrderStatus.ACCEPTED, statusOf("o-1"));
    }

    @Test
    void run_asksForTheFailureOnlyIfStillReceived() {
        register("o-1");
        clock.advance(TIMEOUT.plusSeconds(1));
        sweeper(100).run();
        assertEquals(1, applied.size());
        assertEquals(OrderStatus.RECEIVED, applied.get(0).expectedCurrent(),
                "conditional on received, so an order accepted meanwhile is left alone");
    }

    @Test
    void run_moreThanABatch_failsThemAll() {
        for (int i = 0; i < 7; i++) {
            register("o-" + i);
        }
        clock.advance(TIMEOUT.plusSeconds(1));

        assertEquals(7, sweeper(3).run());
        for (int i = 0; i < 7; i++) {
            assertEquals(OrderStatus.FAILED, statusOf("o-" + i));
        }
    }

    @Test
    void run_aFullBatchThatFailsNothing_stopsInsteadOfSpinning() {
        for (int i = 0; i < 3; i++) {
            register("o-" + i);
        }
        clock.advance(TIMEOUT.plusSeconds(1));
        AcceptanceSweeper refusing = new AcceptanceSweeper(repository, clock::instant, TIMEOUT, 3, "r", "a",
                request -> new TransitionResult(repository.find(request.orderId()).orElseThrow(),
                        repository.events(request.orderId(), 0).get(0), false));
        assertEquals(0, refusing.run());
    }

    @Test
    void constructor_zeroTimeout_isRejectedShowingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AcceptanceSweeper(repository, clock::instant, Duration.ZERO, 10, "r", "a", r -> null));
        assertTrue(e.getMessage().contains("PT0S"), e.getMessage());
    }
}
