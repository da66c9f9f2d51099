package org.ordertracking.core;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ordertracking.core.internal.Checks;
import org.ordertracking.core.internal.DeliveryThreads;
import org.ordertracking.core.internal.LocalFanout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the components of one process share: the clock, one scheduler for background work (the
 * tracker's outbox relay and acceptance sweep, notification retries, the staleness check, the
 * servlet's keep-alives and leak sweeps) and one pool of bus delivery threads (the in-memory bus, the
 * Redis bus's local fan-out). Hand the same instance to every builder ({@code resources(...)}) and
 * the process runs one scheduler pool and one delivery pool, however many components it has.
 *
 * <pre>{@code
 * try (TrackingResources resources = TrackingResources.create();
 *      OrderTracker tracker = OrderTracker.builder().resources(resources).build();
 *      StalenessMonitor monitor = StalenessMonitor.builder(store, tracker.repository(), tracker.eventBus())
 *              .resources(resources).build()) {
 *     tracker.start();
 *     monitor.start();
 *     ...
 * } // closed in reverse order: the components first, the resources last
 * }</pre>
 *
 * <p><b>Owned and shared.</b> Each executor is either <i>owned</i>, created by these resources from
 * {@link Builder#schedulerThreads(int)} and {@link Builder#deliveryThreads(int)} on the
 * {@link Builder#threadFactory(ThreadFactory) thread factory}, and shut down by {@link #close()}; or
 * <i>shared</i>, handed in by the host through {@link Builder#scheduler(ScheduledExecutorService)} or
 * {@link Builder#deliveryExecutor(Executor)}, and then never shut down by this library: the host
 * that created it stops it. A component built with resources never shuts down their executors
 * either, owned or shared: only {@link #close()} does. Close the components first and the resources
 * last; a component whose resources are closed can no longer schedule or deliver.
 *
 * <p><b>Defaults.</b> {@link #create()}: the system clock, an owned scheduler of
 * {@link #DEFAULT_SCHEDULER_THREADS} threads named {@code tracking-scheduler-N}, and an owned
 * delivery pool of {@link #DEFAULT_DELIVERY_THREADS} threads named {@code tracking-delivery-N}, all
 * daemon threads, so that a forgotten {@code close()} never keeps the JVM alive.
 *
 * <p><b>Meters.</b> Nothing here is tied to a metrics library: the components that count expose
 * read-only snapshots ({@link LocationIngestor#stats()}, {@link ConnectionRegistry#snapshot()}),
 * which the servlet module binds to Micrometer.
 *
 * <p>Thread-safe: immutable once built, and {@link #close()} may be called from any thread, any
 * number of times.
 *
 * @since 0.1.0
 */
public final class TrackingResources implements AutoCloseable {

    /**
     * Default number of owned scheduler threads: one per available processor, at least two, so that
     * one slow background task (a relay waiting on a broker, a push waiting on its provider) never
     * holds up the others.
     */
    private static final Logger LOG = LoggerFactory.getLogger(TrackingResources.class);

    /** How long {@link #close()} lets the tasks already due on an owned scheduler finish: 5 s. */
    public static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    public static final int DEFAULT_SCHEDULER_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

    /** Default number of owned delivery threads: one per available processor, at least two. */
    public static final int DEFAULT_DELIVERY_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

    /** Name prefix of the owned scheduler threads made by the default thread factory: {@value}. */
    public static final String SCHEDULER_THREAD_PREFIX = "tracking-scheduler-";

    /** Name prefix of the owned delivery threads made by the default thread factory: {@value}. */
    public static final String DELIVERY_THREAD_PREFIX = "tracking-delivery-";

    private final InstantSource clock;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final Executor deliveryExecutor;
    private final DeliveryThreads ownedDelivery;
    private final int deliveryThreads;
    private final AtomicBoolean closed = new AtomicBoolean();

    private TrackingResources(Builder builder) {
        this.clock = builder.clock;
        this.deliveryThreads = builder.deliveryThreads;
        if (builder.scheduler != null) {
            this.scheduler = builder.scheduler;
            this.ownsScheduler = false;
        } else {
            ScheduledThreadPoolExecutor owned = new ScheduledThreadPoolExecutor(builder.schedulerThreads,
                    builder.threadFactory != null ? builder.threadFactory
                            : LocalFanout.daemonThreads(SCHEDULER_THREAD_PREFIX));
            // components cancel their periodic tasks on close: drop them from the queue at once,
            // since a shared scheduler outlives many components
            owned.setRemoveOnCancelPolicy(true);
            owned.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            owned.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
            this.scheduler = owned;
            this.ownsScheduler = true;
        }
        if (builder.deliveryExecutor != null) {
            this.deliveryExecutor = builder.deliveryExecutor;
            this.ownedDelivery = null;
        } else {
            try {
                this.ownedDelivery = new DeliveryThreads(builder.deliveryThreads,
                        builder.threadFactory != null ? builder.threadFactory
                                : LocalFanout.daemonThreads(DELIVERY_THREAD_PREFIX));
            } catch (RuntimeException | Error e) {
                if (ownsScheduler) {
                    scheduler.shutdownNow();
                }
                throw e;
            }
            this.deliveryExecutor = ownedDelivery;
        }
    }

    /** Returns resources with every default: system clock, owned scheduler, owned delivery threads. */
    public static TrackingResources create() {
        return builder().build();
    }

    /** Returns a builder; every setting has a default (see the class description). */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the source of server time. */
    public InstantSource clock() {
        return clock;
    }

    /**
     * Returns the scheduler for background work. Components never shut it down; {@link #close()}
     * does if these resources created it.
     */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /**
     * Returns the executor listeners of a bus are called on. Components never shut it down;
     * {@link #close()} does if these resources created it.
     */
    public Executor deliveryExecutor() {
        return deliveryExecutor;
    }

    /**
     * Returns the number of owned delivery threads, or, with a shared delivery executor, how many of
     * its threads one topic's delivery may use at once.
     */
    public int deliveryThreads() {
        return deliveryThreads;
    }

    /** Returns whether {@link #scheduler()} was created here (and is shut down by {@link #close()}). */
    public boolean ownsScheduler() {
        return ownsScheduler;
    }

    /**
     * Returns whether {@link #deliveryExecutor()} was created here (and is shut down by
     * {@link #close()}).
     */
    public boolean ownsDeliveryExecutor() {
        return ownedDelivery != null;
    }

    /** Returns whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Shuts down the owned executors, gently: the scheduler runs the tasks already due (a servlet ends
     * its streams with such tasks, so its clients see each stream's end rather than a cut
     * connection) and drops delayed and periodic ones, waiting up to {@link #CLOSE_GRACE} for them
     * before interrupting what still runs; the delivery threads stop once their current task returns
     * and drop what is queued. A shared executor is left exactly as it was. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (ownsScheduler) {
            scheduler.shutdown();
            try {
                if (!scheduler.awaitTermination(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("scheduled tasks still running {} after TrackingResources.close(); interrupting them",
                            CLOSE_GRACE);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            scheduler.shutdownNow();
        }
        if (ownedDelivery != null) {
            ownedDelivery.close();
        }
    }

    /** Fails if these resources were closed; used by builders. */
    void requireOpen(String what) {
        if (closed.get()) {
            throw new IllegalStateException("cannot build " + what + " on closed TrackingResources");
        }
    }

    @Override
    public String toString() {
        return "TrackingResources[scheduler=" + (ownsScheduler ? "owned" : "shared") + ", delivery="
                + (ownedDelivery != null ? "owned" : "shared") + ", deliveryThreads=" + deliveryThreads
                + (closed.get() ? ", closed" : "") + "]";
    }

    /**
     * Configures {@link TrackingResources}. Not thread-safe. Every value is checked when set, with a
     * message that shows it.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private InstantSource clock = InstantSource.system();
        private ScheduledExecutorService scheduler;
        private int schedulerThreads = DEFAULT_SCHEDULER_THREADS;
        private boolean schedulerThreadsSet;
        private Executor deliveryExecutor;
        private int deliveryThreads = DEFAULT_DELIVERY_THREADS;
        private ThreadFactory threadFactory;

        private Builder() {
        }

        /** Source of server time for every component; default the system clock. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * Shares the host's scheduler, which is never shut down by this library (not by
         * {@link TrackingResources#close()} either). It should run at least two tasks at a time, so
         * that one slow background task never holds up the others. Excludes
         * {@link #schedulerThreads(int)}.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler must not be null");
            return this;
        }

        /**
         * Number of threads of the owned scheduler; positive, default
         * {@link TrackingResources#DEFAULT_SCHEDULER_THREADS}. Excludes
         * {@link #scheduler(ScheduledExecutorService)}.
         */
        public Builder schedulerThreads(int threads) {
            this.schedulerThreads = Checks.requirePositive(threads, "schedulerThreads");
            this.schedulerThreadsSet = true;
            return this;
        }

        /**
         * Number of owned delivery threads; positive, default
         * {@link TrackingResources#DEFAULT_DELIVERY_THREADS}. With a shared
         * {@link #deliveryExecutor(Executor)}, how many of its threads one topic's delivery may use
         * at once.
         */
        public Builder deliveryThreads(int threads) {
            this.deliveryThreads = Checks.requirePositive(threads, "deliveryThreads");
            return this;
        }

        /**
         * Shares the host's executor for bus delivery, which is never shut down by this library. It
         * must run every task it accepts (or throw {@code RejectedExecutionException}), and at least
         * two at a time, so that one blocked listener never holds up the others.
         */
        public Builder deliveryExecutor(Executor executor) {
            this.deliveryExecutor = Objects.requireNonNull(executor, "deliveryExecutor must not be null");
            return this;
        }

        /**
         * Makes the threads of the owned scheduler and delivery pool; default named daemon threads
         * ({@value TrackingResources#SCHEDULER_THREAD_PREFIX}N, {@value TrackingResources#DELIVERY_THREAD_PREFIX}N).
         * Not used for shared executors.
         */
        public Builder threadFactory(ThreadFactory threadFactory) {
            this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory must not be null");
            return this;
        }

        /**
         * Builds the resources, starting the owned delivery threads (the owned scheduler starts its
         * threads as tasks arrive).
         *
         * @throws IllegalStateException if both a shared scheduler and a number of scheduler threads
         *     were given
         */
        public TrackingResources build() {
            if (scheduler != null && schedulerThreadsSet) {
                throw new IllegalStateException("schedulerThreads " + schedulerThreads
                        + " was set, but a shared scheduler was given too: " + scheduler);
            }
            return new TrackingResources(this);
        }
    }
}
