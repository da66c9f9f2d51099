package org.ordertracking.redis;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.ordertracking.core.TrackingResources;
import org.ordertracking.core.internal.Checks;
import org.ordertracking.redis.internal.RedisChecks;

/**
 * Settings of a {@link RedisEventBus}. Immutable and thread-safe; build one with {@link #builder()}.
 *
 * @param channelPrefix prepended to every channel name ({@code tracking:order:o-1})
 * @param bufferSize how many messages a local listener may fall behind before it loses the oldest ones
 *     and gets {@code onGap}
 * @param subscribeTimeout how long {@link RedisEventBus#subscribe} waits for Redis to confirm a new
 *     channel subscription before returning anyway (the listener then gets {@code onGap} once the
 *     subscription is confirmed)
 * @param executor where listeners are called (a given executor, or the delivery executor of the
 *     {@code TrackingResources} handed to the builder), or {@code null} for daemon threads the bus
 *     creates ({@code deliveryThreads} of them) and stops on close; a given executor is never shut down
 * @param deliveryThreads number of delivery threads the bus creates when {@code executor} is null
 *     (default: one per available processor, at least two); with a given executor, how many of its
 *     threads one channel's local delivery may use at once
 * @since 0.1.0
 */
public record RedisEventBusConfig(String channelPrefix, int bufferSize, Duration subscribeTimeout, Executor executor,
        int deliveryThreads) {

    /** Default channel prefix: {@value}. */
    public static final String DEFAULT_CHANNEL_PREFIX = "tracking:";
    /** Default lag allowed to a local listener: {@value} messages. */
    public static final int DEFAULT_BUFFER_SIZE = 1024;
    /** Default wait for a subscription confirmation: 5 seconds. */
    public static final Duration DEFAULT_SUBSCRIBE_TIMEOUT = Duration.ofSeconds(5);

    public RedisEventBusConfig {
        RedisChecks.requirePrefix(channelPrefix, "channelPrefix");
        Checks.requirePositive(bufferSize, "bufferSize");
        Checks.requirePositive(subscribeTimeout, "subscribeTimeout");
        Checks.requirePositive(deliveryThreads, "deliveryThreads");
    }

    /** Returns the defaults. */
    public static RedisEventBusConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder holding these settings. */
    public Builder toBuilder() {
        return new Builder().channelPrefix(channelPrefix).bufferSize(bufferSize).subscribeTimeout(subscribeTimeout)
                .deliveryThreads(deliveryThreads).executorOrNull(executor);
    }

    /** Builds a {@link RedisEventBusConfig}; every value is checked when set. Not thread-safe. */
    public static final class Builder {
        private String channelPrefix = DEFAULT_CHANNEL_PREFIX;
        private int bufferSize = DEFAULT_BUFFER_SIZE;
        private Duration subscribeTimeout = DEFAULT_SUBSCRIBE_TIMEOUT;
        private Executor executor;
        private int deliveryThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private boolean deliveryThreadsSet;
        private TrackingResources resources;

        private Builder() {
        }

        /**
         * Calls listeners on the resources' delivery executor, which the bus never shuts down, with
         * their {@code deliveryThreads} as the parallelism of one channel's local delivery. An
         * {@link #executor} or {@link #deliveryThreads} set on this builder wins over the resources'.
         *
         * @throws IllegalStateException if the resources are closed
         * @since 0.1.0
         */
        public Builder resources(TrackingResources resources) {
            Objects.requireNonNull(resources, "resources must not be null");
            if (resources.isClosed()) {
                throw new IllegalStateException("cannot configure a RedisEventBus on closed TrackingResources");
            }
            this.resources = resources;
            return this;
        }

        /** Prefix of every channel; default {@value RedisEventBusConfig#DEFAULT_CHANNEL_PREFIX}. */
        public Builder channelPrefix(String channelPrefix) {
            this.channelPrefix = RedisChecks.requirePrefix(channelPrefix, "channelPrefix");
            return this;
        }

        /**
         * How many messages a local listener may fall behind before it loses the oldest ones (and gets
         * {@code onGap}); default {@value RedisEventBusConfig#DEFAULT_BUFFER_SIZE}.
         */
        public Builder bufferSize(int bufferSize) {
            this.bufferSize = Checks.requirePositive(bufferSize, "bufferSize");
            return this;
        }

        /** Wait for a subscription confirmation; default 5 seconds. */
        public Builder subscribeTimeout(Duration subscribeTimeout) {
            this.subscribeTimeout = Checks.requirePositive(subscribeTimeout, "subscribeTimeout");
            return this;
        }

        /**
         * Calls listeners on the caller's executor, which the bus never shuts down. It must run every
         * task it accepts (or throw {@code RejectedExecutionException}), and at least two at a time, so
         * that one blocked listener never holds up the others.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor must not be null");
            return this;
        }

        private Builder executorOrNull(Executor executor) {
            this.executor = executor;
            return this;
        }

        /** Number of delivery threads created when no executor is given; default one per processor. */
        public Builder deliveryThreads(int deliveryThreads) {
            this.deliveryThreads = Checks.requirePositive(deliveryThreads, "deliveryThreads");
            this.deliveryThreadsSet = true;
            return this;
        }

        /**
         * Builds the settings. With {@link #resources}, {@link RedisEventBusConfig#executor()} is
         * their delivery executor unless an executor was set here.
         */
        public RedisEventBusConfig build() {
            Executor chosen = executor != null ? executor : resources != null ? resources.deliveryExecutor() : null;
            int threads = deliveryThreadsSet || resources == null ? deliveryThreads : resources.deliveryThreads();
            return new RedisEventBusConfig(channelPrefix, bufferSize, subscribeTimeout, chosen, threads);
        }
    }
}
