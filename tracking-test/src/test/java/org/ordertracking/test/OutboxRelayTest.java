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
import org.ordertracking.core.internal.OutboxRelay;
import org.ordertracking.core.internal.PublishMarks;

class OutboxRelayTest {
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final SettableClock clock = SettableClock.at("2026-11-24T10:00:00Z");
    private final OrderRepository repository = OrderRepository.inMemory();
    private final PublishMarks marks = new PublishMarks(repository, 256);
    private final List<OrderEvent> published = new ArrayList<>();

    private OutboxRelay relay(int batchSize) {
        return new OutboxRelay(repository, clock::instant, GRACE, batchSize, published::add, marks);
    }

    private OrderEvent register(String orderId) {
        return repository.create(new NewOrder(orderId, "r-1", "c-1", new GeoPoint(33.9, 35.5)), clock.instant(), null)
                .event();
    }

    @Test
    void run_publishesOnlyEventsOlderThanTheGrace() {
        OrderEvent old = register("o-1");
        clock.advanceSeconds(5);
        OrderEvent recent = register("o-2");
        clock.advanceSeconds(6); // o-1 is 11 s old, o-2 6 s

        assertEquals(1, relay(100).run());
        assertEquals(List.of(old), published);

        clock.advanceSeconds(5);
        assertEquals(1, relay(100).run());
        assertEquals(List.of(old, recent), published);
    }

    @Test
    void run_marksWhatItPublished_soTheNextRunPublishesNothing() {
        register("o-1");
        clock.advance(GRACE.plusSeconds(1));
        OutboxRelay relay = relay(100);
        assertEquals(1, relay.run());
        assertEquals(0, relay.run());
        assertEquals(1, published.size());
    }

    @Test
    void run_flushesQueuedMarksFirst_soANormallyPublishedEventIsNotRelayed() {
        OrderEvent event = register("o-1");
        marks.add(event); // published by the normal path, its mark still queued
        clock.advance(GRACE.plusSeconds(1));

        assertEquals(0, relay(100).run());
        assertTrue(published.isEmpty());
        assertEquals(0, marks.pending());
    }

    @Test
    void run_moreThanABatch_publishesEverythingInSeqOrder() {
        register("o-1");
        repository.transition(TransitionRequest.of("o-1", OrderStatus.ACCEPTED, null, null, clock.instant()),
                OrderStateMachine.defaults());
        for (int i = 2; i <= 5; i++) {
            register("o-" + i);
        }
        clock.advance(GRACE.plusSeconds(1));

        assertEquals(6, relay(2).run());
        List<Long> seqsOfO1 = published.stream().filter(e -> e.orderId().equals("o-1")).map(OrderEvent::seq).toList();
        assertEquals(List.of(1L, 2L), seqsOfO1);
    }

    @Test
    void run_publisherFails_leavesTheEventForTheNextRun() {
        register("o-1");
        clock.advance(GRACE.plusSeconds(1));
        OutboxRelay failing = new OutboxRelay(repository, clock::instant, GRACE, 100, e -> {
            throw new IllegalStateException("bus down");
        }, marks);
        assertThrows(IllegalStateException.class, failing::run);

        assertEquals(1, relay(100).run());
        assertEquals(1, published.size());
    }

    @Test
    void constructor_negativeGrace_isRejectedShowingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OutboxRelay(repository, clock::instant, Duration.ofSeconds(-1), 10, published::add, marks));
        assertTrue(e.getMessage().contains("PT-1S"), e.getMessage());
    }
}
