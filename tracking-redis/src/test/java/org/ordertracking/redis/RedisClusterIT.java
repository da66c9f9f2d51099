package org.ordertracking.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.test.RecordingListener;

/**
 * The bus and store suites on a private three-master Redis Cluster started on free local ports
 * ({@code redis-server --cluster-enabled yes} three times, then {@code redis-cli --cluster create}).
 * The bus uses sharded Pub/Sub; the store's keys spread over the slots.
 */
class RedisClusterIT {
    private static LocalRedisServers servers;
    private static final List<Integer> PORTS = new ArrayList<>();
    private static final Map<Integer, String[]> ARGS = new HashMap<>();
    private static final Map<Integer, Process> PROCESSES = new HashMap<>();
    private static RedisClusterClient client;
    private static StatefulRedisClusterConnection<String, String> admin;

    @BeforeAll
    static void startCluster() {
        servers = new LocalRedisServers();
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int port = LocalRedisServers.freePort();
            int busPort = LocalRedisServers.freePort();
            String[] args = {"--cluster-enabled", "yes", "--cluster-port", Integer.toString(busPort),
                "--cluster-config-file", "nodes-" + port + ".conf", "--cluster-node-timeout", "5000"};
            ARGS.put(port, args);
            PROCESSES.put(port, servers.start(port, args));
            PORTS.add(port);
            nodes.add("127.0.0.1:" + port);
        }
        List<String> create = new ArrayList<>(List.of("--cluster", "create"));
        create.addAll(nodes);
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        servers.cli(Duration.ofSeconds(60), create.toArray(String[]::new));
        awaitClusterOk();
        RedisURI seed = RedisURI.create("127.0.0.1", PORTS.get(0));
        seed.setTimeout(Duration.ofSeconds(10));
        client = RedisClusterClient.create(seed);
        admin = client.connect();
    }

    private static void awaitClusterOk() {
        for (int port : PORTS) {
            await("cluster_state:ok on port " + port).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> servers.cli(Duration.ofSeconds(5), "-p", Integer.toString(port), "cluster", "info")
                            .contains("cluster_state:ok"));
        }
    }

    @AfterAll
    static void stopCluster() {
        try {
            if (admin != null) {
                admin.close();
            }
            if (client != null) {
                client.shutdown();
            }
        } finally {
            if (servers != null) {
                servers.close();
            }
        }
    }

    private static List<RedisClusterCommands<String, String>> masters() {
        List<RedisClusterCommands<String, String>> masters = new ArrayList<>();
        for (RedisClusterNode node : admin.getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                masters.add(admin.getConnection(node.getNodeId()).sync());
            }
        }
        assertEquals(3, masters.size(), "three masters");
        return masters;
    }

    @Test
    void masterRestart_busResubscribesTheShardChannelSignalsAGapAndDeliversLaterMessages() throws Exception {
        RedisEventBusConfig config = RedisEventBusConfig.builder().channelPrefix(RedisTestSupport.uniquePrefix()).build();
        Topic topic = Topic.order("o-cluster-outage");
        try (RedisEventBus subscriberNode = RedisEventBus.create(client, config);
                RedisEventBus publisherNode = RedisEventBus.create(client, config)) {
            GapRecorder listener = new GapRecorder();
            try (Subscription ignored = subscriberNode.subscribe(topic, listener)) {
                publisherNode.publish(topic, RedisTestSupport.status(topic.id(), 2)).toCompletableFuture().join();
                listener.messages.next();

                int slot = SlotHash.getSlot(subscriberNode.channelOf(topic));
                int port = admin.getPartitions().getPartitionBySlot(slot).getUri().getPort();
                LocalRedisServers.kill(PROCESSES.get(port));
                PROCESSES.put(port, servers.start(port, ARGS.get(port)));
                awaitClusterOk();

                assertTrue(listener.awaitGap(60), "onGap once the shard channel is subscribed again");
                publisherNode.publish(topic, RedisTestSupport.status(topic.id(), 3)).toCompletableFuture().join();
                assertEquals(3, ((TrackingMessage.StatusUpdate) listener.messages.next().message()).event().seq());
            }
        }
    }

    @Nested
    class Bus extends AbstractRedisEventBusIT {
        @Override
        protected RedisEventBus newBus(RedisEventBusConfig config) {
            return RedisEventBus.create(client, config);
        }

        @Override
        protected Set<String> redisChannels(String pattern) {
            Set<String> channels = new HashSet<>();
            for (RedisClusterCommands<String, String> node : masters()) {
                channels.addAll(node.pubsubShardChannels(pattern));
            }
            return channels;
        }

        @Override
        protected long redisSubscribers(String channel) {
            long count = 0;
            for (RedisClusterCommands<String, String> node : masters()) {
                count += node.pubsubShardNumsub(channel).getOrDefault(channel, 0L);
            }
            return count;
        }

        @Override
        protected void rawPublish(String channel, String payload) {
            admin.sync().spublish(channel, payload);
        }

        @Test
        void subscribe_manyTopics_shardChannelsLiveOnTheNodesOwningTheirSlots() {
            RedisEventBus redisBus = (RedisEventBus) bus;
            assertTrue(redisBus.sharded());
            List<Subscription> subscriptions = new ArrayList<>();
            try {
                for (int i = 0; i < 12; i++) {
                    subscriptions.add(bus.subscribe(newTopic(), new RecordingListener()));
                }
                int nodesWithChannels = 0;
                for (RedisClusterCommands<String, String> node : masters()) {
                    if (!node.pubsubShardChannels(prefix + "*").isEmpty()) {
                        nodesWithChannels++;
                    }
                }
                assertTrue(nodesWithChannels >= 2, "channels spread over the shards, found on " + nodesWithChannels);
                assertEquals(12, redisChannels(prefix + "*").size());
                Topic last = subscriptions.get(11).topic();
                RecordingListener listener = new RecordingListener();
                try (Subscription ignored = bus.subscribe(last, listener)) {
                    publish(last, status(last.id(), 1));
                    listener.next();
                }
            } finally {
                subscriptions.forEach(Subscription::close);
            }
        }
    }

    @Nested
    class Store extends AbstractRedisLocationStoreIT {
        @Override
        protected RedisLocationStore newStore(RedisLocationStoreConfig config) {
            return RedisLocationStore.create(client, config);
        }

        @Override
        protected java.time.Instant serverTime() {
            return RedisTestSupport.instant(admin.sync().time());
        }

        @Override
        protected long pttl(String key) {
            return admin.sync().pttl(key);
        }

        @Override
        protected String type(String key) {
            return admin.sync().type(key);
        }

        @Override
        protected String get(String key) {
            return admin.sync().get(key);
        }

        @Override
        protected void delete(String key) {
            admin.sync().del(key);
        }

        @Override
        protected void flushScripts() {
            for (RedisClusterCommands<String, String> node : masters()) {
                node.scriptFlush();
            }
        }

        @Override
        protected void deleteKeys(String prefix) {
            List<String> keys = admin.sync().keys(prefix + "*");
            for (String key : keys) {
                admin.sync().del(key);
            }
            assertEquals(List.of(), admin.sync().keys(prefix + "*"), "keys left behind under " + prefix);
        }
    }
}
