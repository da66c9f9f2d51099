package org.ordertracking.core.internal;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers messages to the local listeners of a bus: the in-memory bus for everything it
 * publishes, the Redis bus for what its node receives.
 *
 * <p>Each listener owns a bounded mailbox drained by a task on the executor, one task at a time per
 * listener, so a listener sees messages in arrival order and never concurrently, and a slow or
 * throwing listener holds up only its own mailbox. A full mailbox drops the new message and calls
 * the listener's {@link BusListener#onGap} before its next message. {@link #gap(Topic)} signals a gap
 * to every listener of a topic (used after a reconnect). Thread-safe; {@link #deliver} never blocks.
 */
public final class LocalFanout {
    private static final Logger LOG = LoggerFactory.getLogger(LocalFanout.class);
    private static final Mailbox[] NONE = new Mailbox[0];
    private static final int DRAIN_BATCH = 256;

    private final ConcurrentHashMap<Topic, Mailbox[]> topics = new ConcurrentHashMap<>();
    private final Executor executor;
    private final int bufferSize;
    private volatile boolean closed;

    public LocalFanout(Executor executor, int bufferSize) {
        this.executor = Objects.requireNonNull(executor, "executor must not be null");
        this.bufferSize = bufferSize;
    }

    /** Registers a listener; it receives what is delivered from now on. */
    public Mailbox add(Topic topic, BusListener listener) {
        Mailbox mailbox = new Mailbox(topic, listener);
        topics.compute(topic, (t, boxes) -> {
            if (boxes == null) {
                return new Mailbox[] {mailbox};
            }
            Mailbox[] grown = Arrays.copyOf(boxes, boxes.length + 1);
            grown[boxes.length] = mailbox;
            return grown;
        });
        return mailbox;
    }

    /** Appends {@code envelope} to the mailbox of every listener of its topic. */
    public void deliver(Envelope envelope) {
        for (Mailbox mailbox : topics.getOrDefault(envelope.topic(), NONE)) {
            mailbox.enqueue(envelope);
        }
    }

    /** Tells every listener of {@code topic} that messages may have been lost. */
    public void gap(Topic topic) {
        for (Mailbox mailbox : topics.getOrDefault(topic, NONE)) {
            mailbox.signalGap();
        }
    }

    /** Returns how many listeners {@code topic} has. */
    public int listenerCount(Topic topic) {
        return topics.getOrDefault(topic, NONE).length;
    }

    /** Stops every delivery; mailboxes are discarded. */
    public void close() {
        closed = true;
        for (Mailbox[] boxes : topics.values()) {
            for (Mailbox box : boxes) {
                box.closed = true;
                box.queue.clear();
            }
        }
        topics.clear();
    }

    private void remove(Mailbox mailbox) {
        topics.computeIfPresent(mailbox.topic, (t, boxes) -> {
            int index = -1;
            for (int i = 0; i < boxes.length; i++) {
                if (boxes[i] == mailbox) {
                    index = i;
                    break;
                }
            }
            if (index < 0) {
                return boxes;
            }
            if (boxes.length == 1) {
                return null;
            }
            Mailbox[] shrunk = new Mailbox[boxes.length - 1];
            System.arraycopy(boxes, 0, shrunk, 0, index);
            System.arraycopy(boxes, index + 1, shrunk, index, boxes.length - index - 1);
            return shrunk;
        });
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

    /** One listener and its bounded mailbox. */
    public final class Mailbox implements Runnable {
        final Topic topic;
        final BusListener listener;
        final ConcurrentLinkedQueue<Envelope> queue = new ConcurrentLinkedQueue<>();
        final AtomicInteger size = new AtomicInteger();
        final AtomicBoolean scheduled = new AtomicBoolean();
        final AtomicBoolean gap = new AtomicBoolean();
        volatile boolean closed;

        Mailbox(Topic topic, BusListener listener) {
            this.topic = topic;
            this.listener = listener;
        }

        void enqueue(Envelope envelope) {
            if (closed) {
                return;
            }
            if (size.incrementAndGet() > bufferSize) {
                size.decrementAndGet();
                gap.set(true);
            } else {
                queue.offer(envelope);
            }
            schedule();
        }

        void signalGap() {
            if (!closed) {
                gap.set(true);
                schedule();
            }
        }

        private void schedule() {
            if (scheduled.compareAndSet(false, true)) {
                try {
                    executor.execute(this);
                } catch (RejectedExecutionException e) {
                    scheduled.set(false);
                    if (!LocalFanout.this.closed) {
                        LOG.warn("executor rejected delivery to a listener of {}", topic, e);
                    }
                }
            }
        }

        @Override
        public void run() {
            try {
                for (int delivered = 0; delivered < DRAIN_BATCH && !closed; delivered++) {
                    if (gap.getAndSet(false)) {
                        try {
                            listener.onGap(topic);
                        } catch (RuntimeException e) {
                            LOG.warn("listener of {} threw from onGap", topic, e);
                        }
                    }
                    Envelope envelope = queue.poll();
                    if (envelope == null) {
                        break;
                    }
                    size.decrementAndGet();
                    try {
                        listener.onMessage(envelope);
                    } catch (RuntimeException e) {
                        LOG.warn("listener of {} threw on a {} message", topic, envelope.type(), e);
                    }
                }
            } finally {
                scheduled.set(false);
            }
            if (!closed && (!queue.isEmpty() || gap.get())) {
                schedule();
            }
        }

        /** Returns the topic. */
        public Topic topic() {
            return topic;
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
            queue.clear();
            return true;
        }
    }
}
