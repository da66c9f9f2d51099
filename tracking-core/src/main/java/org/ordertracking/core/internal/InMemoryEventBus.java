package org.ordertracking.core.internal;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingResources;

/**
 * {@link EventBus} within one JVM: a publish goes straight to the {@link LocalFanout}, which appends
 * it once to the topic's log and has the bus threads deliver it to every subscription from its own
 * cursor. A listener therefore sees messages in publish order and never concurrently; a slow or
 * throwing listener holds up only itself, not the other listeners of its topic; a listener that
 * falls more than {@code bufferSize} messages behind loses the oldest ones and gets
 * {@link BusListener#onGap} before its next message. Publishing never blocks. Thread-safe.
 */
public final class InMemoryEventBus implements EventBus {

    /** Default number of messages a subscription may fall behind before it loses the oldest. */
    public static final int DEFAULT_BUFFER = 1024;

    /**
     * What every accepted {@link #publish} returns: one shared future, completed before anyone sees
     * it, so a publish allocates nothing, and complete on return as the {@link EventBus} contract asks
     * of a bus that accepts at once. {@code toCompletableFuture()} returns this same future (a minimal
     * stage would allocate a copy per call, two per transition on the tracker's hot path), and since
     * it is shared, no caller may change it for the others: completing or cancelling it is a no-op (it
     * is already complete) and obtruding a value or an exception throws.
     */
    public static final CompletionStage<Void> ACCEPTED = new AcceptedFuture();

    private final LocalFanout fanout;
    private final DeliveryThreads ownedExecutor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private InMemoryEventBus(Builder builder) {
        Executor executor = builder.executor != null ? builder.executor
                : builder.resources != null ? builder.resources.deliveryExecutor() : null;
        int threads = builder.threadsSet || builder.resources == null ? builder.threads
                : builder.resources.deliveryThreads();
        if (executor != null) {
            this.ownedExecutor = null;
        } else {
            this.ownedExecutor = new DeliveryThreads(threads, LocalFanout.daemonThreads("tracking-bus-"));
            executor = ownedExecutor;
        }
        this.fanout = new LocalFanout(executor, builder.bufferSize, threads, true);
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
        return ACCEPTED;
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
                return mailbox.topic(); // not the caller's topic: one fewer object held per subscription
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
            ownedExecutor.close();
        }
    }

    /** The shared {@link #ACCEPTED} future: complete from birth, and nobody can change its outcome. */
    private static final class AcceptedFuture extends CompletableFuture<Void> {
        AcceptedFuture() {
            super.complete(null);
        }

        @Override
        public void obtrudeValue(Void value) {
            throw new UnsupportedOperationException("the accepted future is shared by every publish; it cannot be obtruded");
        }

        @Override
        public void obtrudeException(Throwable ex) {
            throw new UnsupportedOperationException("the accepted future is shared by every publish; it cannot be obtruded");
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }

    /** Configures an {@link InMemoryEventBus}. Not thread-safe. */
    public static final class Builder {
        private Executor executor;
        private TrackingResources resources;
        private int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private boolean threadsSet;
        private int bufferSize = DEFAULT_BUFFER;

        private Builder() {
        }

        /**
         * Delivers on the resources' delivery executor (their {@code deliveryThreads} as the
         * parallelism of a topic), which the bus never shuts down. An {@link #executor} or
         * {@link #threads} set on this builder wins over the resources'.
         *
         * @throws IllegalStateException if the resources are closed
         */
        public Builder resources(TrackingResources resources) {
            Objects.requireNonNull(resources, "resources must not be null");
            if (resources.isClosed()) {
                throw new IllegalStateException("cannot build an in-memory event bus on closed TrackingResources");
            }
            this.resources = resources;
            return this;
        }

        /**
         * Delivers on the caller's executor, which the bus never shuts down. By default the bus
         * creates one daemon thread per available processor (at least two) and stops them on {@code close()}. A
         * topic's listeners are served by up to {@link #threads(int)} tasks at once (at least two), so
         * a given executor should run at least two tasks at a time for one blocked listener never to
         * hold up the others. It must run every task it accepts: a task it throws
         * {@code RejectedExecutionException} for is retried at the topic's next publish, but one it
         * accepts and drops (a discarding rejection policy, {@code shutdownNow()}) stops delivery on
         * that topic for good.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor must not be null");
            return this;
        }

        /**
         * Number of delivery threads the bus creates when no executor is given; with a given
         * executor, how many of its threads one topic's delivery may use at once.
         */
        public Builder threads(int threads) {
            this.threads = Checks.requirePositive(threads, "threads");
            this.threadsSet = true;
            return this;
        }

        /**
         * How many messages a subscription may fall behind before it loses the oldest ones (and gets
         * {@code onGap}); default {@value InMemoryEventBus#DEFAULT_BUFFER}.
         */
        public Builder bufferSize(int bufferSize) {
            this.bufferSize = Checks.requirePositive(bufferSize, "bufferSize");
            return this;
        }

        public InMemoryEventBus build() {
            return new InMemoryEventBus(this);
        }
    }
}
