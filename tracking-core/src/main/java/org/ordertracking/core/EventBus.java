package org.ordertracking.core;

import java.util.concurrent.CompletionStage;
import org.ordertracking.core.internal.InMemoryEventBus;

/**
 * Publish/subscribe of {@link TrackingMessage}s by {@link Topic}. Implementations:
 * {@link #inMemory()} for one node, {@code RedisEventBus} (module tracking-redis) across nodes.
 *
 * <p>Thread-safe. A listener that throws or is slow never affects the publisher or other
 * listeners; subscribing and unsubscribing while messages flow is safe. Every implementation
 * passes the contract suite {@code EventBusContract} of tracking-test.
 *
 * <p><b>Accepted on return.</b> A bus that has accepted a message by the time {@link #publish}
 * returns (the in-memory bus always has) returns a stage that is already complete, normally: its
 * {@link CompletionStage#toCompletableFuture() toCompletableFuture()} is
 * {@link java.util.concurrent.CompletableFuture#isDone() done} and not
 * {@link java.util.concurrent.CompletableFuture#isCompletedExceptionally() exceptionally}. Callers
 * rely on this to skip a callback on their hot path ({@link OrderTracker} marks such an event
 * published at once): checking that costs one call, where a callback would cost an allocation and
 * a hand-off. Conversely, a stage complete normally on return promises that the message was
 * accepted, exactly as if the caller had waited for it. A bus that accepts asynchronously (the Redis
 * bus waits for the broker) returns a stage that completes later; both are correct. A returned
 * stage may be shared between publishes, so completing or obtruding the future from
 * {@code toCompletableFuture()} must never change what another publish returns.
 *
 * @since 0.1.0
 */
public interface EventBus extends AutoCloseable {

    /**
     * Returns an in-memory bus that delivers on its own daemon threads (one per available
     * processor, at least two), each subscription allowed to lag by at most
     * {@value InMemoryEventBus#DEFAULT_BUFFER} messages. Close it to stop those threads.
     */
    static EventBus inMemory() {
        return InMemoryEventBus.builder().build();
    }

    /**
     * Returns an in-memory bus that delivers on the resources' delivery executor, which closing the
     * bus never shuts down, each subscription allowed to lag by at most
     * {@value InMemoryEventBus#DEFAULT_BUFFER} messages.
     *
     * @throws IllegalStateException if the resources are closed
     * @since 0.1.0
     */
    static EventBus inMemory(TrackingResources resources) {
        return InMemoryEventBus.builder().resources(resources).build();
    }

    /**
     * Returns an in-memory bus like {@link #inMemory()}, but delivering on {@code threads} daemon
     * threads of its own, which is also how many of them may serve one topic's listeners at once.
     * Close it to stop those threads.
     *
     * @throws IllegalArgumentException if {@code threads} is not positive
     * @since 0.1.0
     */
    static EventBus inMemory(int threads) {
        return InMemoryEventBus.builder().threads(threads).build();
    }

    /**
     * Publishes a message on a topic to every subscriber, on every node the bus spans. Does not
     * block on subscribers or on the network.
     *
     * @return completes when the bus has accepted the message for delivery (for a networked bus,
     *     when the broker has it), or exceptionally if it could not; already complete on return if
     *     the bus accepted the message before returning (see "Accepted on return" above)
     */
    CompletionStage<Void> publish(Envelope envelope);

    /** Publishes {@code message} on {@code topic}; see {@link #publish(Envelope)}. */
    default CompletionStage<Void> publish(Topic topic, TrackingMessage message) {
        return publish(Envelope.of(topic, message));
    }

    /** Registers a listener for the messages published on {@code topic} from now on. */
    Subscription subscribe(Topic topic, BusListener listener);

    /** Closes every subscription and releases what the bus created; idempotent. */
    @Override
    void close();
}
