package org.ordertracking.servlet;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.test.ForwardingOrderRepository;

/**
 * The in-memory repository with hooks run once around the next {@link #events} read (the replay race of
 * a stream) or the next {@link #activeOrdersOfDriver} read (the same race of a driver socket), on demand.
 */
final class HookedRepository extends ForwardingOrderRepository {
    final AtomicReference<Runnable> beforeNextEvents = new AtomicReference<>();
    final AtomicReference<Runnable> afterNextEvents = new AtomicReference<>();
    final AtomicReference<Runnable> beforeNextDriverOrders = new AtomicReference<>();
    final AtomicReference<Runnable> afterNextDriverOrders = new AtomicReference<>();

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

    @Override
    public List<TrackedOrder> activeOrdersOfDriver(String driverId) {
        Runnable before = beforeNextDriverOrders.getAndSet(null);
        if (before != null) {
            before.run();
        }
        List<TrackedOrder> orders = super.activeOrdersOfDriver(driverId);
        Runnable after = afterNextDriverOrders.getAndSet(null);
        if (after != null) {
            after.run();
        }
        return orders;
    }
}
