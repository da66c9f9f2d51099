package org.ordertracking.core;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.ordertracking.core.internal.Checks;
import org.ordertracking.core.internal.InMemoryOrderRepository;

/**
 * Where orders and their audit trail live. Implementations: {@link #inMemory()} for one node and
 * tests, {@code JdbcOrderRepository} (module tracking-jdbc) for PostgreSQL, MariaDB/MySQL and H2.
 *
 * <p>Implementations are thread-safe. Transitions of different orders never wait for each other;
 * transitions of one order are serialized. Every implementation passes the contract suite
 * {@code OrderRepositoryContract} of tracking-test.
 *
 * <p>This is a storage SPI: it does not publish anything. {@link OrderTracker} publishes events
 * strictly after the repository committed them, and uses the outbox methods
 * ({@link #relayUnpublished}, {@link #markPublished}) so that a committed event is published even
 * when the process died between commit and publish.
 *
 * <p>What is stored is kept until the retention policy the tracker runs removes finished orders in
 * batches through {@link #purgeTerminal}; see {@link #defaultRetention()} and {@link RetentionConfig}.
 *
 * @since 0.1.0
 */
public interface OrderRepository {

    /** Returns a new, empty, thread-safe repository that keeps everything in memory. */
    static OrderRepository inMemory() {
        return new InMemoryOrderRepository();
    }

    /**
     * Stores a new order in {@code received} with its first event (seq 1), atomically.
     *
     * @param order the order
     * @param at server time of the registration
     * @param actor who registered it, may be {@code null}
     * @return the order and its event 1, {@code applied} true
     * @throws DuplicateOrderException if the id is taken
     */
    TransitionResult create(NewOrder order, Instant at, String actor);

    /**
     * Moves an order to another status in one atomic step: lock the order, check the edge against
     * {@code machine}, update status and seq, append the event, commit.
     *
     * <p>If the order already is in {@code request.target()}, nothing is written and the existing
     * event that produced that status comes back with {@code applied == false} (idempotent repeat).
     *
     * @throws UnknownOrderException if the order is not registered
     * @throws IllegalTransitionException if the edge is not in {@code machine}, or
     *     {@code request.expectedCurrent()} is set and differs from the current status
     */
    TransitionResult transition(TransitionRequest request, OrderStateMachine machine);

    /**
     * Assigns (or reassigns) a driver to an order that is not terminal. Not a status change: no event.
     * The default calls {@link #changeDriver} and returns its order.
     *
     * @throws UnknownOrderException if the order is not registered
     * @throws IllegalTransitionException if the order is terminal (requested status is the current one)
     */
    default TrackedOrder assignDriver(String orderId, String driverId, Instant at) {
        Checks.requireId(driverId, "driverId");
        return changeDriver(orderId, driverId, at).order();
    }

    /**
     * Sets or clears the driver of an order that is not terminal in one atomic step (the order is
     * locked as for a transition) and returns the driver it had just before, so that the caller can
     * tell exactly that driver it lost the order, even when two operators reassign it at once. Not a
     * status change: no event is written, and {@code at} is not stored.
     *
     * <p>Giving the driver the order already has (or clearing the driver of an order without one)
     * writes nothing and returns a change whose {@linkplain DriverChange#changed() changed} is false.
     *
     * @param orderId the order
     * @param driverId the new driver, or {@code null} to unassign
     * @param at server time of the change
     * @throws UnknownOrderException if the order is not registered
     * @throws IllegalTransitionException if the order is terminal (requested status is the current one)
     * @since 0.1.0
     */
    DriverChange changeDriver(String orderId, String driverId, Instant at);

    /** Returns the order, or empty if it is not registered. */
    Optional<TrackedOrder> find(String orderId);

    /**
     * Returns the registered orders among {@code orderIds}, keyed by order id; ids that are not
     * registered are absent from the map, and an id given twice is looked up once. The
     * {@link ConnectionRegistry}'s leak check uses it to look up many orders at once.
     *
     * <p>The default calls {@link #find} once per distinct id; implementations override it to answer in
     * fewer round trips ({@code JdbcOrderRepository}: one {@code IN (…)} query per 500 ids).
     *
     * @param orderIds the ids, none {@code null}; may be empty
     * @return a new map, possibly empty
     * @since 0.1.0
     */
    default Map<String, TrackedOrder> findAll(Collection<String> orderIds) {
        Objects.requireNonNull(orderIds, "orderIds must not be null");
        Map<String, TrackedOrder> result = new HashMap<>();
        for (String orderId : new LinkedHashSet<>(orderIds)) {
            find(Objects.requireNonNull(orderId, "an order id must not be null"))
                    .ifPresent(order -> result.put(orderId, order));
        }
        return result;
    }

    /**
     * Returns the events of an order with a seq greater than {@code afterSeq}, in seq order
     * ({@code afterSeq} 0 returns the whole trail). Empty for an unknown order.
     */
    List<OrderEvent> events(String orderId, long afterSeq);

    /** Returns the restaurant's orders that are not terminal, oldest first. */
    List<TrackedOrder> activeOrdersOfRestaurant(String restaurantId);

    /** Returns the customer's orders that are not terminal, oldest first. */
    List<TrackedOrder> activeOrdersOfCustomer(String customerId);

    /**
     * Returns the orders assigned to the driver that are not terminal, oldest first (by creation,
     * then order id). A driver socket reads it each time it opens, so implementations answer it
     * from an index of the driver's live orders rather than by scanning.
     */
    List<TrackedOrder> activeOrdersOfDriver(String driverId);

    /**
     * Returns up to {@code limit} orders in {@code status} whose status last changed before
     * {@code changedBefore} (all of them when it is {@code null}), oldest change first. The
     * acceptance timeout uses it with {@code received}; the staleness monitor with {@code picked_up}.
     */
    List<TrackedOrder> findByStatus(OrderStatus status, Instant changedBefore, int limit);

    /**
     * The outbox relay: hands each committed but not yet published event committed before
     * {@code committedBefore} to {@code publisher}, at most {@code max} of them, oldest first and in
     * seq order within an order, and marks each published once {@code publisher} returned normally.
     * If {@code publisher} throws, that event stays unpublished, the relay stops and the exception
     * propagates. Two relays running at once (two nodes) never hand out the same event at the same
     * time.
     *
     * @return how many events were published
     */
    int relayUnpublished(Instant committedBefore, int max, Consumer<OrderEvent> publisher);

    /** Marks events as published, so the relay skips them. Unknown refs are ignored. */
    void markPublished(Collection<EventRef> events);

    /**
     * Records that {@code moment} was notified for an order, unless it already was.
     *
     * @return {@code true} if this call recorded it (the caller should notify), {@code false} if an
     *     earlier call on any node did
     */
    boolean claimNotification(String orderId, NotificationMoment moment, Instant at);

    /**
     * One batch of the retention policy: removes up to {@code max} terminal orders ({@code delivered},
     * {@code failed}) whose status last changed before {@code finishedBefore}, each with everything the
     * repository stores for it — its audit trail (which is also its outbox), its notification claims and
     * any index entry — so that afterwards {@link #find} is empty, {@link #events} is empty and the relay
     * never hands out one of its events. All of an order goes, or none of it.
     *
     * <p>Never removes an order that is not terminal, whatever its age, even when a transition races the
     * purge; and never a terminal order that still has an unpublished event (the relay publishes it
     * first, and a later batch takes the order). Which of the eligible orders a batch takes is up to the
     * implementation; a caller purges everything eligible by calling again until a batch returns fewer
     * than {@code max}.
     *
     * <p>One purger at a time: a batch runs under a lease that only one caller holds at once, on every
     * node sharing the store ({@code JdbcOrderRepository}: a row lock held for the batch's transaction).
     * A call that finds the lease held returns {@link PurgeResult#busyElsewhere()} at once, without
     * waiting and without removing anything.
     *
     * @param finishedBefore orders whose last status change is strictly before this instant are eligible
     * @param max the most orders to remove; positive
     * @return how many orders this batch removed, or busy
     * @throws IllegalArgumentException if {@code max} is not positive
     * @since 0.1.0
     */
    PurgeResult purgeTerminal(Instant finishedBefore, int max);

    /**
     * The retention policy an {@link OrderTracker} runs on this repository when none is given to its
     * builder. The default is {@link RetentionConfig#disabled()}: a repository that is the audit trail
     * keeps it unless told otherwise. The in-memory repository answers {@link RetentionConfig#defaults()},
     * since it would otherwise grow for as long as the process lives.
     *
     * @since 0.1.0
     */
    default RetentionConfig defaultRetention() {
        return RetentionConfig.disabled();
    }

    /**
     * Records a sign of life of a restaurant's board at {@code at} (its board stream is open, or it
     * polled its orders). The stored last-seen instant only moves forward: an older {@code at} than the
     * stored one changes nothing. {@link RestaurantPresenceMonitor} calls it, throttled per node.
     *
     * @since 0.1.0
     */
    void restaurantSeen(String restaurantId, Instant at);

    /**
     * Returns, for every restaurant that has orders waiting for it
     * ({@link RestaurantPresence#WAITING_STATUSES}) or is counted offline, its stored presence facts,
     * sorted by restaurant id. Restaurants with neither are absent.
     *
     * @since 0.1.0
     */
    List<RestaurantPresence> restaurantPresence();

    /**
     * Counts a restaurant offline, unless it already is or it was seen after {@code notSeenSince}: a
     * compare-and-set on the stored facts, so that of several nodes deciding at once exactly one
     * announces the change.
     *
     * @param notSeenSince the restaurant must not have been seen after this instant
     * @param at when the change is made (stored as its change time)
     * @return {@code true} if this call made the change (the caller announces it)
     * @since 0.1.0
     */
    boolean claimRestaurantOffline(String restaurantId, Instant notSeenSince, Instant at);

    /**
     * Counts a restaurant online again, if it is counted offline: a compare-and-set, as
     * {@link #claimRestaurantOffline}.
     *
     * @return {@code true} if this call made the change (the caller announces it)
     * @since 0.1.0
     */
    boolean claimRestaurantOnline(String restaurantId, Instant at);

    /**
     * Records that an order was announced stuck in {@code status}, unless it already was (on any node):
     * the claim that makes {@link StuckOrderWatchdog} announce each order and status once.
     *
     * @return {@code true} if this call recorded it (the caller announces it)
     * @since 0.1.0
     */
    boolean claimStuck(String orderId, OrderStatus status, Instant at);

    /**
     * Returns how many events are committed but not yet marked published, and the commit time of the
     * oldest: the outbox backlog the operators' view shows.
     *
     * @since 0.1.0
     */
    OutboxBacklog outboxBacklog();
}
