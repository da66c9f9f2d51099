package org.ordertracking.servlet.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.servlet.ProblemType;
import org.ordertracking.servlet.TrackingMetrics;
import org.ordertracking.servlet.TrackingServletConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the servlet's connections share: the config, the scheduler (keep-alives, leak sweeps, the
 * delays between gap reads), the fill threads (repository reads after a bus gap, never on the
 * scheduler, so a slow repository cannot hold up keep-alives), the {@link ConnectionRegistry} and
 * the counters. Thread-safe; {@link #close()} is idempotent.
 */
public final class StreamHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamHub.class);
    /** Threads reading the repository for gap fills: bounded, so a storm of gaps queues instead of growing threads. */
    static final int FILL_THREADS = 2;

    private final TrackingServletConfig config;
    private final Snapshots snapshots;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final ConnectionRegistry registry;
    private final boolean ownsRegistry;
    private final Metrics metrics = new Metrics();
    private final Set<SseStream> streams = ConcurrentHashMap.newKeySet();
    private final Set<AutoCloseable> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final long retryMillis;
    private final long retryJitterMillis;
    private final ThreadPoolExecutor fills;
    private final ScheduledFuture<?> keepAlives;
    private final ScheduledFuture<?> leakSweep;
    private final long keepAliveNanos;
    private final AtomicInteger lastLeaks = new AtomicInteger();
    private final SharedFrames frames = new SharedFrames();
    private final StreamLimits limits;
    /** Set once, when a drain begins; its future completes when it has ended every connection (or the hub closed). */
    private final AtomicReference<Drain> drain = new AtomicReference<>();
    /** Waves of the drain not run yet, plus one until the drain has scheduled them all; it can end only at zero. */
    private final AtomicInteger wavesLeft = new AtomicInteger(1);

    public StreamHub(TrackingServletConfig config, Snapshots.LiveView live) {
        this.config = config;
        this.snapshots = new Snapshots(live, config.tracker().powerSchedule().isPresent()
                ? config.tracker()::powerRisk : null, config.restaurantPresence());
        this.ownsScheduler = config.scheduler() == null;
        this.scheduler = ownsScheduler ? Executors.newScheduledThreadPool(2, daemon()) : config.scheduler();
        this.ownsRegistry = config.connectionRegistry() == null;
        if (ownsRegistry) {
            this.registry = ConnectionRegistry.builder().clock(config.tracker().clock())
                    .leakGrace(config.leakGrace()).repository(config.tracker().repository()).build();
            config.tracker().addListener(registry);
        } else {
            this.registry = config.connectionRegistry();
        }
        this.limits = new StreamLimits(config, metrics);
        this.retryMillis = config.retry().toMillis();
        this.retryJitterMillis = config.retryJitter().toMillis();
        this.fills = new ThreadPoolExecutor(FILL_THREADS, FILL_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemon("tracking-servlet-fill-"));
        fills.allowCoreThreadTimeOut(true);
        this.keepAliveNanos = config.keepAlive().toNanos();
        long period = Math.max(10, Math.min(config.keepAlive().toMillis() / 2, 1000));
        this.keepAlives = scheduler.scheduleWithFixedDelay(this::keepAlive, period, period, TimeUnit.MILLISECONDS);
        long sweep = config.leakSweepInterval().toMillis();
        this.leakSweep = scheduler.scheduleWithFixedDelay(this::reapLeaks, sweep, sweep, TimeUnit.MILLISECONDS);
    }

    private static ThreadFactory daemon() {
        return daemon("tracking-servlet-");
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public TrackingServletConfig config() {
        return config;
    }

    public OrderTracker tracker() {
        return config.tracker();
    }

    public Snapshots snapshots() {
        return snapshots;
    }

    public Metrics metrics() {
        return metrics;
    }

    /**
     * Reads every figure of the metrics document now: the registry's counts, the viewers, the last
     * sweep, this hub's counters and, if configured, the ingestor's published count.
     */
    public TrackingMetrics snapshot() {
        ConnectionRegistry.Snapshot connections = registry.snapshot();
        LocationIngestor ingestor = config.locationIngestor();
        return new TrackingMetrics(connections.at(), connections.open(), connections.total(),
                connections.oldestAgeSeconds(), viewers(), lastLeaks(), connections.leaksClosed(),
                metrics.eventsSent(), metrics.dropped(), metrics.slowDisconnects(), metrics.fixesApplied(),
                metrics.fixesRejected(), metrics.rateLimited(),
                ingestor == null ? null : ingestor.stats().published(), metrics.streamsRefused());
    }

    public ScheduledExecutorService executor() {
        return scheduler;
    }

    public ConnectionRegistry registry() {
        return registry;
    }

    /** The caps on open streams and sockets and the stream open rate. */
    StreamLimits limits() {
        return limits;
    }

    /** The frames of recent messages, shared by the streams that receive the same envelope. */
    SharedFrames frames() {
        return frames;
    }

    /**
     * A stream's {@code retry:} frame: uniformly in [retry, retry + retryJitter] milliseconds, drawn
     * per stream, so that the clients of one node do not all come back in the same second.
     */
    Frame retryFrame() {
        long jitter = retryJitterMillis == 0 ? 0 : ThreadLocalRandom.current().nextLong(retryJitterMillis + 1);
        return Frame.retry(retryMillis + jitter);
    }

    /**
     * Runs a gap fill on the fill threads, after {@code delayMillis} (waited on the scheduler, which
     * only hands the fill over). Throws {@link java.util.concurrent.RejectedExecutionException} when
     * the hub is closing.
     */
    void fill(Runnable fill, long delayMillis) {
        if (delayMillis <= 0) {
            fills.execute(fill);
        } else {
            scheduler.schedule(() -> {
                try {
                    fills.execute(fill);
                } catch (RuntimeException e) {
                    LOG.debug("could not hand a gap fill over; the hub is closing", e);
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Registers an open stream in the registry (a leak reap closes it). */
    public void register(SseStream stream) {
        streams.add(stream);
        // a reaped stream closes itself, which unregisters it from this hub as it completes
        stream.registration(registry.register(stream.kind(), stream.subjectId(), stream));
        if (closed.get()) {
            stream.close();
        } else {
            Drain d = drain.get();
            if (d != null) {
                // it passed the opener's check just before the drain began: send it away too
                endForDrain(stream, d.plan.late(d.elapsedMillis(), ThreadLocalRandom.current()).retryMillis());
            }
        }
    }

    void unregister(SseStream stream) {
        streams.remove(stream);
        endDrainIfDone();
    }

    /** Registers an open driver socket; close the returned registration when it ends. */
    public ConnectionRegistry.Connection registerSocket(String driverId, AutoCloseable socket) {
        sockets.add(socket);
        return registry.register(ConnectionRegistry.Kind.DRIVER_SOCKET, driverId, socket);
    }

    public void unregisterSocket(AutoCloseable socket) {
        sockets.remove(socket);
        endDrainIfDone();
    }

    /** Whether a drain has begun and the hub is not closed yet. */
    public boolean isDraining() {
        return drain.get() != null && !closed.get();
    }

    /**
     * Refuses a new stream or socket while the hub drains: 503 {@code draining}, with a
     * {@code Retry-After} drawn over what is left of the drain's spread.
     *
     * @throws Problem while draining
     */
    void refuseIfDraining() {
        Drain d = drain.get();
        if (d != null && !closed.get()) {
            throw Problem.of(ProblemType.DRAINING, "this server is draining before a planned stop; connect again")
                    .header("Retry-After", Long.toString(d.plan.retryAfterSeconds(d.elapsedMillis(),
                            ThreadLocalRandom.current())));
        }
    }

    /** A drain under way: its plan, when it began, and its end. */
    private record Drain(DrainPlan plan, long startNanos, CompletableFuture<Void> done) {
        long elapsedMillis() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        }
    }

    /**
     * Begins a drain over {@code window}: from now on no stream or socket opens (503 {@code draining});
     * every open stream is told with {@code retry:} when to come back and ended, and every driver socket
     * closed with 1001 (going away), in waves spread over the window ({@link DrainPlan}). Whatever is still
     * open when the window is over is closed. The returned future completes once every connection has
     * ended; the hub itself stays open (requests other than streams are still served) until
     * {@link #close()}. A second call returns the first call's future, whatever its window.
     *
     * @throws IllegalArgumentException if {@code window} is not positive
     */
    public CompletableFuture<Void> drain(Duration window) {
        DrainPlan plan = new DrainPlan(window);
        CompletableFuture<Void> mine = new CompletableFuture<>();
        if (!drain.compareAndSet(null, new Drain(plan, System.nanoTime(), mine))) {
            return drain.get().done;
        }
        if (closed.get()) {
            mine.complete(null);
            return mine;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        TreeMap<Long, List<Runnable>> waves = new TreeMap<>();
        int streamCount = 0;
        for (SseStream stream : streams) {
            DrainPlan.Exit exit = plan.draw(random);
            waves.computeIfAbsent(exit.endAtMillis(), k -> new ArrayList<>())
                    .add(() -> endForDrain(stream, exit.retryMillis()));
            streamCount++;
        }
        int socketCount = 0;
        for (AutoCloseable socket : sockets) {
            DrainPlan.Exit exit = plan.draw(random);
            waves.computeIfAbsent(exit.endAtMillis(), k -> new ArrayList<>()).add(() -> closeQuietly(socket));
            socketCount++;
        }
        LOG.info("draining {} streams and {} driver sockets over {} ms ({} waves)", streamCount, socketCount,
                plan.windowMillis(), waves.size());
        wavesLeft.addAndGet(waves.size());
        for (Map.Entry<Long, List<Runnable>> wave : waves.entrySet()) {
            schedule(() -> runWave(wave.getValue()), wave.getKey());
        }
        // whatever could not write its last bytes within the window is closed then
        schedule(this::endDrainNow, plan.windowMillis());
        wavesLeft.decrementAndGet();
        endDrainIfDone();
        return mine;
    }

    private void schedule(Runnable task, long delayMillis) {
        try {
            scheduler.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            task.run(); // the scheduler is shutting down: do it now rather than never
        }
    }

    private void runWave(List<Runnable> wave) {
        try {
            if (!closed.get()) {
                for (Runnable exit : wave) {
                    try {
                        exit.run();
                    } catch (RuntimeException e) {
                        LOG.debug("ending a connection of the drain failed", e);
                    }
                }
            }
        } finally {
            wavesLeft.decrementAndGet();
            endDrainIfDone();
        }
    }

    private void endForDrain(SseStream stream, long retryMillis) {
        if (stream.endWithRetry(retryMillis)) {
            metrics.countDrained();
        }
    }

    private static void closeQuietly(AutoCloseable socket) {
        try {
            socket.close();
        } catch (Exception e) {
            LOG.debug("closing a driver socket failed", e);
        }
    }

    /** Ends the drain if every wave ran and every connection has ended. */
    private void endDrainIfDone() {
        Drain d = drain.get();
        if (d != null && !d.done.isDone() && wavesLeft.get() == 0 && streams.isEmpty() && sockets.isEmpty()) {
            d.done.complete(null);
        }
    }

    /** The window is over: closes what is left and ends the drain. */
    private void endDrainNow() {
        Drain d = drain.get();
        if (d == null || d.done.isDone()) {
            return;
        }
        int left = 0;
        for (SseStream stream : streams) {
            stream.close();
            left++;
        }
        for (AutoCloseable socket : sockets) {
            closeQuietly(socket);
            left++;
        }
        if (left > 0) {
            LOG.warn("the drain window is over; closed {} connections that had not ended", left);
        }
        d.done.complete(null);
    }

    /** Open customer streams per order. */
    public Map<String, Integer> viewers() {
        Map<String, Integer> result = new TreeMap<>();
        for (ConnectionRegistry.Connection c : registry.connections()) {
            if (c.kind() == ConnectionRegistry.Kind.CUSTOMER_STREAM) {
                result.merge(c.subjectId(), 1, Integer::sum);
            }
        }
        return result;
    }

    /** How many leaks the last sweep found (and closed). */
    public int lastLeaks() {
        return lastLeaks.get();
    }

    /** Finds, logs and closes leaked streams now; also run periodically. */
    public List<ConnectionRegistry.Leak> reapLeaks() {
        try {
            List<ConnectionRegistry.Leak> leaks = registry.reapLeaks();
            lastLeaks.set(leaks.size());
            for (ConnectionRegistry.Leak leak : leaks) {
                LOG.info("closed a leaked stream of order {}: opened {}, order ended {}", leak.orderId(),
                        leak.openedAt(), leak.orderEndedAt());
            }
            return leaks;
        } catch (RuntimeException e) {
            LOG.warn("leak sweep failed", e);
            return List.of();
        }
    }

    private void keepAlive() {
        try {
            long now = System.nanoTime();
            for (SseStream stream : streams) {
                if (stream.isClosed()) {
                    streams.remove(stream);
                } else {
                    stream.keepAliveIfIdle(now, keepAliveNanos);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("keep-alive sweep failed", e);
        }
    }

    /**
     * Closes every open stream and socket, the scheduler if the hub created it, and detaches its own
     * registry from the tracker. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        keepAlives.cancel(false);
        leakSweep.cancel(false);
        for (SseStream stream : streams) {
            stream.close();
        }
        for (AutoCloseable socket : sockets) {
            try {
                socket.close();
            } catch (Exception e) {
                LOG.debug("closing a driver socket failed", e);
            }
        }
        if (ownsRegistry) {
            config.tracker().removeListener(registry);
        }
        fills.shutdown();
        if (ownsScheduler) {
            scheduler.shutdown();
        }
        Drain d = drain.get();
        if (d != null) {
            d.done.complete(null); // closed during a drain: nothing is left to wait for
        }
    }
}
