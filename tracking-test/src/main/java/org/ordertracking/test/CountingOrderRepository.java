package org.ordertracking.test;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.ordertracking.core.EventRef;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.NotificationMoment;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStateMachine;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.TransitionRequest;
import org.ordertracking.core.TransitionResult;

/**
 * A real repository wrapped to count its reads of orders: {@link #find} calls and {@link #findAll}
 * calls (and the ids they asked for). Everything is delegated, {@link #findAll} to the wrapped
 * repository's own {@code findAll}. For tests that prove how many lookups something costs.
 * Thread-safe if the wrapped repository is.
 *
 * @since 0.1.0
 */
public final class CountingOrderRepository implements OrderRepository {
    private final OrderRepository delegate;
    private final AtomicLong finds = new AtomicLong();
    private final AtomicLong findAlls = new AtomicLong();
    private final AtomicLong findAllIds = new AtomicLong();

    /** Wraps {@code delegate}. */
    public CountingOrderRepository(OrderRepository delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
    }

    /** Returns how many times {@link #find} was called. */
    public long finds() {
        return finds.get();
    }

    /** Returns how many times {@link #findAll} was called. */
    public long findAlls() {
        return findAlls.get();
    }

    /** Returns how many ids all {@link #findAll} calls asked for together. */
    public long findAllIds() {
        return findAllIds.get();
    }

    /** Returns {@link #finds()} + {@link #findAlls()}: the round trips a store would make at most. */
    public long lookups() {
        return finds.get() + findAlls.get();
    }

    @Override
    public TransitionResult create(NewOrder order, Instant at, String actor) {
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
        finds.incrementAndGet();
        return delegate.find(orderId);
    }

    @Override
    public Map<String, TrackedOrder> findAll(Collection<String> orderIds) {
        findAlls.incrementAndGet();
        findAllIds.addAndGet(orderIds.size());
        return delegate.findAll(orderIds);
    }

    @Override
    public List<OrderEvent> events(String orderId, long afterSeq) {
        return delegate.events(orderId, afterSeq);
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
