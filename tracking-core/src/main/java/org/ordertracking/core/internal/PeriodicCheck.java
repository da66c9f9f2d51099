package org.ordertracking.core.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A check a component runs every interval: on the scheduler it was given (the host's or the
 * {@code TrackingResources}'), which is never shut down here, or else on one daemon thread of its own,
 * stopped on {@link #close()}. A check that throws is logged and runs again at the next interval.
 * What the operations watchers ({@code RestaurantPresenceMonitor}, {@code StuckOrderWatchdog}) share.
 *
 * <p>Thread-safe. {@link #start()} and {@link #close()} are idempotent; starting after closing throws.
 */
public final class PeriodicCheck implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeriodicCheck.class);

    private final String what;
    private final Duration interval;
    private final Runnable check;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ScheduledFuture<?> task;

    /**
     * @param what the component, for messages (e.g. "restaurant presence check")
     * @param given the scheduler to run on, never shut down here; {@code null} for a thread of its own
     * @param threadName the name of that thread
     */
    public PeriodicCheck(String what, ScheduledExecutorService given, String threadName, Duration interval,
            Runnable check) {
        this.what = Objects.requireNonNull(what, "what must not be null");
        this.interval = Checks.requirePositive(interval, "interval");
        this.check = Objects.requireNonNull(check, "check must not be null");
        this.ownsScheduler = given == null;
        this.scheduler = given != null ? given : Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Runs the check every interval, the first one interval from now. Idempotent.
     *
     * @throws IllegalStateException if closed
     */
    public void start() {
        if (closed.get()) {
            throw new IllegalStateException("the " + what + " is closed");
        }
        if (started.compareAndSet(false, true)) {
            long period = interval.toMillis();
            task = scheduler.scheduleWithFixedDelay(() -> {
                try {
                    check.run();
                } catch (RuntimeException e) {
                    LOG.warn("{} failed; it runs again at the next interval", what, e);
                }
            }, period, period, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the periodic check, and the scheduler if this created it. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ScheduledFuture<?> current = task;
        if (current != null) {
            current.cancel(false);
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }
}
