package org.ordertracking.core;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.ordertracking.core.internal.AcceptanceSweeper;
import org.ordertracking.core.internal.Checks;
import org.ordertracking.core.internal.OutboxRelay;
import org.ordertracking.core.internal.PowerRiskSweep;
import org.ordertracking.core.internal.PublishMarks;
import org.ordertracking.core.internal.RetentionPurger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The façade of the library: registers orders, moves them through the state machine, assigns
 * and unassigns drivers, and publishes every committed change on the {@link EventBus}.
 *
 * <p>Every transition is one atomic step in the {@link OrderRepository}; the tracker publishes the
 * resulting event strictly after the commit, on the order's topic and its restaurant's topic. A
 * committed event is published even if the process dies before publishing it: {@link #start()}
 * runs the outbox relay, which publishes whatever was committed and not marked published (at least
 * once; subscribers drop duplicates by seq). The acceptance-timeout sweep fails orders left in
 * {@code received} longer than {@link Builder#acceptanceTimeout}, judged from stored timestamps so
 * it holds across restarts. The {@linkplain Builder#retention retention policy} purges finished orders
 * after a while (on by default for the in-memory repository, off for a database) and announces each
 * purge on {@link Topic#operations()}. With a {@link Builder#powerSchedule power schedule}, it tells
 * which orders are at risk of a scheduled power cut ({@link #powerRisk}) and announces each once.
 *
 * <p>Background work runs on a scheduler: the one of the {@link Builder#resources resources} or
 * {@link Builder#scheduler given} to the builder, which the tracker never shuts down, or by default
 * one daemon thread the tracker creates and stops on {@link #close()}.
 *
 * <pre>{@code
 * try (OrderTracker tracker = OrderTracker.builder().build()) {   // in-memory repository and bus
 *     tracker.start();
 *     tracker.register(new NewOrder("o-1", "r-1", "c-1", new GeoPoint(33.8938, 35.5018)));
 *     tracker.transition("o-1", OrderStatus.ACCEPTED, null, "restaurant:r-1");
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class OrderTracker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OrderTracker.class);

    /** Default time an order may stay {@code received} before it fails: 5 minutes. */
    public static final Duration DEFAULT_ACCEPTANCE_TIMEOUT = Duration.ofMinutes(5);

    /** Default period of the acceptance-timeout sweep and the outbox relay: 5 seconds. */
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(5);

    /**
     * Default age an unpublished event must reach before the relay publishes it: 10 seconds, so the
     * relay does not race the normal publish path of a live node.
     */
    public static final Duration DEFAULT_RELAY_GRACE = Duration.ofSeconds(10);

    /**
     * Default period of the power-risk sweep (when a {@link Builder#powerSchedule power schedule} is
     * set): 30 seconds. The sweep recounts the at-risk orders and announces those that became at risk
     * because the schedule changed after they were placed.
     *
     * @since 0.1.0
     */
    public static final Duration DEFAULT_POWER_RISK_INTERVAL = Duration.ofSeconds(30);

    /** Most active orders per status one power-risk sweep reads. */
    private static final int POWER_SWEEP_MAX_ORDERS = 10_000;

    /** The reason recorded when the acceptance timeout fails an order. */
    public static final String ACCEPTANCE_TIMEOUT_REASON = "acceptance_timeout";

    /** The actor recorded for changes the tracker makes on its own. */
    public static final String SYSTEM_ACTOR = "system";

    private static final int SWEEP_BATCH = 100;
    private static final int MARK_BATCH = 256;
    private static final long RELAY_PUBLISH_TIMEOUT_SECONDS = 10;
    /** What {@link #publishOnTopics} returns when the bus accepted both publishes at once. */
    private static final CompletableFuture<Void> PUBLISHED = CompletableFuture.completedFuture(null);
    /** Longest pause between two flushes of publish marks while started. */
    private static final long MAX_FLUSH_MILLIS = 250;

    private final OrderRepository repository;
    private final EventBus bus;
    private final InstantSource clock;
    private final OrderStateMachine machine;
    private final Duration acceptanceTimeout;
    private final Duration sweepInterval;
    private final Duration relayGrace;
    private final List<TrackerListener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final boolean ownsBus;
    private final PublishMarks marks;
    private final OutboxRelay relay;
    private final AcceptanceSweeper sweeper;
    private final RetentionConfig retention;
    /** Null when the retention policy is disabled. */
    private final RetentionPurger purger;
    private final AtomicLong purgedOrders = new AtomicLong();
    private final PowerSchedule powerSchedule;
    private final PowerRiskPolicy powerRiskPolicy;
    private final Duration powerRiskInterval;
    private final PowerRiskSweep powerSweep;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<ScheduledFuture<?>> tasks = new CopyOnWriteArrayList<>();
    /** Publishes the bus has not accepted yet (a networked bus); a drain waits for them. */
    private final Set<CompletableFuture<Void>> inFlight = ConcurrentHashMap.newKeySet();
    /** Set when a drain begins: from then on the tracker takes no change. */
    private final AtomicReference<CompletableFuture<Void>> drained = new AtomicReference<>();
    /** The last {@link #now()}; read and written without synchronization (see {@link Now}). */
    private Now lastNow = new Now(Long.MIN_VALUE, Instant.ofEpochMilli(Long.MIN_VALUE));

    private OrderTracker(Builder builder) {
        this.repository = builder.repository != null ? builder.repository : OrderRepository.inMemory();
        this.ownsBus = builder.bus == null;
        TrackingResources resources = builder.resources;
        this.bus = builder.bus != null ? builder.bus
                : resources != null ? EventBus.inMemory(resources) : EventBus.inMemory();
        this.clock = builder.clock != null ? builder.clock
                : resources != null ? resources.clock() : InstantSource.system();
        this.machine = builder.machine;
        this.acceptanceTimeout = builder.acceptanceTimeout;
        this.sweepInterval = builder.sweepInterval;
        this.relayGrace = builder.relayGrace;
        this.listeners.addAll(builder.listeners);
        ScheduledExecutorService given = builder.scheduler != null ? builder.scheduler
                : resources != null ? resources.scheduler() : null;
        this.ownsScheduler = given == null;
        this.scheduler = given != null ? given
                : Executors.newSingleThreadScheduledExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "order-tracker-sweeper");
                    thread.setDaemon(true);
                    return thread;
                });
        this.marks = new PublishMarks(repository, MARK_BATCH);
        this.relay = new OutboxRelay(repository, this::now, relayGrace, SWEEP_BATCH, this::publishNow, marks);
        this.sweeper = new AcceptanceSweeper(repository, this::now, acceptanceTimeout, SWEEP_BATCH,
                ACCEPTANCE_TIMEOUT_REASON, SYSTEM_ACTOR, this::apply);
        this.retention = builder.retention != null ? builder.retention
                : Objects.requireNonNull(repository.defaultRetention(), "the repository's defaultRetention() is null");
        this.purger = retention.enabled() ? new RetentionPurger(repository, this::now, retention) : null;
        this.powerSchedule = builder.powerSchedule;
        this.powerRiskPolicy = builder.powerRiskPolicy;
        this.powerRiskInterval = builder.powerRiskInterval;
        this.powerSweep = powerSchedule == null ? null : new PowerRiskSweep(repository, powerSchedule,
                powerRiskPolicy, this::now, POWER_SWEEP_MAX_ORDERS, this::announceRisk);
    }

    /** Returns a builder; every setting has a default (in-memory repository and bus, system clock). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the background work on the scheduler: the outbox relay (once right away, publishing
     * what a previous process committed but never published), then every sweep interval the
     * relay, the acceptance-timeout sweep and the flush of publish marks, and, when the retention
     * policy is enabled, a purge every {@link RetentionConfig#interval()} (the first one interval after
     * the start). Idempotent.
     */
    public OrderTracker start() {
        ensureOpen();
        if (started.compareAndSet(false, true)) {
            long period = sweepInterval.toMillis();
            tasks.add(scheduler.scheduleWithFixedDelay(() -> runQuietly("outbox relay", this::relayUnpublished),
                    0, period, TimeUnit.MILLISECONDS));
            tasks.add(scheduler.scheduleWithFixedDelay(
                    () -> runQuietly("acceptance timeout sweep", this::failExpiredAcceptances),
                    period, period, TimeUnit.MILLISECONDS));
            long flush = Math.min(period, MAX_FLUSH_MILLIS);
            tasks.add(scheduler.scheduleWithFixedDelay(() -> runQuietly("publish marks", this::flushPublishedMarks),
                    flush, flush, TimeUnit.MILLISECONDS));
            if (purger != null) {
                long every = retention.interval().toMillis();
                tasks.add(scheduler.scheduleWithFixedDelay(() -> runQuietly("retention purge", this::purgeExpired),
                        every, every, TimeUnit.MILLISECONDS));
            }
            if (powerSweep != null) {
                long every = powerRiskInterval.toMillis();
                tasks.add(scheduler.scheduleWithFixedDelay(() -> runQuietly("power risk sweep", powerSweep::run),
                        0, every, TimeUnit.MILLISECONDS));
            }
        }
        return this;
    }

    /**
     * Registers an order for tracking: stores it in {@code received} with event 1 and publishes
     * that event.
     *
     * @param actor who registers it, recorded in the audit trail, may be {@code null}
     * @throws DuplicateOrderException if the id is taken
     * @throws IllegalArgumentException if the actor is longer than {@link OrderEvent#MAX_ACTOR_LENGTH} or
     *     holds a control character (nothing is stored)
     */
    public TrackedOrder register(NewOrder order, String actor) {
        Objects.requireNonNull(order, "order must not be null");
        Checks.requireText(actor, OrderEvent.MAX_ACTOR_LENGTH, "actor");
        ensureOpen();
        TransitionResult result = repository.create(order, now(), actor);
        publish(result.order(), result.event());
        if (powerSchedule != null) {
            announceIfAtRisk(result.order());
        }
        return result.order();
    }

    /** Assesses a new order and announces its risk (claimed, so once); never throws. */
    private void announceIfAtRisk(TrackedOrder order) {
        try {
            PowerRisk risk = powerRiskPolicy.assess(order, powerSchedule.plan(), now());
            if (risk != null) {
                powerSweep.found(risk);
                if (powerSchedule.claimAnnouncement(order.orderId(), risk.assessedAt())) {
                    announceRisk(risk);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("could not assess the power-cut risk of order {}; the next sweep tries again", order.orderId(), e);
        }
    }

    /** Publishes {@code order_at_risk} on the operations topic and the restaurant's topic; never throws. */
    private void announceRisk(PowerRisk risk) {
        Envelope toOperations = Envelope.of(Topic.operations(), new TrackingMessage.OrderAtRisk(risk));
        for (Envelope envelope : List.of(toOperations, toOperations.withTopic(Topic.restaurant(risk.restaurantId())))) {
            CompletableFuture<Void> published;
            try {
                published = bus.publish(envelope).toCompletableFuture();
            } catch (RuntimeException e) {
                published = CompletableFuture.failedFuture(e);
            }
            if (!isAccepted(published)) {
                published.whenComplete((ok, error) -> {
                    if (error != null) {
                        LOG.warn("could not publish order_at_risk of order {} on {}; snapshots still show the risk",
                                risk.orderId(), envelope.topic(), error);
                    }
                });
            }
        }
    }

    /**
     * Returns why an order is at risk of a scheduled power cut now, judged by the
     * {@link Builder#powerRiskPolicy policy} against the schedule's current plan on this tracker's
     * clock; empty without a {@link Builder#powerSchedule schedule}, for a terminal order, or when no
     * cut qualifies. A schedule that fails to answer reads as no risk (and is logged).
     *
     * @since 0.1.0
     */
    public Optional<PowerRisk> powerRisk(TrackedOrder order) {
        Objects.requireNonNull(order, "order must not be null");
        if (powerSchedule == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(powerRiskPolicy.assess(order, powerSchedule.plan(), now()));
        } catch (RuntimeException e) {
            LOG.warn("could not assess the power-cut risk of order {}", order.orderId(), e);
            return Optional.empty();
        }
    }

    /**
     * Returns the power schedule, or empty if none was configured.
     *
     * @since 0.1.0
     */
    public Optional<PowerSchedule> powerSchedule() {
        return Optional.ofNullable(powerSchedule);
    }

    /**
     * Returns the policy that decides which orders are at risk.
     *
     * @since 0.1.0
     */
    public PowerRiskPolicy powerRiskPolicy() {
        return powerRiskPolicy;
    }

    /**
     * Returns how many active orders are at risk of a power cut, as counted by the last sweep plus the
     * at-risk orders registered since; 0 without a schedule. The gauge {@code tracking.orders.at_risk}.
     *
     * @since 0.1.0
     */
    public int ordersAtRisk() {
        return powerSweep == null ? 0 : powerSweep.atRisk();
    }

    /**
     * Returns the active orders at risk of a power cut, sorted by order id, as found by the last sweep
     * plus the at-risk orders registered since (what {@link #ordersAtRisk()} counts); empty without a
     * schedule. The operators' view lists them.
     *
     * @since 0.1.0
     */
    public List<PowerRisk> powerRisks() {
        return powerSweep == null ? List.of() : powerSweep.risks();
    }

    /**
     * Runs the power-risk sweep now: assesses every active order, recounts {@link #ordersAtRisk()} and
     * announces {@code order_at_risk} for each at-risk order not announced before (by any tracker
     * sharing the schedule's store). {@link #start()} runs it at once and then every
     * {@link Builder#powerRiskInterval power-risk interval}; calling it directly is safe.
     *
     * @return how many active orders are at risk (0 without a schedule)
     * @since 0.1.0
     */
    public int sweepPowerRisk() {
        ensureOpen();
        return powerSweep == null ? 0 : powerSweep.run();
    }

    /** Registers an order with no actor; see {@link #register(NewOrder, String)}. */
    public TrackedOrder register(NewOrder order) {
        return register(order, null);
    }

    /**
     * Moves an order to {@code target} and publishes the event after the commit. Repeating the
     * transition that produced the current status returns the existing event and publishes
     * nothing.
     *
     * @param reason free text recorded with the event, may be {@code null}
     * @param actor who asks, recorded with the event, may be {@code null}
     * @return the event that gave the order {@code target}
     * @throws UnknownOrderException if the order is not registered
     * @throws IllegalTransitionException if the state machine has no such edge from the current status
     */
    public OrderEvent transition(String orderId, OrderStatus target, String reason, String actor) {
        return apply(TransitionRequest.of(orderId, target, reason, actor, now())).event();
    }

    /** Moves an order with no reason and no actor; see {@link #transition(String, OrderStatus, String, String)}. */
    public OrderEvent transition(String orderId, OrderStatus target) {
        return transition(orderId, target, null, null);
    }

    private TransitionResult apply(TransitionRequest request) {
        ensureOpen();
        TransitionResult result = repository.transition(request, machine);
        if (result.applied()) {
            publish(result.order(), result.event());
        }
        return result;
    }

    /**
     * Assigns a driver to an order that is not terminal, or reassigns it from another driver, in one
     * atomic repository step, then (after the commit) tells the drivers on their bus topics: the
     * previous driver, if there was another one, gets {@link TrackingMessage.DriverUnassigned}; the
     * new driver gets {@link TrackingMessage.DriverAssigned} (again, if it already had the order:
     * assignments are idempotent for a driver app).
     *
     * <p>Neither message goes through the outbox: an assignment is not a status event. A driver
     * socket sends the driver its current assignments whenever it opens, and
     * {@link #activeOrdersOfDriver} answers the same for apps that poll, so the committed state is
     * what a driver app converges to even when a message is lost.
     *
     * @return the order and the driver it had before
     * @throws UnknownOrderException if the order is not registered
     * @throws IllegalTransitionException if the order is terminal
     */
    public DriverChange assignDriver(String orderId, String driverId) {
        ensureOpen();
        Checks.requireId(driverId, "driverId");
        DriverChange change = repository.changeDriver(orderId, driverId, now());
        announce(change);
        return change;
    }

    /**
     * Takes an order that is not terminal back from its driver (an operator's decision), then (after
     * the commit) sends {@link TrackingMessage.DriverUnassigned} on that driver's topic. Unassigning
     * an order that has no driver changes nothing and sends nothing.
     *
     * @return the order, now without a driver, and the driver it had before ({@code null} if none)
     * @throws UnknownOrderException if the order is not registered
     * @throws IllegalTransitionException if the order is terminal
     * @since 0.1.0
     */
    public DriverChange unassignDriver(String orderId) {
        ensureOpen();
        DriverChange change = repository.changeDriver(orderId, null, now());
        announce(change);
        return change;
    }

    /** Publishes a committed driver change on the drivers' topics and tells the listeners; never throws. */
    private void announce(DriverChange change) {
        TrackedOrder order = change.order();
        String orderId = order.orderId();
        if (change.tookFromPreviousDriver()) {
            String previous = change.previousDriverId();
            publishInstruction(previous, new TrackingMessage.DriverUnassigned(orderId, previous));
        }
        if (order.driverId() != null) {
            publishInstruction(order.driverId(), new TrackingMessage.DriverAssigned(orderId, order.driverId()));
        }
        for (TrackerListener listener : listeners) {
            try {
                if (change.tookFromPreviousDriver()) {
                    listener.onDriverUnassigned(order, change.previousDriverId());
                }
                if (order.driverId() != null) {
                    listener.onDriverAssigned(order);
                }
            } catch (RuntimeException e) {
                LOG.warn("tracker listener {} threw on the driver change of order {}", listener, orderId, e);
            }
        }
    }

    private void publishInstruction(String driverId, TrackingMessage message) {
        CompletableFuture<Void> published;
        try {
            published = bus.publish(Topic.driver(driverId), message).toCompletableFuture();
        } catch (RuntimeException e) {
            published = CompletableFuture.failedFuture(e);
        }
        if (!isAccepted(published)) {
            CompletableFuture<Void> pending = published;
            inFlight.add(pending);
            published.whenComplete((ok, error) -> {
                inFlight.remove(pending);
                if (error != null) {
                    LOG.warn("could not publish {} of order {} to driver {}; the driver gets its current "
                            + "assignments when its socket opens", message.type(), message.orderId(), driverId, error);
                }
            });
        }
    }

    /**
     * Returns the orders assigned to the driver that are not terminal, oldest first: what a driver
     * socket sends when it opens, and what {@code GET /drivers/{id}/orders} answers.
     *
     * @since 0.1.0
     */
    public List<TrackedOrder> activeOrdersOfDriver(String driverId) {
        Checks.requireId(driverId, "driverId");
        return repository.activeOrdersOfDriver(driverId);
    }

    /** Returns the order, or empty if it is not registered. */
    public Optional<TrackedOrder> find(String orderId) {
        return repository.find(orderId);
    }

    /**
     * Returns the order.
     *
     * @throws UnknownOrderException if it is not registered
     */
    public TrackedOrder order(String orderId) {
        return repository.find(orderId).orElseThrow(() -> new UnknownOrderException(orderId));
    }

    /** Returns the whole audit trail of an order in seq order (empty for an unknown order). */
    public List<OrderEvent> history(String orderId) {
        return repository.events(orderId, 0);
    }

    /** Returns the events after {@code seq}, for a client that reconnects having seen {@code seq}. */
    public List<OrderEvent> eventsAfter(String orderId, long seq) {
        return repository.events(orderId, seq);
    }

    /** Returns the restaurant's active orders, oldest first. */
    public List<TrackedOrder> activeOrdersOfRestaurant(String restaurantId) {
        return repository.activeOrdersOfRestaurant(restaurantId);
    }

    /**
     * Fails every order that has been {@code received} for longer than the acceptance timeout,
     * with reason {@value #ACCEPTANCE_TIMEOUT_REASON}. An order accepted meanwhile is left alone.
     * {@link #start()} runs this periodically; calling it directly is safe.
     *
     * @return how many orders it failed
     */
    public int failExpiredAcceptances() {
        ensureOpen();
        return sweeper.run();
    }

    /**
     * Publishes events that were committed more than the relay grace ago and never marked
     * published — after a crash between commit and publish, or a bus outage. {@link #start()} runs
     * this once at once and then periodically; calling it directly is safe.
     *
     * @return how many events it published
     */
    public int relayUnpublished() {
        ensureOpen();
        return relay.run();
    }

    /**
     * Runs the retention policy once: purges, in batches, the terminal orders whose status last changed
     * more than {@link RetentionConfig#maxAge()} ago, with their audit trail and notification claims, and
     * if it purged any, publishes {@link TrackingMessage.RetentionPurged} on {@link Topic#operations()}.
     * A run stops early when another node is purging (the repository's lease) and takes at most 10
     * batches, so a backlog is worked off over several runs. {@link #start()} runs this every
     * {@link RetentionConfig#interval()}; calling it directly is safe.
     *
     * @return how many orders this run purged
     * @throws IllegalStateException if the retention policy is disabled
     * @since 0.1.0
     */
    public int purgeExpired() {
        ensureOpen();
        if (purger == null) {
            throw new IllegalStateException("the retention policy is disabled (" + retention + "): enable it with "
                    + "OrderTracker.Builder.retention(RetentionConfig.builder()...build())");
        }
        RetentionPurger.Run run = purger.run();
        if (run.purged() > 0) {
            purgedOrders.addAndGet(run.purged());
            LOG.info("retention purged {} order(s) finished before {}", run.purged(), run.finishedBefore());
            TrackingMessage message = new TrackingMessage.RetentionPurged(run.purged(), run.finishedBefore(), now());
            CompletableFuture<Void> published;
            try {
                published = bus.publish(Topic.operations(), message).toCompletableFuture();
            } catch (RuntimeException e) {
                published = CompletableFuture.failedFuture(e);
            }
            published.whenComplete((ok, error) -> {
                if (error != null) {
                    LOG.warn("could not announce the purge of {} order(s) on {}", run.purged(), Topic.operations(),
                            error);
                }
            });
        }
        return run.purged();
    }

    /**
     * Returns how many orders this tracker's retention policy has purged since it was built (the meter
     * {@code tracking.retention.purged}); purges run by other nodes are not counted here.
     *
     * @since 0.1.0
     */
    public long purgedOrders() {
        return purgedOrders.get();
    }

    /**
     * Returns the retention policy in force: the builder's, or the repository's
     * {@linkplain OrderRepository#defaultRetention() default}.
     *
     * @since 0.1.0
     */
    public RetentionConfig retention() {
        return retention;
    }

    /** Adds a listener for changes this tracker commits. */
    public void addListener(TrackerListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
    }

    /** Removes a listener added before; does nothing if it was not added. */
    public void removeListener(TrackerListener listener) {
        listeners.remove(listener);
    }

    public OrderRepository repository() {
        return repository;
    }

    public EventBus eventBus() {
        return bus;
    }

    public InstantSource clock() {
        return clock;
    }

    public OrderStateMachine stateMachine() {
        return machine;
    }

    public Duration acceptanceTimeout() {
        return acceptanceTimeout;
    }

    /** Returns the clock's current instant, truncated to milliseconds as every store keeps it. */
    public Instant now() {
        // millis(): one call, where instant().truncatedTo() made two Instants (and on the system
        // clock also read the nanosecond adjustment); the events of one millisecond share one
        // Instant, which the in-memory audit trail keeps for every event
        long millis = clock.millis();
        Now last = lastNow;
        if (last.millis != millis) {
            last = new Now(millis, Instant.ofEpochMilli(millis));
            lastNow = last;
        }
        return last.instant;
    }

    /** The instant of one millisecond; immutable, so a racy read of {@link #lastNow} is safe. */
    private record Now(long millis, Instant instant) {
    }

    /**
     * Stops the background work and marks what was published. Closes the scheduler and the bus only
     * if the tracker created them; never closes a repository, bus or scheduler handed to the
     * builder. Idempotent. Afterwards {@code start}, {@code register}, {@code transition},
     * {@code assignDriver} and the sweeps throw {@link TrackerClosedException}.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        tasks.forEach(task -> task.cancel(false));
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
        try {
            flushPublishedMarks();
        } catch (RuntimeException e) {
            LOG.warn("could not mark published events on close; the relay will publish them again", e);
        }
        if (ownsBus) {
            bus.close();
        }
    }

    /**
     * Stops the tracker gracefully, as the last step of a planned stop (after the servlet's streams
     * have gone): from now on it takes no change ({@link TrackerClosedException}, which the servlet
     * answers with 503); it waits, up to {@code window}, for the bus to accept what the tracker was
     * still publishing (a networked bus confirms each publish), marks those events published, and
     * closes. What the bus did not accept within the window stays in the outbox, and the outbox relay
     * of another node, or of this one after its restart, publishes it (at least once, as always).
     * Returns at once; the stage completes when the tracker is closed. A second call returns a stage
     * of the same drain; {@link #close()} closes at once.
     *
     * @param window positive
     * @throws IllegalArgumentException if {@code window} is zero or negative
     * @since 0.1.0
     */
    public CompletionStage<Void> drain(Duration window) {
        Checks.requirePositive(window, "window");
        CompletableFuture<Void> mine = new CompletableFuture<>();
        if (!drained.compareAndSet(null, mine)) {
            return drained.get().minimalCompletionStage();
        }
        CompletableFuture<?>[] waiting = inFlight.toArray(CompletableFuture<?>[]::new);
        CompletableFuture.allOf(waiting)
                .orTimeout(Math.max(1, window.toMillis()), TimeUnit.MILLISECONDS)
                .whenComplete((ok, failure) -> {
                    if (failure != null) {
                        LOG.warn("drain: {} publishes were not confirmed by the bus within {}; the outbox relay "
                                + "publishes them", inFlight.size(), window);
                    }
                    try {
                        close(); // flushes the publish marks
                    } finally {
                        mine.complete(null);
                    }
                });
        return mine.minimalCompletionStage();
    }

    /** Publishes an event after its commit, then tells the listeners; never throws. */
    private void publish(TrackedOrder order, OrderEvent event) {
        CompletableFuture<Void> done = publishOnTopics(order, event);
        if (done == PUBLISHED) {
            // the usual case with a bus that accepts at once: no callback to allocate and run
            marks.add(event);
        } else {
            inFlight.add(done);
            done.whenComplete((ok, error) -> {
                inFlight.remove(done);
                if (error == null) {
                    marks.add(event);
                } else {
                    LOG.warn("could not publish event {} of order {}; the outbox relay will retry", event.seq(),
                            event.orderId(), error);
                }
            });
        }
        if (!started.get() || marks.isFull()) {
            runQuietly("publish marks", this::flushPublishedMarks);
        }
        notifyListeners(order, event);
    }

    /** The relay's publisher: waits for the bus to accept, so a failure leaves the event unpublished. */
    private void publishNow(OrderEvent event) {
        TrackedOrder order = repository.find(event.orderId())
                .orElseThrow(() -> new UnknownOrderException(event.orderId()));
        try {
            publishOnTopics(order, event).get(RELAY_PUBLISH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while relaying event " + event.seq() + " of order "
                    + event.orderId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not relay event " + event.seq() + " of order "
                    + event.orderId(), e);
        }
        notifyListeners(order, event);
    }

    /**
     * Publishes a status event on the order's and the restaurant's topics and, for a {@code failed}
     * order that has a driver, {@link TrackingMessage.OrderCancelled} on the driver's topic. All of
     * them belong to the one outbox entry of the event: it is marked published only when the bus
     * accepted every one, and the relay publishes all of them again otherwise, so a crash between
     * commit and publish cannot lose the driver's {@code cancelled}.
     */
    private CompletableFuture<Void> publishOnTopics(TrackedOrder order, OrderEvent event) {
        Envelope toOrder = Envelope.of(Topic.order(order.orderId()), new TrackingMessage.StatusUpdate(event));
        CompletableFuture<Void> first;
        CompletableFuture<Void> second;
        CompletableFuture<Void> third = PUBLISHED;
        try {
            first = bus.publish(toOrder).toCompletableFuture();
            // same message, same (lazily computed) JSON: encoded once, by whichever reader comes first
            second = bus.publish(toOrder.withTopic(Topic.restaurant(order.restaurantId()))).toCompletableFuture();
            if (event.status() == OrderStatus.FAILED && order.driverId() != null) {
                third = bus.publish(Topic.driver(order.driverId()),
                        new TrackingMessage.OrderCancelled(order.orderId(), order.driverId())).toCompletableFuture();
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (isAccepted(first) && isAccepted(second) && (third == PUBLISHED || isAccepted(third))) {
            return PUBLISHED;
        }
        return CompletableFuture.allOf(first, second, third);
    }

    /**
     * Whether the bus accepted a message by the time {@code publish} returned: by the
     * {@link EventBus#publish(Envelope) contract}, its stage is then already complete, normally.
     */
    private static boolean isAccepted(CompletableFuture<Void> future) {
        return future.isDone() && !future.isCompletedExceptionally();
    }

    private void notifyListeners(TrackedOrder order, OrderEvent event) {
        for (TrackerListener listener : listeners) {
            try {
                listener.onEvent(order, event);
            } catch (RuntimeException e) {
                LOG.warn("tracker listener {} threw on event {} of order {}", listener, event.seq(),
                        event.orderId(), e);
            }
        }
    }

    private void flushPublishedMarks() {
        marks.flush();
    }

    private void runQuietly(String what, Runnable task) {
        try {
            task.run();
        } catch (TrackerClosedException e) {
            // draining or closed: the background work has stopped taking changes
        } catch (RuntimeException e) {
            LOG.warn("{} failed; it runs again at the next interval", what, e);
        }
    }

    private void ensureOpen() {
        if (closed.get() || drained.get() != null) {
            throw new TrackerClosedException();
        }
    }

    /**
     * Configures an {@link OrderTracker}. Not thread-safe. Every value is checked when set, with a
     * message that shows it.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private OrderRepository repository;
        private EventBus bus;
        private TrackingResources resources;
        private InstantSource clock;
        private OrderStateMachine machine = OrderStateMachine.defaults();
        private Duration acceptanceTimeout = DEFAULT_ACCEPTANCE_TIMEOUT;
        private Duration sweepInterval = DEFAULT_SWEEP_INTERVAL;
        private Duration relayGrace = DEFAULT_RELAY_GRACE;
        private ScheduledExecutorService scheduler;
        private RetentionConfig retention;
        private PowerSchedule powerSchedule;
        private PowerRiskPolicy powerRiskPolicy = PowerRiskPolicy.defaults();
        private Duration powerRiskInterval = DEFAULT_POWER_RISK_INTERVAL;
        private final List<TrackerListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /** Where orders live; default {@link OrderRepository#inMemory()}. Never closed by the tracker. */
        public Builder repository(OrderRepository repository) {
            this.repository = Objects.requireNonNull(repository, "repository must not be null");
            return this;
        }

        /**
         * Where events are published; default an in-memory bus the tracker creates and closes (on the
         * resources' delivery threads if {@link #resources} were given, else on its own). A bus
         * handed in is never closed by the tracker.
         */
        public Builder eventBus(EventBus bus) {
            this.bus = Objects.requireNonNull(bus, "eventBus must not be null");
            return this;
        }

        /**
         * Takes the clock, the scheduler and (for the default in-memory bus) the delivery threads from
         * shared resources, which the tracker never closes. A {@link #clock}, {@link #scheduler} or
         * {@link #eventBus} set on this builder wins over the resources'.
         *
         * @since 0.1.0
         */
        public Builder resources(TrackingResources resources) {
            Objects.requireNonNull(resources, "resources must not be null");
            resources.requireOpen("an OrderTracker");
            this.resources = resources;
            return this;
        }

        /** Source of server time; default the resources' clock, else the system clock. Wins over resources. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** The transition table; default {@link OrderStateMachine#defaults()}. */
        public Builder stateMachine(OrderStateMachine machine) {
            this.machine = Objects.requireNonNull(machine, "stateMachine must not be null");
            return this;
        }

        /** How long an order may stay {@code received}; default 5 minutes. */
        public Builder acceptanceTimeout(Duration timeout) {
            this.acceptanceTimeout = Checks.requirePositive(timeout, "acceptanceTimeout");
            return this;
        }

        /** Period of the acceptance sweep and the outbox relay; default 5 seconds. */
        public Builder sweepInterval(Duration interval) {
            this.sweepInterval = Checks.requirePositive(interval, "sweepInterval");
            return this;
        }

        /** Age an unpublished event must reach before the relay publishes it; default 10 seconds. */
        public Builder relayGrace(Duration grace) {
            Objects.requireNonNull(grace, "relayGrace must not be null");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("relayGrace must not be negative, but was " + grace);
            }
            this.relayGrace = grace;
            return this;
        }

        /**
         * Runs the background work on the caller's scheduler, which the tracker never shuts down;
         * wins over the resources' scheduler. With neither, the tracker creates one daemon thread and
         * stops it on {@code close()}.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler must not be null");
            return this;
        }

        /**
         * When finished orders are purged. Default: the repository's
         * {@linkplain OrderRepository#defaultRetention() own default} — on for the in-memory repository
         * (orders finished over 24 hours ago), off for {@code JdbcOrderRepository}, whose audit trail may
         * be needed for disputes. {@link RetentionConfig#disabled()} keeps everything.
         *
         * @since 0.1.0
         */
        public Builder retention(RetentionConfig retention) {
            this.retention = Objects.requireNonNull(retention, "retention must not be null");
            return this;
        }

        /**
         * The scheduled power cuts: with a schedule, each order is assessed against it (see
         * {@link PowerRiskPolicy}), an order at risk is announced once as {@code order_at_risk} on
         * {@link Topic#operations()} and its restaurant's topic, and a sweep keeps
         * {@link OrderTracker#ordersAtRisk()} current. Default none: no order is ever at risk. Never
         * closed by the tracker.
         *
         * @since 0.1.0
         */
        public Builder powerSchedule(PowerSchedule schedule) {
            this.powerSchedule = Objects.requireNonNull(schedule, "powerSchedule must not be null");
            return this;
        }

        /**
         * When an order counts as at risk; default {@link PowerRiskPolicy#defaults()} (lead 10 minutes,
         * expected preparation and delivery 45 minutes).
         *
         * @since 0.1.0
         */
        public Builder powerRiskPolicy(PowerRiskPolicy policy) {
            this.powerRiskPolicy = Objects.requireNonNull(policy, "powerRiskPolicy must not be null");
            return this;
        }

        /**
         * Period of the power-risk sweep; default {@link OrderTracker#DEFAULT_POWER_RISK_INTERVAL} (30
         * seconds). Used only with a {@link #powerSchedule}.
         *
         * @since 0.1.0
         */
        public Builder powerRiskInterval(Duration interval) {
            this.powerRiskInterval = Checks.requirePositive(interval, "powerRiskInterval");
            return this;
        }

        /** Adds a listener for committed changes. */
        public Builder listener(TrackerListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
            return this;
        }

        /**
         * Builds the tracker.
         *
         * @throws IllegalStateException if the state machine cannot fail a {@code received} order,
         *     which the acceptance timeout needs
         */
        public OrderTracker build() {
            if (!machine.isAllowed(OrderStatus.RECEIVED, OrderStatus.FAILED)) {
                throw new IllegalStateException("the state machine must allow received -> failed for the "
                        + "acceptance timeout, but its edges were " + machine);
            }
            return new OrderTracker(this);
        }
    }
}
