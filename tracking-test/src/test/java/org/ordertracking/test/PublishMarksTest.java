package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.EventRef;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.internal.PublishMarks;

class PublishMarksTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    /** Records every markPublished call; fails the next one when asked to. */
    private static final class MarkingRepository extends ForwardingOrderRepository {
        final List<List<EventRef>> calls = new ArrayList<>();
        RuntimeException failNext;

        MarkingRepository() {
            super(OrderRepository.inMemory());
        }

        @Override
        public void markPublished(Collection<EventRef> events) {
            if (failNext != null) {
                RuntimeException e = failNext;
                failNext = null;
                throw e;
            }
            calls.add(List.copyOf(events));
            super.markPublished(events);
        }
    }

    private static OrderEvent registered(OrderRepository repository, String orderId) {
        return repository.create(new NewOrder(orderId, "r-1", "c-1", new GeoPoint(33.9, 35.5)), T0, null).event();
    }

    @Test
    void flush_writesEveryQueuedMarkInOneCall() {
        MarkingRepository repository = new MarkingRepository();
        PublishMarks marks = new PublishMarks(repository, 256);
        OrderEvent a = registered(repository, "o-1");
        OrderEvent b = registered(repository, "o-2");
        marks.add(a);
        marks.add(b);
        assertEquals(2, marks.pending());

        assertEquals(2, marks.flush());

        assertEquals(List.of(List.of(EventRef.of(a), EventRef.of(b))), repository.calls);
        assertEquals(0, marks.pending());
        assertEquals(0, repository.relayUnpublished(T0.plusSeconds(60), 10, e -> { }),
                "marked events are not relayed");
    }

    @Test
    void flush_withNothingQueued_doesNotCallTheRepository() {
        MarkingRepository repository = new MarkingRepository();
        PublishMarks marks = new PublishMarks(repository, 4);
        assertEquals(0, marks.flush());
        assertTrue(repository.calls.isEmpty());
    }

    @Test
    void isFull_onceABatchIsQueued() {
        MarkingRepository repository = new MarkingRepository();
        PublishMarks marks = new PublishMarks(repository, 2);
        marks.add(registered(repository, "o-1"));
        assertFalse(marks.isFull());
        marks.add(registered(repository, "o-2"));
        assertTrue(marks.isFull());
        marks.flush();
        assertFalse(marks.isFull());
    }

    @Test
    void flush_whenTheRepositoryFails_keepsTheMarksForTheNextFlush() {
        MarkingRepository repository = new MarkingRepository();
        PublishMarks marks = new PublishMarks(repository, 256);
        OrderEvent a = registered(repository, "o-1");
        marks.add(a);
        IllegalStateException outage = new IllegalStateException("database down");
        repository.failNext = outage;

        assertSame(outage, assertThrows(IllegalStateException.class, marks::flush));
        assertEquals(1, marks.pending(), "the mark went back into the queue");

        assertEquals(1, marks.flush());
        assertEquals(List.of(List.of(EventRef.of(a))), repository.calls);
    }

    @Test
    void constructor_badBatchSize_isRejectedShowingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PublishMarks(OrderRepository.inMemory(), 0));
        assertTrue(e.getMessage().contains("0"), e.getMessage());
    }
}
