package org.ordertracking.core;

import java.time.Duration;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.ordertracking.core.internal.Checks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the {@link PushNotifier} at the five {@link NotificationMoment}s of an order: accepted,
 * picked up, about to arrive, delivered, failed.
 *
 * <p>Register it as a {@link TrackerListener} of the {@link OrderTracker} (status moments) and hand
 * it to the {@link LocationIngestor} (the ETA for {@link NotificationMoment#ARRIVING}). The listener
 * methods never block: every notification runs on the scheduler, which
 * <ol>
 *   <li>reads the order's current status and drops the notification if the order moved past the
 *       moment (no "picked up" push for an order already delivered): {@code accepted} stays due
 *       while the order is accepted, preparing or ready; {@code picked_up} and {@code arriving}
 *       while it is picked up; {@code delivered} and {@code failed} while it is so;</li>
 *   <li>claims the moment with {@link OrderRepository#claimNotification}, so each is sent at most
 *       once per order across restarts and nodes (an event re-published by the outbox relay is
 *       dropped there);</li>
 *   <li>calls the notifier; if it throws, it retries with exponential backoff up to
 *       {@link Builder#maxAttempts} attempts, re-checking the status before each one. A claimed
 *       notification whose retries are lost with the process is not sent again: at most once.</li>
 * </ol>
 *
 * <p>{@code arriving} fires when an ETA of at most {@link Builder#arrivingWithin} (default 5
 * minutes) comes in. The dispatcher then ignores further ETAs of the order until one above
 * {@link Builder#rearmAbove} (default 6 minutes) comes in, so a jittering ETA does not even reach
 * the repository again; the claim makes it once in any case.
 *
 * <p>Thread-safe. {@link #close()} stops the scheduler if the dispatcher created it, never one
 * handed in; pending retries are dropped. {@link #drain(Duration)} first lets pending notifications
 * go out within a window.
 *
 * @since 0.1.0
 */
public final class NotificationDispatcher implements TrackerListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationDispatcher.class);

    /** Default ETA at or below which the "about to arrive" push fires: 5 minutes. */
    public static final Duration DEFAULT_ARRIVING_WITHIN = Duration.ofMinutes(5);

    /** Default ETA above which the "about to arrive" trigger re-arms: 6 minutes. */
    public static final Duration DEFAULT_REARM_ABOVE = Duration.ofMinutes(6);

    /** Default number of attempts to send one notification: 5. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;

    /** Default wait before the first retry, doubled for each further one: 1 second. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);

    /** Default longest wait between two attempts: 1 minute. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(1);

    private final OrderRepository repository;
    private final PushNotifier notifier;
    private final InstantSource clock;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final Duration arrivingWithin;
    private final Duration rearmAbove;
    private final int maxAttempts;
    private final long initialBackoffMillis;
    private final long maxBackoffMillis;
    /** Orders whose arriving trigger fired and has not re-armed. */
    private final ConcurrentHashMap<String, Boolean> arrivingFired = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Notifications scheduled and not finished (sent, dropped or given up); a drain waits for zero. */
    private final AtomicInteger pending = new AtomicInteger();
    /** Set when a drain begins; completed when nothing is pending. */
    private final AtomicReference<CompletableFuture<Void>> idle = new AtomicReference<>();
    /** The drain's end: the dispatcher closed. */
    private final CompletableFuture<Void> drained = new CompletableFuture<>();

    private NotificationDispatcher(Builder builder) {
        this.repository = builder.repository;
        this.notifier = builder.notifier;
        TrackingResources resources = builder.resources;
        this.clock = builder.clock != null ? builder.clock
                : resources != null ? resources.clock() : InstantSource.system();
        ScheduledExecutorService given = builder.scheduler != null ? builder.scheduler
                : resources != null ? resources.scheduler() : null;
        this.ownsScheduler = given == null;
        this.scheduler = given != null ? given
                : Executors.newSingleThreadScheduledExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "tracking-notifications");
                    thread.setDaemon(true);
                    return thread;
                });
        this.arrivingWithin = builder.arrivingWithin;
        this.rearmAbove = builder.rearmAbove;
        this.maxAttempts = builder.maxAttempts;
        this.initialBackoffMillis = builder.initialBackoff.toMillis();
        this.maxBackoffMillis = builder.maxBackoff.toMillis();
    }

    /**
     * Returns a builder.
     *
     * @param repository where the dedupe records are claimed and current statuses read
     * @param notifier what sends the pushes
     */
    public static Builder builder(OrderRepository repository, PushNotifier notifier) {
        return new Builder(repository, notifier);
    }

    /** Schedules the notification of a status moment (accepted, picked up, delivered, failed). */
    @Override
    public void onEvent(TrackedOrder order, OrderEvent event) {
        NotificationMoment moment = switch (event.status()) {
            case ACCEPTED -> NotificationMoment.ACCEPTED;
            case PICKED_UP -> NotificationMoment.PICKED_UP;
            case DELIVERED -> NotificationMoment.DELIVERED;
            case FAILED -> NotificationMoment.FAILED;
            default -> null;
        };
        if (event.status().isTerminal()) {
            arrivingFired.remove(event.orderId());
        }
        if (moment != null) {
            submit(event.orderId(), moment, null, 1, false, 0);
        }
    }

    /**
     * Feeds a new ETA of an order being delivered; schedules the "about to arrive" notification when
     * it is due. Called by the {@link LocationIngestor}; never blocks.
     */
    public void onEta(TrackedOrder order, Duration eta) {
        Objects.requireNonNull(order, "order must not be null");
        Objects.requireNonNull(eta, "eta must not be null");
        if (order.status() != OrderStatus.PICKED_UP) {
            return;
        }
        if (eta.compareTo(arrivingWithin) <= 0) {
            if (arrivingFired.putIfAbsent(order.orderId(), Boolean.TRUE) == null) {
                submit(order.orderId(), NotificationMoment.ARRIVING, eta, 1, false, 0);
            }
        } else if (eta.compareTo(rearmAbove) > 0) {
            arrivingFired.remove(order.orderId());
        }
    }

    /**
     * Returns whether the host may send a marketing push to the customer: {@code false} while the
     * customer has an order that is not delivered or failed. Reads the repository.
     */
    public boolean mayMarket(String customerId) {
        Checks.requireId(customerId, "customerId");
        return repository.activeOrdersOfCustomer(customerId).isEmpty();
    }

    private void submit(String orderId, NotificationMoment moment, Duration eta, int attempt, boolean claimed,
            long delayMillis) {
        if (closed.get()) {
            return;
        }
        pending.incrementAndGet();
        try {
            scheduler.schedule(() -> {
                try {
                    attempt(orderId, moment, eta, attempt, claimed);
                } finally {
                    finished();
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            finished();
            LOG.warn("the notification scheduler refused the {} notification of order {}", moment.wireName(),
                    orderId, e);
        }
    }

    private void finished() {
        if (pending.decrementAndGet() == 0) {
            CompletableFuture<Void> whenIdle = idle.get();
            if (whenIdle != null) {
                whenIdle.complete(null);
            }
        }
    }

    /**
     * Lets the pending notifications go out, then closes: waits up to {@code window} until every
     * notification already scheduled has been sent, dropped (its order moved past the moment) or given
     * up, retries included, and closes. What is still pending at the end of the window is dropped, as
     * {@link #close()} drops it, and logged. Returns at once; the stage completes when the dispatcher is
     * closed. Call it after the tracker stopped taking changes (its {@code drain}), so that no new moment
     * arrives. A second call returns a stage of the same drain.
     *
     * @param window positive
     * @throws IllegalArgumentException if {@code window} is zero or negative
     * @since 0.1.0
     */
    public CompletionStage<Void> drain(Duration window) {
        Checks.requirePositive(window, "window");
        CompletableFuture<Void> whenIdle = new CompletableFuture<>();
        if (!idle.compareAndSet(null, whenIdle)) {
            return drained.minimalCompletionStage();
        }
        if (pending.get() == 0) {
            whenIdle.complete(null);
        }
        whenIdle.orTimeout(Math.max(1, window.toMillis()), TimeUnit.MILLISECONDS).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.warn("drain: {} notifications were still pending after {}; dropping them", pending.get(), window);
            }
            try {
                close();
            } finally {
                drained.complete(null);
            }
        });
        return drained.minimalCompletionStage();
    }

    private void attempt(String orderId, NotificationMoment moment, Duration eta, int attempt, boolean claimed) {
        if (closed.get()) {
            return;
        }
        boolean nowClaimed = claimed;
        try {
            Optional<TrackedOrder> current = repository.find(orderId);
            if (current.isEmpty() || !isDue(moment, current.get().status())) {
                LOG.debug("dropping the {} notification of order {}: it moved past that moment",
                        moment.wireName(), orderId);
                return;
            }
            if (!nowClaimed) {
                if (!repository.claimNotification(orderId, moment, clock.instant().truncatedTo(ChronoUnit.MILLIS))) {
                    return;
                }
                nowClaimed = true;
            }
            notifier.send(current.get(), moment, eta);
        } catch (RuntimeException e) {
            if (attempt >= maxAttempts) {
                LOG.error("giving up the {} notification of order {} after {} attempts", moment.wireName(), orderId,
                        attempt, e);
                return;
            }
            long backoff = Math.min(maxBackoffMillis, initialBackoffMillis << Math.min(attempt - 1, 30));
            LOG.warn("the {} notification of order {} failed (attempt {} of {}); retrying in {} ms",
                    moment.wireName(), orderId, attempt, maxAttempts, backoff, e);
            submit(orderId, moment, eta, attempt + 1, nowClaimed, backoff);
        }
    }

    /** Whether a notification of {@code moment} is still due for an order in {@code status}. */
    static boolean isDue(NotificationMoment moment, OrderStatus status) {
        return switch (moment) {
            case ACCEPTED -> status == OrderStatus.ACCEPTED || status == OrderStatus.PREPARING
                    || status == OrderStatus.READY;
            case PICKED_UP, ARRIVING -> status == OrderStatus.PICKED_UP;
            case DELIVERED -> status == OrderStatus.DELIVERED;
            case FAILED -> status == OrderStatus.FAILED;
        };
    }

    /** Drops pending retries; stops the scheduler if the dispatcher created it. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && ownsScheduler) {
            scheduler.shutdownNow();
        }
    }

    /**
     * Configures a {@link NotificationDispatcher}. Each value is checked when set, with a message that
     * shows it. Not thread-safe.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private final OrderRepository repository;
        private final PushNotifier notifier;
        private TrackingResources resources;
        private InstantSource clock;
        private ScheduledExecutorService scheduler;
        private Duration arrivingWithin = DEFAULT_ARRIVING_WITHIN;
        private Duration rearmAbove = DEFAULT_REARM_ABOVE;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;

        private Builder(OrderRepository repository, PushNotifier notifier) {
            this.repository = Objects.requireNonNull(repository, "repository must not be null");
            this.notifier = Objects.requireNonNull(notifier, "notifier must not be null");
        }

        /**
         * Takes the clock and the scheduler from shared resources, which the dispatcher never closes or shuts down. A {@link #clock} or {@link #scheduler} set on this builder wins over the resources'.
         *
         * @throws IllegalStateException if the resources are closed
         * @since 0.1.0
         */
        public Builder resources(TrackingResources resources) {
            Objects.requireNonNull(resources, "resources must not be null");
            resources.requireOpen("a NotificationDispatcher");
            this.resources = resources;
            return this;
        }

        /** Time recorded with each claim; default the resources' clock, else the system clock. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * Runs notifications and retries on the caller's scheduler, which the dispatcher never shuts
         * down; wins over the resources' scheduler. With neither, it creates one daemon thread and
         * stops it on {@code close()}.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler must not be null");
            return this;
        }

        /** ETA at or below which "about to arrive" fires; positive, default 5 minutes. */
        public Builder arrivingWithin(Duration within) {
            this.arrivingWithin = Checks.requirePositive(within, "arrivingWithin");
            return this;
        }

        /** ETA above which the trigger re-arms; must be longer than arrivingWithin, default 6 minutes. */
        public Builder rearmAbove(Duration above) {
            this.rearmAbove = Checks.requirePositive(above, "rearmAbove");
            return this;
        }

        /** Attempts per notification, the first included; positive, default 5. */
        public Builder maxAttempts(int attempts) {
            this.maxAttempts = Checks.requirePositive(attempts, "maxAttempts");
            return this;
        }

        /** Wait before the first retry; positive, default 1 second. */
        public Builder initialBackoff(Duration backoff) {
            this.initialBackoff = Checks.requirePositive(backoff, "initialBackoff");
            return this;
        }

        /** Longest wait between attempts; positive, default 1 minute. */
        public Builder maxBackoff(Duration backoff) {
            this.maxBackoff = Checks.requirePositive(backoff, "maxBackoff");
            return this;
        }

        /**
         * Builds the dispatcher.
         *
         * @throws IllegalArgumentException if rearmAbove is not longer than arrivingWithin, or
         *     maxBackoff is shorter than initialBackoff
         */
        public NotificationDispatcher build() {
            if (rearmAbove.compareTo(arrivingWithin) <= 0) {
                throw new IllegalArgumentException("rearmAbove must be longer than arrivingWithin " + arrivingWithin
                        + ", but was " + rearmAbove);
            }
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("maxBackoff must be at least initialBackoff " + initialBackoff
                        + ", but was " + maxBackoff);
            }
            return new NotificationDispatcher(this);
        }
    }
}
