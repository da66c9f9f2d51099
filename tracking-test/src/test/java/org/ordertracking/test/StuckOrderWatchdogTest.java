package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStateMachine;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.StuckOrderWatchdog;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.TransitionRequest;

class StuckOrderWatchdogTest {
    private static final Instant T0 = Instant.parse("2026-12-02T12:00:00Z");

    private final SettableClock clock = SettableClock.at(T0);
    private final OrderRepository repository = OrderRepository.inMemory();
    private final EventBus bus = EventBus.inMemory();
    private final RecordingListener operations = new RecordingListener();

    StuckOrderWatchdogTest() {
        bus.subscribe(Topic.operations(), operations);
    }

    @AfterEach
    void tearDown() {
        bus.close();
    }

    private void order(String orderId, OrderStatus... path) {
        repository.create(new NewOrder(orderId, "r-1", "c-1", new GeoPoint(33.9, 35.5)), clock.instant(), null);
        for (OrderStatus status : path) {
            repository.transition(TransitionRequest.of(orderId, status, null, null, clock.instant()),
                    OrderStateMachine.defaults());
        }
    }

    @Test
    void check_eachStatusAgainstItsOwnLimit() {
        try (StuckOrderWatchdog watchdog = StuckOrderWatchdog.builder(repository, bus).clock(clock)
                .limit(OrderStatus.READY, Duration.ofMinutes(5)).withoutLimit(OrderStatus.PICKED_UP).build()) {
            order("o-ready", OrderStatus.ACCEPTED, OrderStatus.PREPARING, OrderStatus.READY);
            order("o-received");
            order("o-road", OrderStatus.ACCEPTED, OrderStatus.PREPARING, OrderStatus.READY, OrderStatus.PICKED_UP);
            clock.advance(Duration.ofMinutes(5));
            assertEquals(1, watchdog.check());
            assertEquals(1, watchdog.openCount());
            assertEquals(1, watchdog.announced(OrderStatus.READY));
            TrackingMessage.OrderStuck stuck = (TrackingMessage.OrderStuck) operations.next().message();
            assertEquals(new TrackingMessage.OrderStuck("o-ready", "r-1", null, OrderStatus.READY, T0, 300,
                    clock.instant()), stuck);
            clock.advance(Duration.ofHours(3));
            assertEquals(0, watchdog.check(), "received is the acceptance timeout's; picked_up is not watched here");
            assertEquals(List.of("o-ready"),
                    watchdog.readStuck().stream().map(TrackingMessage.OrderStuck::orderId).toList());
        }
    }

    @Test
    void builder_refusesStatusesWithoutALimitAndBadLimits() {
        StuckOrderWatchdog.Builder b = StuckOrderWatchdog.builder(repository, bus);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.limit(OrderStatus.RECEIVED, Duration.ofMinutes(1)))
                .getMessage().contains("acceptance timeout"));
        assertThrows(IllegalArgumentException.class, () -> b.limit(OrderStatus.DELIVERED, Duration.ofMinutes(1)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.limit(OrderStatus.READY, Duration.ZERO))
                .getMessage().contains("ready limit must be positive, but was PT0S"));
        assertThrows(IllegalArgumentException.class, () -> b.maxPerStatus(0));
        try (StuckOrderWatchdog watchdog = b.build()) {
            assertEquals(Duration.ofMinutes(10), watchdog.limits().get(OrderStatus.ACCEPTED), "defaults untouched");
        }
    }

    @Test
    void close_twice_isSafe() {
        StuckOrderWatchdog watchdog = StuckOrderWatchdog.builder(repository, bus).clock(clock).build().start();
        watchdog.close();
        watchdog.close();
        assertThrows(IllegalStateException.class, watchdog::start);
    }
}
