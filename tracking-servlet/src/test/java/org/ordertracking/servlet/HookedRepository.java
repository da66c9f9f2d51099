package org.ordertracking.servlet;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.ordertracking.core.EventRef;
import org.ordertracking.core.NotificationMoment;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStateMachine;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.TransitionRequest;
import org.ordertracking.core.TransitionResult;

/** The in-memory repository with hooks run once around the next {@link #events} read: the replay race, on demand. */
final class HookedRepository implements OrderRepository {
    private final OrderRepository delegate = OrderRepository.inMemory();
    final AtomicReference<Runnable> beforeNextEvents = new AtomicReference<>();
    final AtomicReference<Runnable> afterNextEvents = new AtomicReference<>();

    @Override
    public TransitionResult create(org.ordertracking.core.NewOrder order, Instant at, String actor) {
        return delegate.create(order, at, actor);
    }

    @Override
    public TransitionResult transition(TransitionRequest request, OrderStateMachine machine) {
        return delegate.transition(request, machine);
    }

    @Override
    public TrackedOrder assignDriver(String orderId, String driverId, Instant at) {
        return delegate.assignDriver(orderId, driverId, at);
    }

    @Override
    public Optional<TrackedOrder> find(String orderId) {
        return delegate.find(orderId);
    }

    @Override
    public List<OrderEvent> events(String orderId, long afterSeq) {
        Runnable before = beforeNextEvents.getAndSet(null);
        if (before != null) {
            before.run();
        }
        List<OrderEvent> events = delegate.events(orderId, afterSeq);
        Runnable after = afterNextEvents.getAndSet(null);
        if (after != null) {
            after.run();
        }
        return events;
    }

    @Override
    public List<TrackedOrder> activeOrdersOfRestaurant(String restaurantId) {
        return delegate.activeOrdersOfRestaurant(restaurantId);
    }

    @Override
    public List<TrackedOrder> activeOrdersOfCustomer(String customerId) {
        return delegate.activeOrdersOfCustomer(customerId);
    }

    @Override
    public List<TrackedOrder> activeOrdersOfDriver(String driverId) {
        return delegate.activeOrdersOfDriver(driverId);
    }

    @Override
    public List<TrackedOrder> findByStatus(OrderStatus status, Instant changedBefore, int limit) {
        return delegate.findByStatus(status, changedBefore, limit);
    }

    @Override
    public int relayUnpublished(Instant committedBefore, int max, Consumer<OrderEvent> publisher) {
        return delegate.relayUnpublished(committedBefore, max, publisher);
    }

    @Override
    public void markPublished(Collection<EventRef> events) {
        delegate.markPublished(events);
    }

    @Override
    public boolean claimNotification(String orderId, NotificationMoment moment, Instant at) {
        return delegate.claimNotification(orderId, moment, at);
    }
}
