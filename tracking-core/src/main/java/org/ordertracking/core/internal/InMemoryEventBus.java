package org.ordertracking.core.internal;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link EventBus} within one JVM.
 *
 * <p>Each subscription owns a bounded mailbox drained by a task on the bus executor, one task at a
 * time per subscription, so a listener sees messages in publish order and never concurrently, and
 * a slow or throwing listener holds up only its own mailbox. When a mailbox is full the new message
 * is dropped and the listener's {@link BusListener#onGap} is called before its next message, so it
 * can replay what it missed from the repository. Publishing never blocks: it appends to each
 * mailbox of the topic and schedules the idle ones.
 *
 * <p>Subscribers of a topic are held in an array replaced on (un)subscribe, so a publish reads a
 * stable snapshot without locking.
 */
public final class InMemoryEventBus implements EventBus {
    private static final Logger LOG = LoggerFactory.getLogger(InMemoryEventBus.class);
    private static final Sub[] NONE = new Sub[0];

    /** Default capacity of each subscription's mailbox, in messages. */
    public static final int DEFAULT_BUFFER = 1024;

    /** Messages one drain task delivers before yielding its executor thread. */
    private static final int DRAIN_BATCH = 256;

    private final ConcurrentHashMap<Topic, Sub[]> topics = new ConcurrentHashMap<>();
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    private final int bufferSize;
    private final AtomicBoolean closed = new AtomicBoolean();

    private InMemoryEventBus(Builder builder) {
        this.bufferSize = builder.bufferSize;
        if (builder.executor != null) {
            this.executor = builder.executor;
            this.ownedExecutor = null;
        } else {
            this.ownedExecutor = Executors.newFixedThreadPool(builder.threads, daemonThreads("tracking-bus-"));
            this.executor = ownedExecutor;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public CompletionStage<Void> publish(Envelope envelope) {
        Objects.requireNonNull(envelope, "envelope must not be null");
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("the event bus is closed"));
        }
        for (Sub sub : topics.getOrDefault(envelope.topic(), NONE)) {
            sub.enqueue(envelope);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Subscription subscribe(Topic topic, BusListener listener) {
        Objects.requireNonNull(topic, "topic must not be null");
        Objects.requireNonNull(listener, "listener must not be null");
        if (closed.get()) {
            throw new IllegalStateException("the event bus is closed");
        }
        Sub sub = new Sub(topic, listener);
        topics.compute(topic, (t, subs) -> {
            if (subs == null) {
                return new Sub[] {sub};
            }
            Sub[] grown = Arrays.copyOf(subs, subs.length + 1);
            grown[subs.length] = sub;
            return grown;
        });
        return sub;
    }

    /** Returns how many subscriptions {@code topic} has on this bus. */
    public int subscriberCount(Topic topic) {
        return topics.getOrDefault(topic, NONE).length;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Sub[] subs : topics.values()) {
            for (Sub sub : subs) {
                sub.closed = true;
            }
        }
        topics.clear();
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
    }

    private void remove(Sub sub) {
        topics.computeIfPresent(sub.topic, (t, subs) -> {
            int index = -1;
            for (int i = 0; i < subs.length; i++) {
                if (subs[i] == sub) {
                    index = i;
                    break;
                }
            }
            if (index < 0) {
                return subs;
            }
            if (subs.length == 1) {
                return null;
            }
            Sub[] shrunk = new Sub[subs.length - 1];
            System.arraycopy(subs, 0, shrunk, 0, index);
            System.arraycopy(subs, index + 1, shrunk, index, subs.length - index - 1);
            return shrunk;
        });
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** A subscription and its mailbox. */
    private final class Sub implements Subscription, Runnable {
        final Topic topic;
        final BusListener listener;
        final ConcurrentLinkedQueue<Envelope> mailbox = new ConcurrentLinkedQueue<>();
        final AtomicInteger size = new AtomicInteger();
        final AtomicBoolean scheduled = new AtomicBoolean();
        final AtomicBoolean gap = new AtomicBoolean();
        volatile boolean closed;

        Sub(Topic topic, BusListener listener) {
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
                mailbox.offer(envelope);
            }
            schedule();
        }

        private void schedule() {
            if (scheduled.compareAndSet(false, true)) {
                try {
                    executor.execute(this);
                } catch (RejectedExecutionException e) {
                    scheduled.set(false);
                    if (!InMemoryEventBus.this.closed.get()) {
                        LOG.warn("bus executor rejected delivery to a subscriber of {}", topic, e);
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
                    Envelope envelope = mailbox.poll();
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
            if (!closed && (!mailbox.isEmpty() || gap.get())) {
                schedule();
            }
        }

        @Override
        public Topic topic() {
            return topic;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                remove(this);
                mailbox.clear();
            }
        }
    }

    /** Configures an {@link InMemoryEventBus}. Not thread-safe. */
    public static final class Builder {
        private Executor executor;
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int bufferSize = DEFAULT_BUFFER;

        private Builder() {
        }

        /**
         * Delivers on the caller's executor, which the bus never shuts down. By default the bus
         * creates one daemon thread per available processor and stops them on {@code close()}.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor must not be null");
            return this;
        }

        /** Number of delivery threads the bus creates when no executor is given. */
        public Builder threads(int threads) {
            this.threads = Checks.requirePositive(threads, "threads");
            return this;
        }

        /** Capacity of each subscription's mailbox; default {@value InMemoryEventBus#DEFAULT_BUFFER}. */
        public Builder bufferSize(int bufferSize) {
            this.bufferSize = Checks.requirePositive(bufferSize, "bufferSize");
            return this;
        }

        public InMemoryEventBus build() {
            return new InMemoryEventBus(this);
        }
    }
}
