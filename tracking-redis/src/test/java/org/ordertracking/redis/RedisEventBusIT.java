package org.ordertracking.redis;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.TrackingResources;
import org.ordertracking.test.RecordingListener;

/** {@link RedisEventBus} on standalone Redis ({@code tracking.test.redis}). */
class RedisEventBusIT extends AbstractRedisEventBusIT {
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> admin;

    @BeforeAll
    static void connect() {
        client = RedisTestSupport.client();
        admin = client.connect();
    }

    @AfterAll
    static void disconnect() {
        if (admin != null) {
            admin.close();
        }
        if (client != null) {
            client.shutdown();
        }
    }

    @Override
    protected RedisEventBus newBus(RedisEventBusConfig config) {
        return RedisEventBus.create(client, config);
    }

    @Override
    protected Set<String> redisChannels(String pattern) {
        return new HashSet<>(admin.sync().pubsubChannels(pattern));
    }

    @Override
    protected long redisSubscribers(String channel) {
        return admin.sync().pubsubNumsub(channel).getOrDefault(channel, 0L);
    }

    @Override
    protected void rawPublish(String channel, String payload) {
        admin.sync().publish(channel, payload);
    }

    @Test
    void create_withUri_ownsItsClientAndClosesTwiceSafely() {
        long lettuceThreadsBefore = lettuceThreads();
        RedisEventBus owned = RedisEventBus.create(RedisTestSupport.URI, config());
        assertFalse(owned.sharded());
        assertDoesNotThrow(owned::close);
        assertDoesNotThrow(owned::close, "a second close is a no-op");
        assertThrows(IllegalStateException.class, () -> owned.subscribe(newTopic(), new RecordingListener()));
        // the client it created is shut down: its event-loop threads end
        await("the owned client's threads end").atMost(Duration.ofSeconds(10))
                .until(RedisEventBusIT::lettuceThreads, lessThanOrEqualTo(lettuceThreadsBefore));
    }

    private static long lettuceThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("lettuce-")).count();
    }

    @Test
    void busOnResources_deliversOnTheirThreads_andClosingItLeavesThemRunning() throws Exception {
        try (TrackingResources resources = TrackingResources.builder().deliveryThreads(2).build()) {
            RedisEventBus shared = newBus(config().toBuilder().resources(resources).build());
            Topic topic = newTopic();
            Thread[] deliveredOn = new Thread[1];
            RecordingListener listener = new RecordingListener();
            try (Subscription ignored = shared.subscribe(topic, envelope -> {
                deliveredOn[0] = Thread.currentThread();
                listener.onMessage(envelope);
            })) {
                shared.publish(topic, new TrackingMessage.DriverAssigned(topic.id(), "d-1")).toCompletableFuture().join();
                listener.next();
            }
            org.junit.jupiter.api.Assertions.assertTrue(
                    deliveredOn[0].getName().startsWith(TrackingResources.DELIVERY_THREAD_PREFIX), deliveredOn[0].getName());

            shared.close();

            java.util.concurrent.CompletableFuture<Boolean> ran = new java.util.concurrent.CompletableFuture<>();
            resources.deliveryExecutor().execute(() -> ran.complete(true));
            org.junit.jupiter.api.Assertions.assertTrue(ran.get(10, java.util.concurrent.TimeUnit.SECONDS),
                    "the shared delivery threads outlive the bus");
        }
    }
}
