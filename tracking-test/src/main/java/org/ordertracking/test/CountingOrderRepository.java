package org.ordertracking.test;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.TrackedOrder;

/**
 * A real repository wrapped to count its reads of orders: {@link #find} calls and {@link #findAll}
 * calls (and the ids they asked for). Everything is delegated, {@link #findAll} to the wrapped
 * repository's own {@code findAll}. For tests that prove how many lookups something costs.
 * Thread-safe if the wrapped repository is.
 *
 * @since 0.1.0
 */
public final class CountingOrderRepository extends ForwardingOrderRepository {
    private final AtomicLong finds = new AtomicLong();
    private final AtomicLong findAlls = new AtomicLong();
    private final AtomicLong findAllIds = new AtomicLong();

    /** Wraps {@code delegate}. */
    public CountingOrderRepository(OrderRepository delegate) {
        super(delegate);
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
    public Optional<TrackedOrder> find(String orderId) {
        finds.incrementAndGet();
        return super.find(orderId);
    }

    @Override
    public Map<String, TrackedOrder> findAll(Collection<String> orderIds) {
        findAlls.incrementAndGet();
        findAllIds.addAndGet(orderIds.size());
        return super.findAll(orderIds);
    }
}
