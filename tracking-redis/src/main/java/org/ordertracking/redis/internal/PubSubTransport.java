package org.ordertracking.redis.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis side of the event bus: one pub/sub connection for every subscription of a node, plus one
 * ordinary connection to publish on. Standalone Redis uses {@code PUBLISH}/{@code SUBSCRIBE}; Redis
 * Cluster uses sharded Pub/Sub ({@code SPUBLISH}/{@code SSUBSCRIBE}), so a message travels only
 * within the shard that owns its channel's slot.
 *
 * <p>Lettuce re-issues the subscriptions of a connection after it reconnects; each confirmation
 * (ours or Lettuce's) is reported through {@link Callback#subscribed}.
 */
public abstract class PubSubTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PubSubTransport.class);

    /** Receives what arrives on the pub/sub connection, on a Lettuce I/O thread: must not block. */
    public interface Callback {
        /** A message arrived on {@code channel}. */
        void message(String channel, String payload);

        /** Redis confirmed a subscription to {@code channel}. */
        void subscribed(String channel);
    }

    private final AbstractRedisClient ownedClient;

    PubSubTransport(AbstractRedisClient ownedClient) {
        this.ownedClient = ownedClient;
    }

    /** Subscribes the connection to {@code channel}; completes when Redis confirmed. */
    public abstract CompletionStage<Void> subscribe(String channel);

    /** Unsubscribes the connection from {@code channel}. */
    public abstract CompletionStage<Void> unsubscribe(String channel);

    /** Publishes {@code payload}; completes with the number of receiving connections of the shard. */
    public abstract CompletionStage<Long> publish(String channel, String payload);

    /** Returns whether this is the sharded (Cluster) transport. */
    public abstract boolean sharded();

    abstract void closeConnections();

    /** Closes both connections, and the client if this transport created it. */
    @Override
    public final void close() {
        try {
            closeConnections();
        } finally {
            if (ownedClient != null) {
                ownedClient.shutdown();
            }
        }
    }

    /**
     * Opens the connections on a standalone client.
     *
     * @param owned whether {@link #close()} shuts the client down
     */
    public static PubSubTransport standalone(RedisClient client, boolean owned, Callback callback) {
        StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub(StringCodec.UTF8);
        StatefulRedisConnection<String, String> publisher;
        try {
            publisher = client.connect(StringCodec.UTF8);
        } catch (RuntimeException e) {
            pubSub.close();
            throw e;
        }
        return new Standalone(owned ? client : null, pubSub, publisher, callback);
    }

    /**
     * Opens the connections on a cluster client.
     *
     * @param owned whether {@link #close()} shuts the client down
     */
    public static PubSubTransport cluster(RedisClusterClient client, boolean owned, Callback callback) {
        StatefulRedisClusterPubSubConnection<String, String> pubSub = client.connectPubSub(StringCodec.UTF8);
        StatefulRedisClusterConnection<String, String> publisher;
        try {
            publisher = client.connect(StringCodec.UTF8);
        } catch (RuntimeException e) {
            pubSub.close();
            throw e;
        }
        return new Cluster(owned ? client : null, pubSub, publisher, callback);
    }

    private static final class Standalone extends PubSubTransport {
        private final StatefulRedisPubSubConnection<String, String> pubSub;
        private final StatefulRedisConnection<String, String> publisher;
        private final RedisPubSubAdapter<String, String> listener;

        Standalone(AbstractRedisClient ownedClient, StatefulRedisPubSubConnection<String, String> pubSub,
                StatefulRedisConnection<String, String> publisher, Callback callback) {
            super(ownedClient);
            this.pubSub = pubSub;
            this.publisher = publisher;
            this.listener = new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    callback.message(channel, message);
                }

                @Override
                public void subscribed(String channel, long count) {
                    callback.subscribed(channel);
                }
            };
            pubSub.addListener(listener);
        }

        @Override
        public CompletionStage<Void> subscribe(String channel) {
            return pubSub.async().subscribe(channel);
        }

        @Override
        public CompletionStage<Void> unsubscribe(String channel) {
            return pubSub.async().unsubscribe(channel);
        }

        @Override
        public CompletionStage<Long> publish(String channel, String payload) {
            return publisher.async().publish(channel, payload);
        }

        @Override
        public boolean sharded() {
            return false;
        }

        @Override
        void closeConnections() {
            pubSub.removeListener(listener);
            closeQuietly(pubSub);
            closeQuietly(publisher);
        }
    }

    private static final class Cluster extends PubSubTransport {
        private final StatefulRedisClusterPubSubConnection<String, String> pubSub;
        private final StatefulRedisClusterConnection<String, String> publisher;
        private final RedisClusterPubSubAdapter<String, String> listener;

        Cluster(AbstractRedisClient ownedClient, StatefulRedisClusterPubSubConnection<String, String> pubSub,
                StatefulRedisClusterConnection<String, String> publisher, Callback callback) {
            super(ownedClient);
            this.pubSub = pubSub;
            this.publisher = publisher;
            this.listener = new RedisClusterPubSubAdapter<>() {
                @Override
                public void smessage(RedisClusterNode node, String channel, String message) {
                    callback.message(channel, message);
                }

                @Override
                public void ssubscribed(RedisClusterNode node, String channel, long count) {
                    callback.subscribed(channel);
                }
            };
            // SSUBSCRIBE is routed to the node owning the channel's slot; its messages arrive on
            // that node's connection and reach our listener only with propagation on.
            pubSub.setNodeMessagePropagation(true);
            pubSub.addListener(listener);
        }

        @Override
        public CompletionStage<Void> subscribe(String channel) {
            return pubSub.async().ssubscribe(channel);
        }

        @Override
        public CompletionStage<Void> unsubscribe(String channel) {
            return pubSub.async().sunsubscribe(channel);
        }

        @Override
        public CompletionStage<Long> publish(String channel, String payload) {
            return publisher.async().spublish(channel, payload);
        }

        @Override
        public boolean sharded() {
            return true;
        }

        @Override
        void closeConnections() {
            pubSub.removeListener(listener);
            closeQuietly(pubSub);
            closeQuietly(publisher);
        }
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("closing a Redis connection failed", e);
        }
    }
}
