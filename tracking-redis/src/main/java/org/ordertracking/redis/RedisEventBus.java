package org.ordertracking.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.WireCodec;
import org.ordertracking.core.internal.DeliveryThreads;
import org.ordertracking.core.internal.LocalFanout;
import org.ordertracking.redis.internal.PubSubTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link EventBus} across nodes over Redis Pub/Sub: what one node publishes, listeners on every node
 * receive.
 *
 * <p><b>Connections.</b> A bus holds exactly one pub/sub connection for all its subscriptions (plus
 * one ordinary connection to publish on), never one per listener. A channel is subscribed when its
 * first local listener arrives and unsubscribed when the last one leaves; messages are then fanned
 * out locally from one log per channel, each listener reading it from its own cursor on the delivery
 * threads, within a bounded lag, so a slow listener never delays another or the Redis connection. With a {@link RedisClusterClient} the bus
 * uses sharded Pub/Sub ({@code SSUBSCRIBE}/{@code SPUBLISH}, Redis 7+).
 *
 * <p><b>Channels and payload.</b> A topic's channel is the configured prefix plus
 * {@link Topic#channel()}, e.g. {@code tracking:order:o-1}. The payload is the message type, a line
 * feed, and the message's JSON ({@link Envelope#json()}, encoded once per publish). A receiving node
 * validates and decodes it once with {@link WireCodec} and hands every local listener the same
 * {@link Envelope} of the decoded message, whose JSON is encoded again once, on first read: what
 * listeners (and SSE clients) get is always {@link WireCodec}'s own encoding, never the received
 * text. A payload that does not decode, has a line break outside its JSON (nothing this bus writes
 * does), or on an order channel names another order is dropped and counted
 * ({@link #malformedDropped()}), logged at most once a minute.
 *
 * <p><b>Reconnects.</b> Lettuce reconnects automatically and re-subscribes every channel; when Redis
 * confirms such a re-subscription the bus calls {@link BusListener#onGap} on every listener of that
 * topic, after the subscription is live again, so the listener can replay what it missed from the
 * repository without a hole between replay and live messages.
 *
 * <p>Thread-safe. {@link #subscribe} waits (up to {@link RedisEventBusConfig#subscribeTimeout()})
 * for Redis to confirm a new channel, so a message published after it returns is delivered.
 * Listeners run on the delivery executor, never on a Lettuce I/O thread; the stage {@link #publish}
 * returns completes on a Lettuce I/O thread, so callbacks attached to it must not block.
 *
 * @since 0.1.0
 */
public final class RedisEventBus implements EventBus {
    private static final Logger LOG = LoggerFactory.getLogger(RedisEventBus.class);
    private static final long MALFORMED_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final RedisEventBusConfig config;
    private final String prefix;
    private final LocalFanout fanout;
    private final DeliveryThreads ownedExecutor;
    private final PubSubTransport transport;
    private final Object lock = new Object();
    /** Channel name to its state; guarded by {@link #lock}. */
    private final Map<String, ChannelState> channels = new HashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong lastMalformedLog = new AtomicLong(System.nanoTime());

    private RedisEventBus(RedisEventBusConfig config, Function<PubSubTransport.Callback, PubSubTransport> connect) {
        this.config = Objects.requireNonNull(config, "config must not be null");
        this.prefix = config.channelPrefix();
        Executor executor = config.executor();
        if (executor == null) {
            ownedExecutor = new DeliveryThreads(config.deliveryThreads(),
                    LocalFanout.daemonThreads("tracking-redis-bus-"));
            executor = ownedExecutor;
        } else {
            ownedExecutor = null;
        }
        this.fanout = new LocalFanout(executor, config.bufferSize(), config.deliveryThreads());
        try {
            this.transport = connect.apply(new Callback());
        } catch (RuntimeException e) {
            if (ownedExecutor != null) {
                ownedExecutor.close();
            }
            throw e;
        }
    }

    /** Returns a bus on the caller's standalone client with the default settings; the client is never shut down by the bus. */
    public static RedisEventBus create(RedisClient client) {
        return create(client, RedisEventBusConfig.defaults());
    }

    /** Returns a bus on the caller's standalone client; the client is never shut down by the bus. */
    public static RedisEventBus create(RedisClient client, RedisEventBusConfig config) {
        Objects.requireNonNull(client, "client must not be null");
        return new RedisEventBus(config, cb -> PubSubTransport.standalone(client, false, cb));
    }

    /**
     * Returns a bus on the caller's cluster client, using sharded Pub/Sub (Redis 7+); the client is
     * never shut down by the bus.
     */
    public static RedisEventBus create(RedisClusterClient client) {
        return create(client, RedisEventBusConfig.defaults());
    }

    /** Returns a bus on the caller's cluster client, using sharded Pub/Sub (Redis 7+). */
    public static RedisEventBus create(RedisClusterClient client, RedisEventBusConfig config) {
        Objects.requireNonNull(client, "client must not be null");
        return new RedisEventBus(config, cb -> PubSubTransport.cluster(client, false, cb));
    }

    /**
     * Returns a bus on a standalone Redis at {@code uri} (e.g. {@code redis://127.0.0.1:6379}) with a
     * client it creates and shuts down on {@link #close()}.
     */
    public static RedisEventBus create(String uri, RedisEventBusConfig config) {
        Objects.requireNonNull(uri, "uri must not be null");
        Objects.requireNonNull(config, "config must not be null");
        RedisClient client = RedisClient.create(uri);
        try {
            return new RedisEventBus(config, cb -> PubSubTransport.standalone(client, true, cb));
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    /** Returns a bus on a standalone Redis at {@code uri} with the default settings; see {@link #create(String, RedisEventBusConfig)}. */
    public static RedisEventBus create(String uri) {
        return create(uri, RedisEventBusConfig.defaults());
    }

    /**
     * Returns a bus on the Redis Cluster reachable at {@code uri} (any node) with a cluster client it
     * creates and shuts down on {@link #close()}; uses sharded Pub/Sub.
     */
    public static RedisEventBus createCluster(String uri, RedisEventBusConfig config) {
        Objects.requireNonNull(uri, "uri must not be null");
        Objects.requireNonNull(config, "config must not be null");
        RedisClusterClient client = RedisClusterClient.create(uri);
        try {
            return new RedisEventBus(config, cb -> PubSubTransport.cluster(client, true, cb));
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    /** Returns the settings. */
    public RedisEventBusConfig config() {
        return config;
    }

    /** Returns the Redis channel of {@code topic}, e.g. {@code tracking:order:o-1}. */
    public String channelOf(Topic topic) {
        return prefix + topic.channel();
    }

    /** Returns whether this bus uses sharded Pub/Sub (it was built on a cluster client). */
    public boolean sharded() {
        return transport.sharded();
    }

    @Override
    public CompletionStage<Void> publish(Envelope envelope) {
        Objects.requireNonNull(envelope, "envelope must not be null");
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("the event bus is closed"));
        }
        String payload = envelope.type() + '\n' + envelope.json();
        try {
            return transport.publish(channelOf(envelope.topic()), payload).thenApply(receivers -> null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public Subscription subscribe(Topic topic, BusListener listener) {
        Objects.requireNonNull(topic, "topic must not be null");
        Objects.requireNonNull(listener, "listener must not be null");
        String channel = channelOf(topic);
        LocalFanout.Mailbox mailbox;
        ChannelState state;
        synchronized (lock) {
            if (closed.get()) {
                throw new IllegalStateException("the event bus is closed");
            }
            mailbox = fanout.add(topic, listener);
            state = channels.get(channel);
            if (state == null) {
                state = new ChannelState(topic);
                channels.put(channel, state);
                requestSubscribe(channel, state);
            }
            state.listeners++;
        }
        awaitConfirmation(channel, state);
        return new RedisSubscription(channel, mailbox);
    }

    /** Issues SUBSCRIBE for {@code channel}; caller holds the lock. */
    private void requestSubscribe(String channel, ChannelState state) {
        state.awaitedConfirmations++;
        try {
            transport.subscribe(channel).whenComplete((ok, error) -> {
                if (error != null && !closed.get()) {
                    LOG.warn("subscribing {} failed; it will be retried on reconnect", channel, error);
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("subscribing {} failed", channel, e);
        }
    }

    private void awaitConfirmation(String channel, ChannelState state) {
        try {
            state.confirmed.get(config.subscribeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            synchronized (lock) {
                if (!state.confirmed.isDone()) {
                    state.gapOnConfirm = true;
                }
            }
            LOG.warn("Redis did not confirm the subscription to {} within {}; listeners get onGap once it does",
                    channel, config.subscribeTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void release(String channel) {
        synchronized (lock) {
            ChannelState state = channels.get(channel);
            if (state == null || --state.listeners > 0) {
                return;
            }
            channels.remove(channel);
            state.confirmed.complete(null);
            if (closed.get()) {
                return;
            }
            try {
                transport.unsubscribe(channel).whenComplete((ok, error) -> {
                    // A listener may have arrived while UNSUBSCRIBE was in flight; if the commands
                    // could have crossed, subscribe again (idempotent on the Redis side).
                    synchronized (lock) {
                        ChannelState current = channels.get(channel);
                        if (current != null && !closed.get() && transport.sharded()) {
                            requestSubscribe(channel, current);
                        }
                    }
                });
            } catch (RuntimeException e) {
                LOG.warn("unsubscribing {} failed", channel, e);
            }
        }
    }

    /** Returns how many local listeners {@code topic} has on this bus. */
    public int listenerCount(Topic topic) {
        return fanout.listenerCount(topic);
    }

    /** Returns whether this bus holds a Redis subscription for {@code topic}. */
    public boolean subscribed(Topic topic) {
        synchronized (lock) {
            return channels.containsKey(channelOf(topic));
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (lock) {
            for (ChannelState state : channels.values()) {
                state.confirmed.complete(null);
            }
            channels.clear();
        }
        fanout.close();
        try {
            transport.close();
        } finally {
            if (ownedExecutor != null) {
                ownedExecutor.close();
            }
        }
    }

    private void onMessage(String channel, String payload) {
        if (!channel.startsWith(prefix)) {
            return;
        }
        int newline = payload.indexOf('\n');
        if (newline <= 0) {
            dropMalformed(channel, "no type line");
            return;
        }
        // What we publish is the type, one line feed, and compact JSON: a JSON string cannot hold a raw
        // CR or LF, so any other line break is outside the JSON, e.g. an attempt to add SSE fields.
        if (payload.indexOf('\n', newline + 1) >= 0 || payload.indexOf('\r') >= 0) {
            dropMalformed(channel, "a line break outside the JSON");
            return;
        }
        Envelope envelope;
        try {
            Topic topic = Topic.parse(channel.substring(prefix.length()));
            String type = payload.substring(0, newline);
            TrackingMessage message = WireCodec.readMessage(type, payload.substring(newline + 1));
            String misplaced = misplaced(topic, message);
            if (misplaced != null) {
                dropMalformed(channel, misplaced);
                return;
            }
            // re-encoded from the decoded message (once per node, on first read): listeners never see
            // the received text, only what WireCodec writes, so trailing or unknown data is not passed on
            envelope = Envelope.of(topic, message);
        } catch (RuntimeException e) {
            dropMalformed(channel, e.getMessage());
            return;
        }
        fanout.deliver(envelope);
    }

    /**
     * Returns why a well-formed message does not belong on its channel's topic, or {@code null} when it
     * does: an order topic carries only that order's messages; a restaurant's presence changes only that
     * restaurant's; the operations topic no order-stream or driver message (its stream forwards any
     * other type to operators as it is).
     */
    static String misplaced(Topic topic, TrackingMessage message) {
        switch (topic.kind()) {
            case ORDER:
                return topic.id().equals(message.orderId()) ? null : "a message of another order";
            case RESTAURANT:
                if (message instanceof TrackingMessage.RestaurantOffline offline
                        && !topic.id().equals(offline.restaurantId())
                        || message instanceof TrackingMessage.RestaurantOnline online
                        && !topic.id().equals(online.restaurantId())) {
                    return "a presence change of another restaurant";
                }
                return null;
            case OPERATIONS:
                return message instanceof TrackingMessage.StatusUpdate || message instanceof TrackingMessage.LocationUpdate
                        || message instanceof TrackingMessage.SignalUpdate
                        || message instanceof TrackingMessage.DriverAssigned
                        || message instanceof TrackingMessage.DriverUnassigned
                        || message instanceof TrackingMessage.OrderCancelled
                        ? "a " + message.type() + " message on the operations topic" : null;
            default:
                return null;
        }
    }

    /** Counts a dropped message; logs at most once per {@link #MALFORMED_LOG_INTERVAL_NANOS}. */
    private void dropMalformed(String channel, String why) {
        long count = malformed.incrementAndGet();
        long now = System.nanoTime();
        long last = lastMalformedLog.get();
        if ((count == 1 || now - last >= MALFORMED_LOG_INTERVAL_NANOS) && lastMalformedLog.compareAndSet(last, now)) {
            LOG.warn("dropped a malformed message on {} ({}); {} dropped so far, logged at most once a minute",
                    channel, why, count);
        }
    }

    /**
     * Returns how many received messages this bus dropped as malformed: undecodable, of an unknown
     * type, with a line break outside their JSON, of another order (or restaurant) than their
     * channel's, or an order or driver message on the operations channel.
     *
     * @since 0.1.0
     */
    public long malformedDropped() {
        return malformed.get();
    }

    private void onSubscribed(String channel) {
        Topic gapTopic = null;
        synchronized (lock) {
            ChannelState state = channels.get(channel);
            if (state == null) {
                return;
            }
            if (state.awaitedConfirmations > 0) {
                state.awaitedConfirmations--;
                if (state.gapOnConfirm) {
                    state.gapOnConfirm = false;
                    gapTopic = state.topic;
                }
                state.confirmed.complete(null);
            } else {
                // Lettuce re-subscribed after a reconnect: messages may have been lost meanwhile.
                gapTopic = state.topic;
            }
        }
        if (gapTopic != null) {
            LOG.info("subscription to {} (re-)established after an outage; telling its listeners they may have missed"
                    + " messages", channel);
            fanout.gap(gapTopic);
        }
    }

    private final class Callback implements PubSubTransport.Callback {
        @Override
        public void message(String channel, String payload) {
            onMessage(channel, payload);
        }

        @Override
        public void subscribed(String channel) {
            onSubscribed(channel);
        }
    }

    /** Per-channel bookkeeping; guarded by the bus lock. */
    private static final class ChannelState {
        final Topic topic;
        final CompletableFuture<Void> confirmed = new CompletableFuture<>();
        int listeners;
        int awaitedConfirmations;
        boolean gapOnConfirm;

        ChannelState(Topic topic) {
            this.topic = topic;
        }
    }

    private final class RedisSubscription implements Subscription {
        private final String channel;
        private final LocalFanout.Mailbox mailbox;

        RedisSubscription(String channel, LocalFanout.Mailbox mailbox) {
            this.channel = channel;
            this.mailbox = mailbox;
        }

        @Override
        public Topic topic() {
            return mailbox.topic();
        }

        @Override
        public void close() {
            if (mailbox.close()) {
                release(channel);
            }
        }

        @Override
        public String toString() {
            return "RedisSubscription[" + channel + "]";
        }
    }
}
