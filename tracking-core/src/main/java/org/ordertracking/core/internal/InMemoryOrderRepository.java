package org.ordertracking.core.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.ordertracking.core.DriverChange;
import org.ordertracking.core.DuplicateOrderException;
import org.ordertracking.core.EventRef;
import org.ordertracking.core.IllegalTransitionException;
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
import org.ordertracking.core.UnknownOrderException;

/**
 * {@link OrderRepository} in memory. Thread-safe: each order has its own lock (no global lock),
 * active orders are indexed by restaurant, customer and driver so those queries touch only the
 * orders they return (the location pipeline asks per driver), and the
 * outbox is a lock-free queue of events in commit order.
 *
 * <p>The outbox costs O(1) per transition and per mark: an event is appended to the queue when it
 * is committed; marking it published sets a flag on its queue entry and drops the published entries
 * at the head of the queue (marks arrive roughly in commit order, so the queue holds little more
 * than the unpublished events). The relay walks the queue and publishes every unpublished event
 * committed before its cutoff, in commit order (so each order's events in seq order), and drops
 * the published entries it walks past; an entry published behind an unpublished one is dropped
 * then, or once the head before it is published.
 *
 * <p>Keeps every order and event until the retention policy purges finished ones
 * ({@link #purgeTerminal}; on by default here, {@link #defaultRetention()}): terminal orders are also
 * kept in a map sorted by the time they finished, so a purge batch walks exactly the orders it removes.
 * For a process that must survive restarts use the JDBC repository.
 */
public final class InMemoryOrderRepository implements OrderRepository {

    private static final Comparator<TrackedOrder> OLDEST_FIRST =
            Comparator.comparing(TrackedOrder::createdAt).thenComparing(TrackedOrder::orderId);

    private final ConcurrentHashMap<String, Entry> orders = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Entry> active = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<Entry>> byRestaurant = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<Entry>> byCustomer = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<Entry>> byDriver = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Pending> outbox = new ConcurrentLinkedQueue<>();
    /** Held by whoever drops published entries from the outbox's head; never waited for. */
    private final ReentrantLock trimming = new ReentrantLock();
    private final Set<String> notified = ConcurrentHashMap.newKeySet();
    private final Set<String> stuck = ConcurrentHashMap.newKeySet();
    /** Restaurants' stored presence facts; each value replaced atomically under its map entry. */
    private final ConcurrentHashMap<String, Presence> presence = new ConcurrentHashMap<>();

    /** A restaurant's stored facts: last seen, counted offline, when that last changed. */
    private record Presence(Instant lastSeenAt, boolean offline, Instant changedAt) {
    }

    /** Terminal orders by the instant they finished, then id: what a purge batch walks, oldest first. */
    private final ConcurrentSkipListMap<Finished, Entry> finished = new ConcurrentSkipListMap<>();
    /** The purge lease: held by the one purger running; a second one does not wait for it. */
    private final ReentrantLock purging = new ReentrantLock();

    /** The key of a terminal order in {@link #finished}. */
    private record Finished(Instant at, String orderId) implements Comparable<Finished> {
        private static final Comparator<Finished> ORDER =
                Comparator.comparing(Finished::at).thenComparing(Finished::orderId);

        /** The smallest key at {@code at}: ids are never empty, so every key at {@code at} is after it. */
        static Finished before(Instant at) {
            return new Finished(at, "");
        }

        @Override
        public int compareTo(Finished other) {
            return ORDER.compare(this, other);
        }
    }

    /**
     * One order: its row, its trail, and the lock that serializes its transitions. Kept for the life
     * of the repository, so it is lean: it is its own lock (no separate lock object) and holds the
     * trail in a bare array sized for the happy path.
     */
    @SuppressWarnings("serial") // never serialized
    private static final class Entry extends ReentrantLock {
        /** The trail, seq 1 at index 0; {@code eventCount} are used. Guarded by the lock. */
        OrderEvent[] events = new OrderEvent[6];
        int eventCount;
        /**
         * This order's outbox entries not yet published, newest first, linked through
         * {@link Pending#nextOfOrder}: usually none or one, and no list object kept per order.
         */
        Pending unpublished;
        /** Set, under the lock, when the retention policy removed the order: it is unknown from then on. */
        boolean purged;
        volatile TrackedOrder order;

        Entry(TrackedOrder order) {
            this.order = order;
        }
    }

    /**
     * An outbox entry. {@code published} is set under the entry's lock; the queue's trimming reads it
     * without the lock (once set it is never cleared).
     */
    private static final class Pending {
        final Entry entry;
        final OrderEvent event;
        volatile boolean published;
        /** The order's next older unpublished entry; guarded by the entry's lock. */
        Pending nextOfOrder;

        Pending(Entry entry, OrderEvent event) {
            this.entry = entry;
            this.event = event;
        }
    }

    @Override
    public TransitionResult create(NewOrder newOrder, Instant at, String actor) {
        Objects.requireNonNull(newOrder, "order must not be null");
        Objects.requireNonNull(at, "at must not be null");
        Checks.requireText(actor, OrderEvent.MAX_ACTOR_LENGTH, "actor");
        TrackedOrder order = new TrackedOrder(newOrder.orderId(), newOrder.restaurantId(), newOrder.customerId(),
                null, newOrder.destination(), OrderStatus.RECEIVED, 1, at, at);
        OrderEvent event = new OrderEvent(order.orderId(), 1, OrderStatus.RECEIVED, null, null, actor, at);
        Entry entry = new Entry(order);
        entry.lock();
        try {
            if (orders.putIfAbsent(order.orderId(), entry) != null) {
                throw new DuplicateOrderException(order.orderId());
            }
            append(entry, event);
            active.put(order.orderId(), entry);
            index(byRestaurant, order.restaurantId(), entry);
            index(byCustomer, order.customerId(), entry);
        } finally {
            entry.unlock();
        }
        return new TransitionResult(order, event, true);
    }

    @Override
    public TransitionResult transition(TransitionRequest request, OrderStateMachine machine) {
        Objects.requireNonNull(request, "request must not be null");
        Objects.requireNonNull(machine, "machine must not be null");
        Entry entry = entry(request.orderId());
        entry.lock();
        try {
            requireNotPurged(entry);
            TrackedOrder order = entry.order;
            OrderStatus current = order.status();
            if (current == request.target()) {
                return new TransitionResult(order, entry.events[entry.eventCount - 1], false);
            }
            if (request.expectedCurrent() != null && request.expectedCurrent() != current) {
                throw new IllegalTransitionException(order.orderId(), current, request.target(),
                        machine.allowedFrom(current));
            }
            machine.check(order.orderId(), current, request.target());
            long seq = order.seq() + 1;
            OrderEvent event = new OrderEvent(order.orderId(), seq, request.target(), current, request.reason(),
                    request.actor(), request.at());
            TrackedOrder updated = order.withStatus(request.target(), seq, request.at());
            entry.order = updated;
            append(entry, event);
            if (updated.status().isTerminal()) {
                active.remove(updated.orderId(), entry);
                unindex(byRestaurant, updated.restaurantId(), entry);
                unindex(byCustomer, updated.customerId(), entry);
                if (updated.driverId() != null) {
                    unindex(byDriver, updated.driverId(), entry);
                }
                finished.put(new Finished(updated.updatedAt(), updated.orderId()), entry);
            }
            return new TransitionResult(updated, event, true);
        } finally {
            entry.unlock();
        }
    }

    @Override
    public DriverChange changeDriver(String orderId, String driverId, Instant at) {
        if (driverId != null) {
            Checks.requireId(driverId, "driverId");
        }
        Objects.requireNonNull(at, "at must not be null");
        Entry entry = entry(orderId);
        entry.lock();
        try {
            requireNotPurged(entry);
            TrackedOrder order = entry.order;
            if (order.status().isTerminal()) {
                throw new IllegalTransitionException(orderId, order.status(), order.status(), Set.of());
            }
            String previous = order.driverId();
            if (Objects.equals(previous, driverId)) {
                return new DriverChange(order, previous);
            }
            TrackedOrder updated = order.withDriver(driverId);
            entry.order = updated;
            if (previous != null) {
                unindex(byDriver, previous, entry);
            }
            if (driverId != null) {
                index(byDriver, driverId, entry);
            }
            return new DriverChange(updated, previous);
        } finally {
            entry.unlock();
        }
    }

    @Override
    public Optional<TrackedOrder> find(String orderId) {
        Objects.requireNonNull(orderId, "orderId must not be null");
        Entry entry = orders.get(orderId);
        return entry == null ? Optional.empty() : Optional.of(entry.order);
    }

    @Override
    public List<OrderEvent> events(String orderId, long afterSeq) {
        Objects.requireNonNull(orderId, "orderId must not be null");
        Entry entry = orders.get(orderId);
        if (entry == null) {
            return List.of();
        }
        entry.lock();
        try {
            if (entry.purged) {
                return List.of();
            }
            int from = (int) Math.min(Math.max(afterSeq, 0), entry.eventCount);
            return List.of(Arrays.copyOfRange(entry.events, from, entry.eventCount));
        } finally {
            entry.unlock();
        }
    }

    @Override
    public List<TrackedOrder> activeOrdersOfRestaurant(String restaurantId) {
        Objects.requireNonNull(restaurantId, "restaurantId must not be null");
        return activeIn(byRestaurant, restaurantId, o -> restaurantId.equals(o.restaurantId()));
    }

    @Override
    public List<TrackedOrder> activeOrdersOfCustomer(String customerId) {
        Objects.requireNonNull(customerId, "customerId must not be null");
        return activeIn(byCustomer, customerId, o -> customerId.equals(o.customerId()));
    }

    @Override
    public List<TrackedOrder> activeOrdersOfDriver(String driverId) {
        Objects.requireNonNull(driverId, "driverId must not be null");
        return activeIn(byDriver, driverId, o -> driverId.equals(o.driverId()));
    }

    @Override
    public List<TrackedOrder> findByStatus(OrderStatus status, Instant changedBefore, int limit) {
        Objects.requireNonNull(status, "status must not be null");
        Checks.requirePositive(limit, "limit");
        Collection<Entry> source = status.isTerminal() ? orders.values() : active.values();
        List<TrackedOrder> result = new ArrayList<>();
        for (Entry entry : source) {
            TrackedOrder order = entry.order;
            if (order.status() == status && (changedBefore == null || order.updatedAt().isBefore(changedBefore))) {
                result.add(order);
            }
        }
        result.sort(Comparator.comparing(TrackedOrder::updatedAt).thenComparing(TrackedOrder::orderId));
        return result.size() > limit ? List.copyOf(result.subList(0, limit)) : result;
    }

    @Override
    public int relayUnpublished(Instant committedBefore, int max, Consumer<OrderEvent> publisher) {
        Objects.requireNonNull(committedBefore, "committedBefore must not be null");
        Checks.requirePositive(max, "max");
        Objects.requireNonNull(publisher, "publisher must not be null");
        int published = 0;
        // the trimming lock lets this relay drop the published entries it walks past (work bounded
        // by what it walks anyway); without it, it leaves them to the next trim
        boolean trim = trimming.tryLock();
        try {
            for (Iterator<Pending> it = outbox.iterator(); it.hasNext() && published < max;) {
                Pending pending = it.next();
                if (pending.published) {
                    if (trim) {
                        it.remove();
                    }
                    continue;
                }
                // commit order is only roughly time order across orders, so look at every entry
                if (!pending.event.at().isBefore(committedBefore)) {
                    continue;
                }
                Entry entry = pending.entry;
                // like SKIP LOCKED: an order another relay (or a transition) holds is left for later
                if (!entry.tryLock()) {
                    continue;
                }
                try {
                    if (pending.published) {
                        continue;
                    }
                    publisher.accept(pending.event);
                    markLocked(entry, pending);
                    published++;
                } finally {
                    entry.unlock();
                }
            }
        } finally {
            if (trim) {
                trimming.unlock();
            }
        }
        trimHead();
        return published;
    }

    @Override
    public void markPublished(Collection<EventRef> events) {
        Objects.requireNonNull(events, "events must not be null");
        for (EventRef ref : events) {
            Entry entry = orders.get(ref.orderId());
            if (entry == null) {
                continue;
            }
            entry.lock();
            try {
                for (Pending pending = entry.unpublished; pending != null; pending = pending.nextOfOrder) {
                    if (pending.event.seq() == ref.seq()) {
                        markLocked(entry, pending);
                        break;
                    }
                }
            } finally {
                entry.unlock();
            }
        }
        trimHead();
    }

    @Override
    public boolean claimNotification(String orderId, NotificationMoment moment, Instant at) {
        Checks.requireId(orderId, "orderId");
        Objects.requireNonNull(moment, "moment must not be null");
        Objects.requireNonNull(at, "at must not be null");
        return notified.add(claimKey(orderId, moment));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Walks the terminal orders oldest first; each is removed under its own lock, so a transition
     * that already held the order finishes first and one that comes later finds no order. The lease is
     * a lock of this repository: one purger at a time, a second caller returns busy at once.
     */
    @Override
    public PurgeResult purgeTerminal(Instant finishedBefore, int max) {
        Objects.requireNonNull(finishedBefore, "finishedBefore must not be null");
        Checks.requirePositive(max, "max");
        if (!purging.tryLock()) {
            return PurgeResult.busyElsewhere();
        }
        try {
            int purged = 0;
            Iterator<Map.Entry<Finished, Entry>> it =
                    finished.headMap(Finished.before(finishedBefore)).entrySet().iterator();
            while (purged < max && it.hasNext()) {
                Entry entry = it.next().getValue();
                entry.lock();
                try {
                    if (entry.unpublished != null) {
                        continue; // the relay publishes it first; a later batch takes the order
                    }
                    String orderId = entry.order.orderId();
                    entry.purged = true;
                    orders.remove(orderId, entry);
                    for (NotificationMoment moment : NotificationMoment.values()) {
                        notified.remove(claimKey(orderId, moment));
                    }
                    for (OrderStatus status : OrderStatus.values()) {
                        stuck.remove(stuckKey(orderId, status));
                    }
                    it.remove();
                    purged++;
                } finally {
                    entry.unlock();
                }
            }
            return PurgeResult.purged(purged);
        } finally {
            purging.unlock();
        }
    }

    /** On: an in-memory repository would otherwise keep every order for the life of the process. */
    @Override
    public RetentionConfig defaultRetention() {
        return RetentionConfig.defaults();
    }

    private static String claimKey(String orderId, NotificationMoment moment) {
        return orderId + '\u0000' + moment.wireName();
    }

    @Override
    public void restaurantSeen(String restaurantId, Instant at) {
        Checks.requireId(restaurantId, "restaurantId");
        Objects.requireNonNull(at, "at must not be null");
        presence.compute(restaurantId, (id, p) -> {
            if (p == null) {
                return new Presence(at, false, null);
            }
            return p.lastSeenAt != null && !p.lastSeenAt.isBefore(at) ? p : new Presence(at, p.offline, p.changedAt);
        });
    }

    @Override
    public List<RestaurantPresence> restaurantPresence() {
        Map<String, int[]> counts = new HashMap<>();
        Map<String, Instant> oldest = new HashMap<>();
        for (Entry entry : active.values()) {
            TrackedOrder order = entry.order;
            if (RestaurantPresence.waitsForRestaurant(order.status())) {
                counts.computeIfAbsent(order.restaurantId(), k -> new int[1])[0]++;
                oldest.merge(order.restaurantId(), order.createdAt(), (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        TreeMap<String, RestaurantPresence> result = new TreeMap<>();
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            Presence p = presence.get(e.getKey());
            result.put(e.getKey(), new RestaurantPresence(e.getKey(), p == null ? null : p.lastSeenAt, e.getValue()[0],
                    oldest.get(e.getKey()), p != null && p.offline, p == null ? null : p.changedAt));
        }
        for (Map.Entry<String, Presence> e : presence.entrySet()) {
            Presence p = e.getValue();
            if (p.offline && !result.containsKey(e.getKey())) {
                result.put(e.getKey(), new RestaurantPresence(e.getKey(), p.lastSeenAt, 0, null, true, p.changedAt));
            }
        }
        return List.copyOf(result.values());
    }

    @Override
    public boolean claimRestaurantOffline(String restaurantId, Instant notSeenSince, Instant at) {
        Checks.requireId(restaurantId, "restaurantId");
        Objects.requireNonNull(notSeenSince, "notSeenSince must not be null");
        Objects.requireNonNull(at, "at must not be null");
        boolean[] claimed = new boolean[1];
        presence.compute(restaurantId, (id, p) -> {
            if (p == null) {
                claimed[0] = true;
                return new Presence(null, true, at);
            }
            if (p.offline || (p.lastSeenAt != null && p.lastSeenAt.isAfter(notSeenSince))) {
                return p;
            }
            claimed[0] = true;
            return new Presence(p.lastSeenAt, true, at);
        });
        return claimed[0];
    }

    @Override
    public boolean claimRestaurantOnline(String restaurantId, Instant at) {
        Checks.requireId(restaurantId, "restaurantId");
        Objects.requireNonNull(at, "at must not be null");
        boolean[] claimed = new boolean[1];
        presence.computeIfPresent(restaurantId, (id, p) -> {
            if (!p.offline) {
                return p;
            }
            claimed[0] = true;
            return new Presence(p.lastSeenAt, false, at);
        });
        return claimed[0];
    }

    @Override
    public boolean claimStuck(String orderId, OrderStatus status, Instant at) {
        Checks.requireId(orderId, "orderId");
        Objects.requireNonNull(status, "status must not be null");
        Objects.requireNonNull(at, "at must not be null");
        return stuck.add(stuckKey(orderId, status));
    }

    private static String stuckKey(String orderId, OrderStatus status) {
        return orderId + '\u0000' + status.wireName();
    }

    @Override
    public OutboxBacklog outboxBacklog() {
        long count = 0;
        Instant oldest = null;
        for (Pending pending : outbox) {
            if (!pending.published) {
                count++;
                Instant at = pending.event.at();
                if (oldest == null || at.isBefore(oldest)) {
                    oldest = at;
                }
            }
        }
        return count == 0 ? OutboxBacklog.EMPTY : new OutboxBacklog(count, oldest);
    }

    /** Returns how many entries the outbox queue holds, published or not (for tests of its trimming). */
    public int outboxSize() {
        return outbox.size();
    }

    /** Throws as for an unknown order if the retention policy removed it; the caller holds the lock. */
    private static void requireNotPurged(Entry entry) {
        if (entry.purged) {
            throw new UnknownOrderException(entry.order.orderId());
        }
    }

    private Entry entry(String orderId) {
        Objects.requireNonNull(orderId, "orderId must not be null");
        Entry entry = orders.get(orderId);
        if (entry == null) {
            throw new UnknownOrderException(orderId);
        }
        return entry;
    }

    /** Appends an event and records it in the outbox; the caller holds the entry's lock. */
    private void append(Entry entry, OrderEvent event) {
        if (entry.eventCount == entry.events.length) {
            entry.events = Arrays.copyOf(entry.events, entry.eventCount * 2);
        }
        entry.events[entry.eventCount++] = event;
        Pending pending = new Pending(entry, event);
        pending.nextOfOrder = entry.unpublished;
        entry.unpublished = pending;
        outbox.offer(pending);
    }

    /** Marks an outbox entry published; the caller holds the entry's lock. */
    private static void markLocked(Entry entry, Pending pending) {
        pending.published = true;
        Pending previous = null;
        for (Pending p = entry.unpublished; p != null; previous = p, p = p.nextOfOrder) {
            if (p == pending) {
                if (previous == null) {
                    entry.unpublished = p.nextOfOrder;
                } else {
                    previous.nextOfOrder = p.nextOfOrder;
                }
                p.nextOfOrder = null;
                return;
            }
        }
    }

    /** Drops published entries from the outbox's head, unless another thread is doing so. */
    private void trimHead() {
        if (!trimming.tryLock()) {
            return;
        }
        try {
            Pending head;
            while ((head = outbox.peek()) != null && head.published) {
                outbox.poll(); // only trimmers remove, and they hold the lock: this is head
            }
        } finally {
            trimming.unlock();
        }
    }

    /** Returns the active orders indexed under {@code key} that still match (the index may lag a racing change). */
    private static List<TrackedOrder> activeIn(ConcurrentHashMap<String, Set<Entry>> index, String key,
            Predicate<TrackedOrder> filter) {
        Set<Entry> entries = index.get(key);
        if (entries == null) {
            return List.of();
        }
        List<TrackedOrder> result = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            TrackedOrder order = entry.order;
            if (order.isActive() && filter.test(order)) {
                result.add(order);
            }
        }
        result.sort(OLDEST_FIRST);
        return result;
    }

    private static void index(ConcurrentHashMap<String, Set<Entry>> index, String key, Entry entry) {
        index.compute(key, (k, entries) -> {
            Set<Entry> set = entries != null ? entries : ConcurrentHashMap.newKeySet();
            set.add(entry);
            return set;
        });
    }

    private static void unindex(ConcurrentHashMap<String, Set<Entry>> index, String key, Entry entry) {
        index.computeIfPresent(key, (k, entries) -> {
            entries.remove(entry);
            return entries.isEmpty() ? null : entries;
        });
    }
}
