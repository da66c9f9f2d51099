package org.ordertracking.servlet.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Iterator;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open {@code text/event-stream} response: a bounded buffer of frames written with
 * non-blocking I/O. No thread waits for the client: producers append under the lock and write
 * while {@link ServletOutputStream#isReady()}; the container calls {@link #onWritePossible()} when a
 * blocked write can go on.
 *
 * <p>On overflow the oldest location/signal frame is dropped; if there is none and a status frame
 * does not fit, the client cannot keep up and is disconnected (it reconnects and replays).
 */
public abstract class SseStream implements WriteListener, AsyncListener, BusListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SseStream.class);
    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(SseStream.class, "released", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The stream's monitor: the stream itself, which is never handed out (no separate lock object per stream). */
    protected final Object lock = this;
    protected final StreamHub hub;
    private final AsyncContext async;
    private final ServletOutputStream out;
    // small at first: an open stream mostly has nothing queued, and there are tens of thousands of them
    private final ArrayDeque<Frame> queue = new ArrayDeque<>(4);
    private final int capacity;
    private final int coalesceLimit;
    /** 1 once {@link #release()} ran; an int field, not an {@code AtomicBoolean}, to keep each stream small. */
    private volatile int released;
    private boolean needsFlush;
    // written under lock, read without it by isClosed() (the keep-alive sweep asks every stream each second)
    private volatile boolean closed;
    private boolean endAfterDrain;
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile Subscription subscription;
    private volatile ConnectionRegistry.Connection registration;
    private volatile StreamLimits.Slot slot;

    protected SseStream(StreamHub hub, AsyncContext async, ServletOutputStream out) {
        this.hub = hub;
        this.async = async;
        this.out = out;
        this.capacity = hub.config().streamBufferSize();
        this.coalesceLimit = Math.min(COALESCE_FRAMES, capacity / 2);
    }

    /**
     * At most this many frames wait for the next message of a run the bus delivers at once
     * ({@link BusListener#onMessage(org.ordertracking.core.Envelope, boolean)}) before they are
     * written anyway, and never more than half the stream's buffer, so a run never overflows it.
     */
    static final int COALESCE_FRAMES = 16;

    public abstract ConnectionRegistry.Kind kind();

    /** The order (customer stream) or restaurant the stream watches. */
    public abstract String subjectId();

    /** For messages: the order a customer stream watches, or {@code null}. */
    public String orderId() {
        return null;
    }

    void registration(ConnectionRegistry.Connection connection) {
        this.registration = connection;
        if (isClosed()) {
            connection.close();
        }
    }

    /** The place this stream holds under the caps, given back when it ends. */
    void slot(StreamLimits.Slot slot) {
        this.slot = slot;
        if (released != 0) {
            slot.release();
        }
    }

    void subscription(Subscription subscription) {
        this.subscription = subscription;
        if (isClosed()) {
            subscription.close();
        }
    }

    /**
     * Appends a frame; must be called holding {@link #lock}. Returns false if the stream is closed or
     * overflowed. Control frames (retry, snapshot) and frames read from the repository are bounded by
     * the order's history and always fit; live frames are held to the buffer capacity.
     */
    protected boolean offerLocked(Frame frame) {
        return offerLocked(frame, frame.kind != Frame.Kind.CONTROL || frame == Frame.KEEP_ALIVE);
    }

    protected boolean offerLocked(Frame frame, boolean bounded) {
        if (closed || endAfterDrain) {
            return false;
        }
        if (bounded && queue.size() >= capacity) {
            if (!dropOldestStaleLocked()) {
                if (frame.kind != Frame.Kind.STATUS) {
                    hub.metrics().countDropped();
                    return true;
                }
                hub.metrics().countSlowDisconnect();
                LOG.debug("{} of {} cannot keep up with status events; disconnecting it", kind(), orderId());
                closeLocked();
                return false;
            }
        }
        queue.add(frame);
        return true;
    }

    private boolean dropOldestStaleLocked() {
        for (Iterator<Frame> it = queue.iterator(); it.hasNext();) {
            Frame f = it.next();
            if (f.kind == Frame.Kind.STALE_OK || f == Frame.KEEP_ALIVE) {
                it.remove();
                hub.metrics().countDropped();
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the frames queued may wait for the next message of a run the bus delivers at once
     * (fewer than {@link #COALESCE_FRAMES}, and under half the buffer); must hold {@link #lock}.
     */
    protected final boolean mayWaitForMoreLocked() {
        return queue.size() < coalesceLimit;
    }

    /** Ends the stream once everything queued is written; must hold {@link #lock}. */
    protected void endAfterDrainLocked() {
        endAfterDrain = true;
    }

    /**
     * Tells the client to come back after {@code retryMillis} and ends the stream cleanly: a
     * {@code retry:} frame after whatever is queued, then the end of the response once all of it is
     * written. From then on nothing else is queued, so the client's {@code Last-Event-ID} is the last
     * status it really received. Safe from any thread.
     *
     * @return false if the stream was already closed or ending
     */
    final boolean endWithRetry(long retryMillis) {
        synchronized (lock) {
            if (closed || endAfterDrain) {
                return false;
            }
            queue.add(Frame.retry(retryMillis));
            endAfterDrain = true;
        }
        drain();
        return true;
    }

    /** Writes what can be written without blocking. Safe from any thread. */
    public final void drain() {
        boolean complete = false;
        synchronized (lock) {
            if (closed) {
                return;
            }
            try {
                while (out.isReady()) {
                    Frame frame = queue.poll();
                    if (frame == null) {
                        if (needsFlush) {
                            needsFlush = false;
                            out.flush();
                            continue;
                        }
                        if (endAfterDrain) {
                            closed = true;
                            complete = true;
                        }
                        break;
                    }
                    out.write(frame.bytes);
                    needsFlush = true;
                    lastActivityNanos = System.nanoTime();
                    hub.metrics().countSent(frame.type);
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("{} write failed; closing it: {}", kind(), e.toString());
                closeLocked();
                return;
            }
        }
        if (complete) {
            completeAsync();
        }
    }

    /** Sends a keep-alive comment if nothing was written for the keep-alive period. */
    void keepAliveIfIdle(long nowNanos, long keepAliveNanos) {
        if (nowNanos - lastActivityNanos < keepAliveNanos) {
            return;
        }
        synchronized (lock) {
            if (closed || !queue.isEmpty()) {
                return;
            }
            lastActivityNanos = nowNanos;
            offerLocked(Frame.KEEP_ALIVE);
        }
        drain();
    }

    public final boolean isClosed() {
        return closed;
    }

    /** Closes the stream now, dropping what is queued. Safe from any thread; idempotent. */
    @Override
    public final void close() {
        synchronized (lock) {
            closeLocked();
        }
    }

    private void closeLocked() {
        if (!closed) {
            closed = true;
            queue.clear();
            try {
                hub.executor().execute(this::completeAsync);
            } catch (RuntimeException e) {
                java.util.concurrent.CompletableFuture.runAsync(this::completeAsync);
            }
        }
    }

    private void completeAsync() {
        release();
        try {
            async.complete();
        } catch (RuntimeException e) {
            LOG.trace("completing {} failed", kind(), e);
        }
    }

    /** Unsubscribes and unregisters; idempotent. */
    final void release() {
        if (RELEASED.compareAndSet(this, 0, 1)) {
            Subscription s = subscription;
            if (s != null) {
                s.close();
            }
            ConnectionRegistry.Connection c = registration;
            if (c != null) {
                c.close();
            }
            StreamLimits.Slot held = slot;
            if (held != null) {
                held.release();
            }
            hub.unregister(this);
        }
    }

    /** A stream only queues frames and writes without blocking: the in-memory bus may call it on the publishing thread. */
    @Override
    public final boolean neverBlocks() {
        return true;
    }

    @Override
    public final void onWritePossible() {
        drain();
    }

    @Override
    public final void onError(Throwable t) {
        LOG.debug("{} failed: {}", kind(), t.toString());
        close();
    }

    @Override
    public final void onComplete(AsyncEvent event) {
        synchronized (lock) {
            closed = true;
            queue.clear();
        }
        release();
    }

    @Override
    public final void onTimeout(AsyncEvent event) {
        close();
    }

    @Override
    public final void onError(AsyncEvent event) {
        close();
    }

    @Override
    public final void onStartAsync(AsyncEvent event) {
        // nothing to do
    }
}
