package org.ordertracking.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;

/**
 * A private {@code redis-server} is killed (SIGKILL, like a power cut) and restarted on the same
 * port while buses are subscribed: they reconnect, re-subscribe, tell every listener it may have
 * missed messages, and deliver what is published afterwards.
 */
class RedisOutageIT {
    private static LocalRedisServers servers;
    private static int port;
    private static Process server;
    private static RedisClient client;

    @BeforeAll
    static void startServer() {
        servers = new LocalRedisServers();
        port = LocalRedisServers.freePort();
        server = servers.start(port);
        RedisURI uri = RedisURI.create("127.0.0.1", port);
        uri.setTimeout(Duration.ofSeconds(10));
        client = RedisClient.create(uri);
    }

    @AfterAll
    static void stopServer() {
        try {
            if (client != null) {
                client.shutdown();
            }
        } finally {
            if (servers != null) {
                servers.close();
            }
        }
    }

    @Test
    void serverRestart_busReconnectsResubscribesSignalsGapsAndDeliversLaterMessages() throws Exception {
        RedisEventBusConfig config = RedisEventBusConfig.builder().channelPrefix(RedisTestSupport.uniquePrefix()).build();
        Topic order = Topic.order("o-outage");
        Topic restaurant = Topic.restaurant("r-outage");
        try (RedisEventBus subscriberNode = RedisEventBus.create(client, config);
                RedisEventBus publisherNode = RedisEventBus.create(client, config)) {
            GapRecorder orderListener = new GapRecorder();
            GapRecorder restaurantListener = new GapRecorder();
            try (Subscription a = subscriberNode.subscribe(order, orderListener);
                    Subscription b = subscriberNode.subscribe(restaurant, restaurantListener)) {
                publisherNode.publish(order, RedisTestSupport.status(order.id(), 2)).toCompletableFuture().join();
                assertEquals(2, ((TrackingMessage.StatusUpdate) orderListener.messages.next().message()).event().seq());

                LocalRedisServers.kill(server);
                server = servers.start(port);

                assertTrue(orderListener.awaitGap(60), "onGap after the subscription came back");
                assertTrue(restaurantListener.awaitGap(60), "every topic's listeners are told");
                publisherNode.publish(order, RedisTestSupport.status(order.id(), 3)).toCompletableFuture().join();
                publisherNode.publish(restaurant, RedisTestSupport.status(order.id(), 4)).toCompletableFuture().join();
                assertEquals(3, ((TrackingMessage.StatusUpdate) orderListener.messages.next().message()).event().seq());
                assertEquals(4,
                        ((TrackingMessage.StatusUpdate) restaurantListener.messages.next().message()).event().seq());
                assertEquals(1, orderListener.messages.gaps());
            }
        }
    }

    @Test
    void subscribe_whileRedisIsDown_returnsAfterTheTimeoutAndSignalsAGapOnceSubscribed() throws Exception {
        RedisEventBusConfig config = RedisEventBusConfig.builder().channelPrefix(RedisTestSupport.uniquePrefix())
                .subscribeTimeout(Duration.ofMillis(300)).build();
        Topic order = Topic.order("o-down");
        try (RedisEventBus subscriberNode = RedisEventBus.create(client, config);
                RedisEventBus publisherNode = RedisEventBus.create(client, config)) {
            LocalRedisServers.kill(server);
            GapRecorder listener = new GapRecorder();
            try (Subscription ignored = subscriberNode.subscribe(order, listener)) {
                server = servers.start(port);
                assertTrue(listener.awaitGap(60), "onGap once the subscription is confirmed");
                publisherNode.publish(order, RedisTestSupport.status(order.id(), 2)).toCompletableFuture().join();
                assertEquals(2, ((TrackingMessage.StatusUpdate) listener.messages.next().message()).event().seq());
            }
        } finally {
            if (!server.isAlive()) {
                server = servers.start(port);
            }
        }
    }

    @Test
    void serverRestart_storeWritesAgainAfterReconnect() {
        RedisLocationStoreConfig config = RedisLocationStoreConfig.builder().keyPrefix(RedisTestSupport.uniquePrefix()).build();
        try (RedisLocationStore store = RedisLocationStore.create(client, config)) {
            Instant t = Instant.parse("2026-11-24T10:00:00Z");
            assertTrue(store.putIfNewer("d-1", LocationFix.of(33.9, 35.5, t, t)).toCompletableFuture().join());

            LocalRedisServers.kill(server);
            server = servers.start(port);

            // the restarted server lost its data and its script cache; the write reloads the script
            LocationFix after = LocationFix.of(33.91, 35.51, t.plusSeconds(5), t.plusSeconds(5));
            assertTrue(store.putIfNewer("d-1", after).toCompletableFuture().join());
            assertEquals(Optional.of(after), store.get("d-1"));
        }
    }
}
