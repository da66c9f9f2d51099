package org.ordertracking.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers messages to the local listeners of a bus: the in-memory bus for everything it
 * publishes, the Redis bus for what its node receives.
 *
 * <p><b>Structure.</b> Each topic has one log, a ring of the messages published to it, and each
 * listener a cursor into that log. A publish appends once to the log, whatever the number of
 * listeners, and schedules one <i>sweep</i> of the topic unless one is already waiting to start
 * (publishes that arrive before a sweep starts share it). A sweep is run by up to
 * {@code parallelism} tasks on the executor; they split the listeners into chunks of
 * {@value #CHUNK}, and each listener is taken out of a chunk through the chunk's atomic index, so a
 * task that finished its own chunks takes the rest of a chunk whose task is stuck in a listener. To
 * serve a listener, a task claims it (so no listener is ever called concurrently), calls it for every
 * message between its cursor and the head of the log, in log order, and releases it.
 *
 * <p><b>Bounds.</b> A listener lags at most {@code bufferSize} messages: when it has fallen further
 * behind, the oldest messages are dropped for it and {@link BusListener#onGap} is called before its
 * next message. The ring starts small (one slot per eight listeners, at least two) and grows (to
 * {@code bufferSize} rounded up to a power of two) only while a listener lags; the lagging listener
 * puts it back once it has caught up, so an idle topic holds at most that small ring's worth of
 * envelopes. {@link #gap(Topic)}
 * signals a gap to every listener of a topic (used after a reconnect).
 *
 * <p>Thread-safe. {@link #deliver} never blocks: it takes a per-topic lock for a few instructions
 * (publishes to one topic are ordered by it) and hands at most {@code parallelism} tasks to the
 * executor. A listener that blocks holds one executor thread and only itself: the other listeners
 * of its topic are served by the other tasks of the sweep.
 */
public final class LocalFanout {
    private static final Logger LOG = LoggerFactory.getLogger(LocalFanout.class);
    private static final Mailbox[] NONE = new Mailbox[0];
    /** Listeners per chunk of a sweep. */
    static final int CHUNK = 64;
    /** Messages delivered to one listener before its turn goes to the back of the executor's queue. */
    static final int DRAIN_BATCH = 256;
    /** Ints between two chunks' indexes, so two tasks never share a cache line. */
    private static final int STRIDE = 16;
    private static final int INITIAL_RING = 2;
    /** At most this many listeners, all {@link BusListener#neverBlocks()}, are served on the publishing thread. */
    public static final int INLINE_LISTENERS = 16;
    /** Inline sweeps running on this thread: a listener that publishes from a delivery hands that one off. */
    private static final ThreadLocal<int[]> INLINE_DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    private static final VarHandle RUNNING;
    private static final VarHandle CURSOR;
    private static final VarHandle PENDING;
    private static final VarHandle BOXES;
    private static final VarHandle TAKEN;
    private static final VarHandle NEXT_CHUNK;
    private static final VarHandle TAKEN0;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            RUNNING = lookup.findVarHandle(Mailbox.class, "running", int.class);
            CURSOR = lookup.findVarHandle(Mailbox.class, "cursor", long.class);
            PENDING = lookup.findVarHandle(TopicLog.class, "pending", Sweep.class);
            BOXES = lookup.findVarHandle(Sweep.class, "boxes", Mailbox[].class);
            TAKEN = lookup.findVarHandle(Sweep.class, "taken", AtomicIntegerArray.class);
            NEXT_CHUNK = lookup.findVarHandle(Sweep.class, "nextChunk", int.class);
            TAKEN0 = lookup.findVarHandle(Sweep.class, "taken0", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConcurrentHashMap<Topic, TopicLog> topics = new ConcurrentHashMap<>();
    private final Executor executor;
    private final int bufferSize;
    private final int maxRing;
    private final int parallelism;
    private final boolean inline;
    /** Publishers serving a topic inline right now; at most {@link #inlinePermits}. */
    private final AtomicInteger inlineNow = new AtomicInteger();
    private final int inlinePermits;
    private volatile boolean closed;

    /** A fan-out on {@code executor}, sweeping a topic with up to two tasks at once. */
    public LocalFanout(Executor executor, int bufferSize) {
        this(executor, bufferSize, 2);
    }

    /**
     * A fan-out on {@code executor}; a topic's listeners are served by up to {@code parallelism}
     * tasks at once (at least two whenever a topic has two listeners, so that one stuck listener
     * never holds up the others).
     */
    public LocalFanout(Executor executor, int bufferSize, int parallelism) {
        this(executor, bufferSize, parallelism, false);
    }

    /**
     * As {@link #LocalFanout(Executor, int, int)}; with {@code inline}, a publish to a topic of at most
     * {@link #INLINE_LISTENERS} listeners that all {@linkplain BusListener#neverBlocks() never block}
     * serves them on the publishing thread (unless a sweep of the topic is pending, the publisher is
     * itself delivering inline, or {@code parallelism / 2} publishers, at least one, already are: then
     * the node is busy, and the delivery threads' backlogs let streams write in runs), saving the
     * wake-up of a delivery thread. A backlog longer than a drain batch still continues on the
     * executor.
     */
    public LocalFanout(Executor executor, int bufferSize, int parallelism, boolean inline) {
        this.inline = inline;
        // while more publishers than this deliver at once, the node is busy: further publishes go to
        // the delivery threads, where a stream that falls behind writes its backlog in runs
        this.inlinePermits = Math.max(1, parallelism / 2);
        this.executor = Objects.requireNonNull(executor, "executor must not be null");
        this.bufferSize = Checks.requirePositive(bufferSize, "bufferSize");
        this.maxRing = bufferSize <= 1 ? 1 : Integer.highestOneBit(Math.min(bufferSize, 1 << 30) - 1) << 1;
        this.parallelism = Math.max(2, Checks.requirePositive(parallelism, "parallelism"));
    }

    /** Registers a listener; it receives what is delivered from now on. */
    public Mailbox add(Topic topic, BusListener listener) {
        Mailbox[] added = new Mailbox[1];
        topics.compute(topic, (t, log) -> {
            TopicLog target = log == null ? new TopicLog(t) : log;
            added[0] = target.join(listener);
            return target;
        });
        return added[0];
    }

    /** Appends {@code envelope} to the log of its topic and schedules its delivery to every listener. */
    public void deliver(Envelope envelope) {
        TopicLog log = topics.get(envelope.topic());
        if (log != null) {
            log.append(envelope);
            log.schedule();
        }
    }

    /** Tells every listener of {@code topic} that messages may have been lost. */
    public void gap(Topic topic) {
        TopicLog log = topics.get(topic);
        if (log != null) {
            for (Mailbox mailbox : log.subscribers) {
                mailbox.gap = true;
            }
            log.schedule();
        }
    }

    /** Returns how many listeners {@code topic} has. */
    public int listenerCount(Topic topic) {
        TopicLog log = topics.get(topic);
        return log == null ? 0 : log.subscribers.length;
    }

    /** Stops every delivery; logs are discarded. */
    public void close() {
        closed = true;
        for (TopicLog log : topics.values()) {
            for (Mailbox box : log.subscribers) {
                box.closed = true;
            }
        }
        topics.clear();
    }

    private void remove(Mailbox mailbox) {
        topics.computeIfPresent(mailbox.log.topic, (t, log) -> log.leave(mailbox) ? log : null);
    }

    /** Hands {@code copies} runs of {@code task} to the executor; returns how many it accepted. */
    private int submit(Runnable task, int copies) {
        for (int i = 0; i < copies; i++) {
            try {
                executor.execute(task);
            } catch (RejectedExecutionException e) {
                if (!closed) {
                    LOG.warn("executor rejected a delivery task", e);
                }
                return i;
            }
        }
        return copies;
    }

    /** Returns a factory of named daemon threads. */
    public static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One published message and its position in its topic's log. */
    private record Entry(long seq, Envelope envelope) {
    }

    /** A topic's log and listeners. */
    private final class TopicLog {
        final Topic topic;
        /** Listeners, replaced on (un)subscribe; guarded by the map's lock for writers. */
        volatile Mailbox[] subscribers = NONE;
        /** Whether a publish may serve {@link #subscribers} on its own thread; set with them. */
        volatile boolean inlineOk;
        /** The ring; replaced when it grows, and by {@link #trim()} when a lag is over. Written under {@code this}. */
        volatile Entry[] ring = new Entry[Math.min(INITIAL_RING, maxRing)];
        /** Number of messages published; written under {@code this}. */
        volatile long head;
        /** A sweep submitted but not started yet; publishes until it starts rely on it. */
        volatile Sweep pending;
        /**
         * Lowest cursor seen at the last scan, but at most a ring behind the head then: messages below
         * it are read by everyone or lapped. Guarded by {@code this}.
         */
        private long minCursor;
        /**
         * The listener holding the tail of a ring grown beyond {@link #baseRing} at the last scan; once
         * it catches up it calls {@link #trim()}, so an idle topic does not keep a grown ring's worth
         * of envelopes alive. Written under {@code this}.
         */
        volatile Mailbox laggard;

        TopicLog(Topic topic) {
            this.topic = topic;
        }

        /** Called under the map's lock for this topic. */
        Mailbox join(BusListener listener) {
            synchronized (this) {
                // under the append lock: every later append sees the new listener in `subscribers`
                Mailbox mailbox = new Mailbox(this, listener, head);
                Mailbox[] grown = Arrays.copyOf(subscribers, subscribers.length + 1);
                grown[grown.length - 1] = mailbox;
                inlineOk = inlineAllowed(grown);
                subscribers = grown;
                return mailbox;
            }
        }

        /** Called under the map's lock for this topic; returns whether listeners remain. */
        boolean leave(Mailbox mailbox) {
            Mailbox[] boxes = subscribers;
            int index = -1;
            for (int i = 0; i < boxes.length; i++) {
                if (boxes[i] == mailbox) {
                    index = i;
                    break;
                }
            }
            if (index < 0) {
                return boxes.length > 0;
            }
            Mailbox[] shrunk = new Mailbox[boxes.length - 1];
            System.arraycopy(boxes, 0, shrunk, 0, index);
            System.arraycopy(boxes, index + 1, shrunk, index, boxes.length - index - 1);
            inlineOk = inlineAllowed(shrunk);
            subscribers = shrunk;
            return shrunk.length > 0;
        }

        synchronized void append(Envelope envelope) {
            long h = head;
            Entry[] r = ring;
            if (h - minCursor >= r.length) {
                r = makeRoom(h, r);
            }
            r[(int) h & (r.length - 1)] = new Entry(h, envelope);
            head = h + 1; // volatile write: publishes the entry (and a grown ring) to readers of head
        }

        /**
         * The slot for {@code h} may hold an unread entry: rescan the cursors, grow if one lags. A
         * topic with many listeners grows its ring at once, so that the rescan (one read per
         * listener) stays rare next to the deliveries it covers.
         */
        private Entry[] makeRoom(long h, Entry[] r) {
            Mailbox[] boxes = subscribers;
            long min = h;
            Mailbox minBox = null;
            for (Mailbox mailbox : boxes) {
                long cursor = mailbox.cursor;
                if (cursor < min && !mailbox.closed) {
                    min = cursor;
                    minBox = mailbox;
                }
            }
            // let go of entries every listener has read, so an idle topic keeps no envelopes alive
            for (long seq = Math.max(minCursor, h - r.length); seq < min; seq++) {
                r[(int) seq & (r.length - 1)] = null;
            }
            long lag = h - min;
            if ((lag >= r.length || r.length * 8L < boxes.length) && r.length < maxRing) {
                int size = r.length;
                while ((size <= 2 * lag || size * 8L < boxes.length) && size < maxRing) {
                    size <<= 1;
                }
                Entry[] grown = new Entry[size];
                for (long seq = Math.max(min, h - r.length); seq < h; seq++) {
                    grown[(int) seq & (size - 1)] = r[(int) seq & (r.length - 1)];
                }
                ring = grown;
                r = grown;
            }
            // a listener more than a full ring behind is lapped anyway (and told of the gap): do not
            // rescan on every publish because of it, only once per ring's worth of publishes
            minCursor = Math.max(min, h + 1 - r.length);
            laggard = r.length > baseRing(boxes.length) ? minBox : null;
            return r;
        }

        /**
         * Serves {@code boxes} on this publishing thread, each once, unless this thread is already
         * delivering inline or {@link #inlinePermits} publishers already are; returns whether that
         * covered this publish (false: nothing was done, or messages arrived meanwhile, which a sweep
         * must deliver).
         */
        private boolean serveInline(Mailbox[] boxes) {
            int[] depth = INLINE_DEPTH.get();
            if (depth[0] != 0) {
                return false;
            }
            if (inlineNow.incrementAndGet() > inlinePermits) {
                inlineNow.decrementAndGet();
                return false;
            }
            boolean leftover = false;
            depth[0] = 1;
            try {
                for (Mailbox mailbox : boxes) {
                    leftover |= mailbox.serveInline();
                }
            } finally {
                depth[0] = 0;
                inlineNow.decrementAndGet();
            }
            // published while this thread served: a sweep delivers that, not this publisher
            return !leftover || pending != null;
        }

        private boolean inlineAllowed(Mailbox[] boxes) {
            if (!inline || boxes.length > INLINE_LISTENERS) {
                return false;
            }
            for (Mailbox mailbox : boxes) {
                if (!mailbox.listener.neverBlocks()) {
                    return false;
                }
            }
            return true;
        }

        /** The ring size {@link #makeRoom} grows to for {@code listeners} when nobody lags. */
        private int baseRing(int listeners) {
            int size = Math.min(INITIAL_RING, maxRing);
            while (size * 8L < listeners && size < maxRing) {
                size <<= 1;
            }
            return size;
        }

        /**
         * Called by the {@link #laggard} once it has caught up (or closed): drops the entries every
         * listener has read and, if nobody lags any more, puts a grown ring back to its base size.
         * One scan of the cursors per lag, like {@link #makeRoom}.
         */
        synchronized void trim() {
            Mailbox[] boxes = subscribers;
            long h = head;
            long min = h;
            Mailbox minBox = null;
            for (Mailbox mailbox : boxes) {
                long cursor = mailbox.cursor;
                if (cursor < min && !mailbox.closed) {
                    min = cursor;
                    minBox = mailbox;
                }
            }
            Entry[] r = ring;
            // from minCursor, like makeRoom: below it is let go already (or lapped), and a ring of a
            // million slots must not be walked on every hand-over of the laggard's duty
            for (long seq = Math.max(minCursor, h - r.length); seq < min; seq++) {
                r[(int) seq & (r.length - 1)] = null;
            }
            minCursor = Math.max(minCursor, min); // still at most every live cursor
            int base = baseRing(boxes.length);
            if (min == h && r.length > base) {
                // every cursor is at the head: no reader needs an entry of the old ring
                ring = new Entry[base];
                minCursor = h;
            }
            // hand the duty on only to a real laggard, not to a listener a sweep has yet to reach
            laggard = ring.length > base && h - min >= base ? minBox : null;
        }

        void schedule() {
            if (pending != null) {
                return; // not started yet: it will read the head this publish wrote
            }
            Mailbox[] boxes = subscribers;
            int listeners = boxes.length;
            if (listeners == 0) {
                return;
            }
            if (inlineOk && listeners <= INLINE_LISTENERS && !closed && serveInline(boxes)) {
                return;
            }
            int copies = Math.min(listeners, parallelism);
            Sweep sweep = new Sweep(this, copies);
            if (PENDING.compareAndSet(this, null, sweep) && submit(sweep, copies) == 0) {
                PENDING.compareAndSet(this, sweep, null); // not run: let the next publish try again
            }
        }
    }

    /**
     * One pass over a topic's listeners, run by one or more tasks. The first task to start fixes the
     * listeners; chunk {@code c} is taken listener by listener through its index (a field when the
     * sweep has one chunk, slot {@code c × STRIDE} of an array otherwise, so that two tasks never
     * share a cache line).
     */
    private final class Sweep implements Runnable {
        final TopicLog log;
        /** Tasks submitted for this sweep when it was scheduled. */
        final int copies;
        volatile Mailbox[] boxes;
        volatile AtomicIntegerArray taken;
        volatile int nextChunk;
        volatile int taken0;

        Sweep(TopicLog log, int copies) {
            this.log = log;
            this.copies = copies;
        }

        @Override
        public void run() {
            Mailbox[] b = boxes;
            if (b == null) {
                // from here on, publishes schedule a new sweep: this one may already be past their listeners
                PENDING.compareAndSet(log, this, null);
                Mailbox[] mine = log.subscribers;
                if (BOXES.compareAndSet(this, null, mine)) {
                    b = mine;
                    // listeners that joined while this sweep was queued are in it too: with fewer tasks
                    // than were scheduled for, one blocked listener would hold up the ones behind it
                    int wanted = Math.min(mine.length, parallelism);
                    if (wanted > copies) {
                        submit(this, wanted - copies);
                    }
                } else {
                    b = boxes;
                }
            }
            int chunks = (b.length + CHUNK - 1) / CHUNK;
            AtomicIntegerArray t = null;
            if (chunks > 1) {
                t = taken;
                if (t == null) {
                    AtomicIntegerArray mine = new AtomicIntegerArray(chunks * STRIDE);
                    for (int c = 1; c < chunks; c++) {
                        mine.setPlain(c * STRIDE, c * CHUNK);
                    }
                    t = TAKEN.compareAndSet(this, null, mine) ? mine : taken;
                }
            }
            for (int c; (c = (int) NEXT_CHUNK.getAndAdd(this, 1)) < chunks; ) {
                serveChunk(b, t, c);
            }
            // help: take what is left of chunks other tasks are still in (one may be stuck in a listener)
            for (int c = 0; c < chunks && !closed; c++) {
                serveChunk(b, t, c);
            }
        }

        private void serveChunk(Mailbox[] b, AtomicIntegerArray t, int chunk) {
            int end = Math.min(b.length, (chunk + 1) * CHUNK);
            if (t == null) {
                if (taken0 >= end) {
                    return;
                }
                for (int i; (i = (int) TAKEN0.getAndAdd(this, 1)) < end; ) {
                    b[i].serve();
                }
                return;
            }
            int slot = chunk * STRIDE;
            if (t.get(slot) >= end) {
                return;
            }
            for (int i; (i = t.getAndIncrement(slot)) < end; ) {
                b[i].serve();
            }
        }
    }

    /** One listener and its cursor into its topic's log. */
    public final class Mailbox implements Runnable {
        final TopicLog log;
        final BusListener listener;
        /** Next position to deliver; written only by the task holding {@link #running}. */
        volatile long cursor;
        /** 1 while a task serves this listener (or a task to continue is queued). */
        volatile int running;
        volatile boolean gap;
        volatile boolean closed;

        Mailbox(TopicLog log, BusListener listener, long cursor) {
            this.log = log;
            this.listener = listener;
            this.cursor = cursor;
        }

        private boolean hasWork() {
            return !closed && (cursor < log.head || gap);
        }

        /** Delivers what this listener has not seen yet, unless another task is doing so. */
        void serve() {
            while (hasWork() && RUNNING.compareAndSet(this, 0, 1)) {
                if (!drainOrRelease()) {
                    // a long backlog: continue later, behind other work, still claimed
                    try {
                        executor.execute(this);
                        return;
                    } catch (RejectedExecutionException e) {
                        // closing
                    }
                }
                running = 0; // volatile write, then hasWork() reads head: pairs with append's head write
            }
        }

        /**
         * Serves this listener once, on a publishing thread: one claim, one drain of at most
         * {@link #DRAIN_BATCH}, so a publisher never ends up delivering what others keep publishing.
         * Returns whether messages arrived meanwhile, which the caller leaves to a sweep; a longer
         * backlog continues on the executor, and a listener's {@link Error} is logged here, never
         * thrown at the publisher.
         */
        boolean serveInline() {
            if (!hasWork() || !RUNNING.compareAndSet(this, 0, 1)) {
                return false; // nothing new, or another thread serves it and will read this head
            }
            try {
                if (!drain()) {
                    try {
                        executor.execute(this); // still claimed: the backlog continues behind other work
                        return false;
                    } catch (RejectedExecutionException e) {
                        // closing
                    }
                }
            } catch (Error e) {
                LOG.error("listener of {} failed", log.topic, e);
            }
            running = 0; // volatile write, then hasWork() reads head, as in serve()
            return hasWork();
        }

        /** Continues a long backlog (the claim is held). */
        @Override
        public void run() {
            if (!drainOrRelease()) {
                try {
                    executor.execute(this);
                    return;
                } catch (RejectedExecutionException e) {
                    // closing
                }
            }
            running = 0;
            serve();
        }

        /**
         * {@link #drain()}, releasing the claim if a listener throws an {@link Error}; a sweep that
         * found this listener claimed meanwhile skipped it, so what is left is handed to a new task.
         */
        private boolean drainOrRelease() {
            try {
                return drain();
            } catch (Error e) {
                running = 0; // volatile write, then hasWork() reads head, as in serve()
                if (hasWork()) {
                    try {
                        executor.execute(this::serve);
                    } catch (RejectedExecutionException rejected) {
                        // closing
                    }
                }
                throw e;
            }
        }

        /** Delivers up to {@link #DRAIN_BATCH} messages; returns false if more are waiting. */
        private boolean drain() {
            long next = cursor;
            for (int delivered = 0; !closed; delivered++) {
                // head before gap: a gap signalled before a publish (a reconnect, then what follows it)
                // is seen by the read that sees the publish, even while onGap runs in between
                long h = log.head;
                if (gap) {
                    gap = false;
                    callGap();
                    if (closed) {
                        break; // closed during onGap: no message may start after close() returned
                    }
                }
                if (next >= h) {
                    if (log.laggard == this) {
                        log.trim();
                    }
                    return true;
                }
                if (delivered >= DRAIN_BATCH) {
                    return false;
                }
                if (h - next > bufferSize) {
                    next = h - bufferSize; // the oldest ones are dropped for this listener
                    callGap();
                    if (closed) {
                        break;
                    }
                }
                Entry[] r = log.ring; // read after head: at least the ring entry `next` went into
                Entry entry = r[(int) next & (r.length - 1)];
                if (entry == null || entry.seq() != next) {
                    // overwritten while we looked: a publisher lapped this listener
                    CURSOR.setRelease(this, ++next);
                    gap = true;
                    continue;
                }
                CURSOR.setRelease(this, ++next);
                // more: the next message is already here and this run delivers it at once
                boolean more = next < h && delivered + 1 < DRAIN_BATCH && !gap;
                try {
                    listener.onMessage(entry.envelope(), more);
                } catch (RuntimeException e) {
                    LOG.warn("listener of {} threw on a {} message", log.topic, entry.envelope().type(), e);
                }
            }
            return true;
        }

        private void callGap() {
            try {
                listener.onGap(log.topic);
            } catch (RuntimeException e) {
                LOG.warn("listener of {} threw from onGap", log.topic, e);
            }
        }

        /** Returns the topic. */
        public Topic topic() {
            return log.topic;
        }

        /** Stops delivery to this listener; returns whether this call closed it. */
        public boolean close() {
            if (closed) {
                return false;
            }
            synchronized (this) {
                if (closed) {
                    return false;
                }
                closed = true;
            }
            remove(this);
            synchronized (log) { // against makeRoom naming this listener the laggard as it closes
                if (log.laggard == this) {
                    log.trim();
                }
            }
            return true;
        }
    }
}
