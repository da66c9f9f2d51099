package org.ordertracking.test;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.ordertracking.core.DriverChange;
import org.ordertracking.core.EventRef;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.NotificationMoment;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStateMachine;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.PurgeResult;
import org.ordertracking.core.RetentionConfig;
import org.ordertracking.core.OutboxBacklog;
import org.ordertracking.core.RestaurantPresence;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.TransitionRequest;
import org.ordertracking.core.TransitionResult;

/**
 * An {@link OrderRepository} that hands every call to another one: extend it and override only
 * what a test wants to watch or hook (e.g. {@link CountingOrderRepository}). Every method,
 * {@link #findAll} included, goes to the delegate's own implementation.
 *
 * @since 0.1.0
 */
public abstract class ForwardingOrderRepository implements OrderRepository {
    private final OrderRepository delegate;

    /** Forwards to {@code delegate}. */
    protected ForwardingOrderRepository(OrderRepository delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
    }

    /** Returns the repository every call goes to. */
    protected final OrderRepository delegate() {
        return delegate;
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
    public DriverChange changeDriver(String orderId, String driverId, Instant at) {
        return delegate.changeDriver(orderId, driverId, at);
    }

    @Override
    public Optional<TrackedOrder> find(String orderId) {
        return delegate.find(orderId);
    }

    @Override
    public Map<String, TrackedOrder> findAll(Collection<String> orderIds) {
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

    @Override
    public PurgeResult purgeTerminal(Instant finishedBefore, int max) {
        return delegate.purgeTerminal(finishedBefore, max);
    }

    /** Returns the delegate's default, so a wrapped in-memory repository keeps its retention on. */
    @Override
    public RetentionConfig defaultRetention() {
        return delegate.defaultRetention();
    }

    @Override
    public void restaurantSeen(String restaurantId, Instant at) {
        delegate.restaurantSeen(restaurantId, at);
    }

    @Override
    public List<RestaurantPresence> restaurantPresence() {
        return delegate.restaurantPresence();
    }

    @Override
    public boolean claimRestaurantOffline(String restaurantId, Instant notSeenSince, Instant at) {
        return delegate.claimRestaurantOffline(restaurantId, notSeenSince, at);
    }

    @Override
    public boolean claimRestaurantOnline(String restaurantId, Instant at) {
        return delegate.claimRestaurantOnline(restaurantId, at);
    }

    @Override
    public boolean claimStuck(String orderId, OrderStatus status, Instant at) {
        return delegate.claimStuck(orderId, status, at);
    }

    @Override
    public OutboxBacklog outboxBacklog() {
        return delegate.outboxBacklog();
    }
}
