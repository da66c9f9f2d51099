package org.ordertracking.servlet;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.test.ForwardingOrderRepository;

/** The in-memory repository with hooks run once around the next {@link #events} read: the replay race, on demand. */
final class HookedRepository extends ForwardingOrderRepository {
    final AtomicReference<Runnable> beforeNextEvents = new AtomicReference<>();
    final AtomicReference<Runnable> afterNextEvents = new AtomicReference<>();

    HookedRepository() {
        super(OrderRepository.inMemory());
    }

    @Override
    public List<OrderEvent> events(String orderId, long afterSeq) {
        Runnable before = beforeNextEvents.getAndSet(null);
        if (before != null) {
            before.run();
        }
        List<OrderEvent> events = super.events(orderId, afterSeq);
        Runnable after = afterNextEvents.getAndSet(null);
        if (after != null) {
            after.run();
        }
        return events;
    }
}
