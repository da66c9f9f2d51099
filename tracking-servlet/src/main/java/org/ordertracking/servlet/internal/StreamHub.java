package org.ordertracking.servlet.internal;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.servlet.TrackingServletConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the servlet's connections share: the config, the scheduler (keep-alives, leak sweeps, gap
 * fills), the open connections and the counters. Thread-safe; {@link #close()} is idempotent.
 */
public final class StreamHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamHub.class);

    private final TrackingServletConfig config;
    private final Snapshots snapshots;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final Metrics metrics = new Metrics();
    private final Set<SseStream> streams = ConcurrentHashMap.newKeySet();
    private final Set<AutoCloseable> sockets = ConcurrentHashMap.newKeySet();
    private final Map<SseStream.Kind, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Frame retry;
    private final ScheduledFuture<?> sweeper;
    private final long keepAliveNanos;
    private final long leakGraceNanos;
    private final AtomicInteger leaks = new AtomicInteger();

    public StreamHub(TrackingServletConfig config, Snapshots.LiveView live) {
        this.config = config;
        this.snapshots = new Snapshots(live);
        this.ownsScheduler = config.scheduler() == null;
        this.scheduler = ownsScheduler ? Executors.newScheduledThreadPool(2, daemon()) : config.scheduler();
        this.retry = Frame.retry(config.retry().toMillis());
        this.keepAliveNanos = config.keepAlive().toNanos();
        this.leakGraceNanos = config.leakGrace().toNanos();
        long period = Math.max(10, Math.min(config.keepAlive().toMillis() / 2, 1000));
        this.sweeper = scheduler.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
        for (SseStream.Kind kind : SseStream.Kind.values()) {
            counts.put(kind, new AtomicInteger());
        }
    }

    private static ThreadFactory daemon() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "tracking-servlet-" + n.incrementAndGet());
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

    public ScheduledExecutorService executor() {
        return scheduler;
    }

    Frame retryFrame() {
        return retry;
    }

    public boolean isClosed() {
        return closed.get();
    }

    public void register(SseStream stream) {
        streams.add(stream);
        counts.get(stream.kind()).incrementAndGet();
        if (closed.get()) {
            stream.close();
        }
    }

    void unregister(SseStream stream) {
        if (streams.remove(stream)) {
            counts.get(stream.kind()).decrementAndGet();
        }
    }

    public void registerSocket(AutoCloseable socket) {
        sockets.add(socket);
        counts.get(SseStream.Kind.DRIVER_SOCKET).incrementAndGet();
    }

    public void unregisterSocket(AutoCloseable socket) {
        if (sockets.remove(socket)) {
            counts.get(SseStream.Kind.DRIVER_SOCKET).decrementAndGet();
        }
    }

    /** Open connections by kind. */
    public Map<String, Integer> connections() {
        Map<String, Integer> result = new TreeMap<>();
        counts.forEach((kind, n) -> result.put(kind.wireName(), n.get()));
        return result;
    }

    /** Open customer streams per order. */
    public Map<String, Integer> viewers() {
        Map<String, Integer> result = new TreeMap<>();
        for (SseStream stream : streams) {
            if (stream.orderId() != null) {
                result.merge(stream.orderId(), 1, Integer::sum);
            }
        }
        return result;
    }

    /** Streams open past the leak grace after their order became terminal, at the last sweep. */
    public int leaks() {
        return leaks.get();
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            int leaking = 0;
            for (SseStream stream : streams) {
                long terminalAt = stream.terminalAtNanos();
                if (terminalAt != 0 && now - terminalAt > leakGraceNanos) {
                    leaking++;
                    metrics.leaksClosed.increment();
                    LOG.info("closing a leaked stream of order {}: open {} ms after its terminal status",
                            stream.orderId(), (now - terminalAt) / 1_000_000);
                    stream.close();
                    continue;
                }
                stream.keepAliveIfIdle(now, keepAliveNanos);
            }
            leaks.set(leaking);
        } catch (RuntimeException e) {
            LOG.warn("stream sweep failed", e);
        }
    }

    /** Closes every open stream and socket, and the scheduler if the hub created it. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        sweeper.cancel(false);
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
        if (ownsScheduler) {
            scheduler.shutdown();
        }
    }
}
