package org.ordertracking.core.internal;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;

/**
 * {@link EventBus} within one JVM: a publish goes straight to the {@link LocalFanout}, which gives
 * each subscription a bounded mailbox drained on the bus executor. A listener therefore sees
 * messages in publish order and never concurrently; a slow or throwing listener holds up only its
 * own mailbox; a full mailbox drops the new message and calls {@link BusListener#onGap} before the
 * listener's next message. Publishing never blocks.
 */
public final class InMemoryEventBus implements EventBus {

    /** Default capacity of each subscription's mailbox, in messages. */
    public static final int DEFAULT_BUFFER = 1024;

    private final LocalFanout fanout;
    private final ExecutorService ownedExecutor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private InMemoryEventBus(Builder builder) {
        Executor executor;
        if (builder.executor != null) {
            executor = builder.executor;
            this.ownedExecutor = null;
        } else {
            this.ownedExecutor = Executors.newFixedThreadPool(builder.threads,
                    LocalFanout.daemonThreads("tracking-bus-"));
            executor = ownedExecutor;
        }
        this.fanout = new LocalFanout(executor, builder.bufferSize);
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
        fanout.deliver(envelope);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Subscription subscribe(Topic topic, BusListener listener) {
        Objects.requireNonNull(topic, "topic must not be null");
        Objects.requireNonNull(listener, "listener must not be null");
        if (closed.get()) {
            throw new IllegalStateException("the event bus is closed");
        }
        LocalFanout.Mailbox mailbox = fanout.add(topic, listener);
        return new Subscription() {
            @Override
            public Topic topic() {
                return topic;
            }

            @Override
            public void close() {
                mailbox.close();
            }
        };
    }

    /** Returns how many subscriptions {@code topic} has on this bus. */
    public int subscriberCount(Topic topic) {
        return fanout.listenerCount(topic);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        fanout.close();
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
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
