package org.ordertracking.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.test.EventBusContract;
import org.ordertracking.test.RecordingListener;

/**
 * The {@link EventBusContract} plus what only a networked bus has: several nodes, one Redis
 * subscription per channel, channels released when their last listener leaves. Run on standalone
 * Redis and on Redis Cluster (sharded Pub/Sub).
 */
abstract class AbstractRedisEventBusIT extends EventBusContract {
    /** Channel prefix of this test, so that tests never see each other's channels. */
    protected final String prefix = RedisTestSupport.uniquePrefix();
    private final List<EventBus> extraBuses = new ArrayList<>();

    /** Returns a new bus (a "node") on the Redis under test, with the caller-owned client. */
    protected abstract RedisEventBus newBus(RedisEventBusConfig config);

    /** Returns the channels Redis has subscribers for, matching {@code pattern} (across the cluster). */
    protected abstract Set<String> redisChannels(String pattern);

    /** Returns how many connections are subscribed to {@code channel}. */
    protected abstract long redisSubscribers(String channel);

    /** Publishes a raw payload on {@code channel}, bypassing the bus. */
    protected abstract void rawPublish(String channel, String payload);

    protected RedisEventBusConfig config() {
        return RedisEventBusConfig.builder().channelPrefix(prefix).build();
    }

    @Override
    protected EventBus createBus() {
        return newBus(config());
    }

    /** Returns a second node; closed after the test. */
    protected RedisEventBus otherNode(RedisEventBusConfig config) {
        RedisEventBus bus = newBus(config);
        extraBuses.add(bus);
        return bus;
    }

    @AfterEach
    void closeExtraBusesAndCheckNothingIsLeft() {
        extraBuses.forEach(EventBus::close);
        bus.close();
        await("no channel of " + prefix + " left subscribed").atMost(Duration.ofSeconds(10))
                .until(() -> redisChannels(prefix + "*").isEmpty());
    }

    @Test
    void publish_onOneNode_reachesListenersOnEveryNode() {
        RedisEventBus nodeB = otherNode(config());
        Topic topic = newTopic();
        RecordingListener onA = new RecordingListener();
        RecordingListener onB = new RecordingListener();
        try (Subscription a = bus.subscribe(topic, onA); Subscription b = nodeB.subscribe(topic, onB)) {
            publish(topic, status(topic.id(), 1));
            nodeB.publish(topic, status(topic.id(), 2)).toCompletableFuture().join();

            for (RecordingListener listener : List.of(onA, onB)) {
                List<Envelope> got = listener.await(2);
                assertEquals(1, ((TrackingMessage.StatusUpdate) got.get(0).message()).event().seq());
                assertEquals(2, ((TrackingMessage.StatusUpdate) got.get(1).message()).event().seq());
            }
        }
    }

    @Test
    void driverInstructions_publishedOnOneNode_arriveUnchangedOnAnother() {
        RedisEventBus nodeB = otherNode(config());
        Topic driver = Topic.driver(newTopic().id());
        String orderId = "o-" + driver.id();
        List<TrackingMessage> sent = List.of(
                new TrackingMessage.DriverAssigned(orderId, driver.id()),
                new TrackingMessage.DriverUnassigned(orderId, driver.id()),
                new TrackingMessage.OrderCancelled(orderId, driver.id()));
        RecordingListener onA = new RecordingListener();
        try (Subscription a = bus.subscribe(driver, onA)) {
            for (TrackingMessage message : sent) {
                nodeB.publish(driver, message).toCompletableFuture().join();
            }

            List<Envelope> got = onA.await(sent.size());
            for (int i = 0; i < sent.size(); i++) {
                assertEquals(sent.get(i), got.get(i).message());
                assertEquals(sent.get(i).type(), got.get(i).type());
                assertEquals(Envelope.of(driver, sent.get(i)).json(), got.get(i).json());
            }
        }
    }

    @Test
    void retentionPurged_onTheOperationsTopic_arrivesUnchangedOnAnotherNode() {
        RedisEventBus nodeB = otherNode(config());
        TrackingMessage purged = new TrackingMessage.RetentionPurged(17,
                java.time.Instant.parse("2026-11-23T10:00:00Z"), java.time.Instant.parse("2026-11-24T10:00:00.250Z"));
        RecordingListener onA = new RecordingListener();
        try (Subscription a = bus.subscribe(Topic.operations(), onA)) {
            nodeB.publish(Topic.operations(), purged).toCompletableFuture().join();

            Envelope got = onA.next();
            assertEquals(Topic.operations(), got.topic());
            assertEquals(purged, got.message());
            assertEquals(Envelope.of(Topic.operations(), purged).json(), got.json());
        }
    }

    @Test
    void subscribe_manyLocalListeners_shareOneRedisSubscription() {
        RedisEventBus nodeB = otherNode(config());
        Topic topic = newTopic();
        String channel = ((RedisEventBus) bus).channelOf(topic);
        List<Subscription> subscriptions = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                subscriptions.add(bus.subscribe(topic, new RecordingListener()));
                subscriptions.add(nodeB.subscribe(topic, new RecordingListener()));
            }
            assertEquals(2, redisSubscribers(channel), "one subscribed connection per node, not per listener");
            assertEquals(20, ((RedisEventBus) bus).listenerCount(topic));
        } finally {
            subscriptions.forEach(Subscription::close);
        }
    }

    @Test
    void close_lastListenerOfAChannel_unsubscribesTheChannel() {
        Topic topic = newTopic();
        Topic kept = newTopic();
        RedisEventBus redisBus = (RedisEventBus) bus;
        String channel = redisBus.channelOf(topic);
        Subscription first = bus.subscribe(topic, new RecordingListener());
        Subscription second = bus.subscribe(topic, new RecordingListener());
        try (Subscription other = bus.subscribe(kept, new RecordingListener())) {
            assertEquals(Set.of(channel, redisBus.channelOf(kept)), redisChannels(prefix + "*"));

            first.close();
            assertTrue(redisBus.subscribed(topic), "one listener is left");
            assertEquals(1, redisSubscribers(channel));

            second.close();
            assertTrue(!redisBus.subscribed(topic));
            await(channel + " unsubscribed").atMost(Duration.ofSeconds(10))
                    .until(() -> redisChannels(prefix + "*").equals(Set.of(redisBus.channelOf(kept))));
        }
    }

    @Test
    void subscribe_afterTheChannelWasReleased_subscribesAgain() {
        Topic topic = newTopic();
        bus.subscribe(topic, new RecordingListener()).close();
        RecordingListener listener = new RecordingListener();
        try (Subscription ignored = bus.subscribe(topic, listener)) {
            publish(topic, status(topic.id(), 7));
            assertEquals(7, ((TrackingMessage.StatusUpdate) listener.next().message()).event().seq());
        }
    }

    @Test
    void publish_payload_isTheTypeLineThenTheJson() {
        Topic topic = newTopic();
        RedisEventBus redisBus = (RedisEventBus) bus;
        RecordingListener listener = new RecordingListener();
        try (Subscription ignored = bus.subscribe(topic, listener)) {
            TrackingMessage message = status(topic.id(), 1);
            String json = Envelope.of(topic, message).json();
            rawPublish(redisBus.channelOf(topic), "status\n" + json);
            Envelope got = listener.next();
            assertEquals(json, got.json());
            assertEquals(message, got.message());
        }
    }

    @Test
    void receive_malformedPayload_isDroppedAndLaterMessagesArrive() {
        Topic topic = newTopic();
        RedisEventBus redisBus = (RedisEventBus) bus;
        RecordingListener listener = new RecordingListener();
        try (Subscription ignored = bus.subscribe(topic, listener)) {
            rawPublish(redisBus.channelOf(topic), "no type line");
            rawPublish(redisBus.channelOf(topic), "status\n{not json");
            rawPublish(redisBus.channelOf(topic), "bogus\n{}");
            publish(topic, status(topic.id(), 3));
            assertEquals(3, ((TrackingMessage.StatusUpdate) listener.next().message()).event().seq());
            assertNull(listener.poll());
        }
    }

    @Test
    void operationsTopic_reachesEveryNode_andMisplacedMessagesAreDropped() {
        RedisEventBus nodeB = otherNode(config());
        RedisEventBus redisBus = (RedisEventBus) bus;
        java.time.Instant at = java.time.Instant.parse("2026-12-02T12:00:00Z");
        TrackingMessage offline = new TrackingMessage.RestaurantOffline("r-1", at.minusSeconds(180), null, 2, at);
        TrackingMessage stuck = new TrackingMessage.OrderStuck("o-1", "r-1", null,
                org.ordertracking.core.OrderStatus.READY, at.minusSeconds(900), 900, at);
        RecordingListener operators = new RecordingListener();
        RecordingListener board = new RecordingListener();
        try (Subscription a = nodeB.subscribe(Topic.operations(), operators);
                Subscription b = nodeB.subscribe(Topic.restaurant("r-1"), board)) {
            // an order's status on the operations channel, another restaurant's change on r-1's, trailing data
            rawPublish(redisBus.channelOf(Topic.operations()), "status\n" + Envelope.of(Topic.order("o-1"),
                    status("o-1", 1)).json());
            rawPublish(redisBus.channelOf(Topic.restaurant("r-1")), "restaurant_offline\n"
                    + Envelope.of(Topic.restaurant("r-2"), new TrackingMessage.RestaurantOffline("r-2", at, null, 1, at))
                            .json());
            rawPublish(redisBus.channelOf(Topic.operations()), "order_stuck\n{\"order_id\":\"o-1\"}");
            bus.publish(Topic.operations(), offline).toCompletableFuture().join();
            bus.publish(Topic.restaurant("r-1"), offline).toCompletableFuture().join();
            bus.publish(Topic.operations(), stuck).toCompletableFuture().join();

            Envelope first = operators.next();
            assertEquals("restaurant_offline", first.type());
            assertEquals(offline, first.message());
            assertEquals(stuck, operators.next().message());
            assertEquals(offline, board.next().message());
            assertNull(operators.poll());
            assertNull(board.poll());
            await().atMost(Duration.ofSeconds(10)).until(() -> nodeB.malformedDropped() == 3);
        }
    }

    @Test
    void listenerOverItsLag_dropsAndSignalsAGap_withoutDelayingOtherListeners() throws Exception {
        RedisEventBus small = otherNode(config().toBuilder().bufferSize(2).build());
        Topic topic = newTopic();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch gap = new CountDownLatch(1);
        RecordingListener fast = new RecordingListener();
        BusListener slow = new BusListener() {
            @Override
            public void onMessage(Envelope envelope) {
                entered.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onGap(Topic t) {
                gap.countDown();
            }
        };
        try (Subscription a = small.subscribe(topic, slow); Subscription b = small.subscribe(topic, fast)) {
            small.publish(topic, status(topic.id(), 1)).toCompletableFuture().join();
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            fast.next();
            for (int seq = 2; seq <= 10; seq++) {
                small.publish(topic, status(topic.id(), seq)).toCompletableFuture().join();
                // the fast listener keeps up (one message at a time), the slow one falls more than its lag behind
                assertEquals(seq, ((TrackingMessage.StatusUpdate) fast.next().message()).event().seq());
            }
            release.countDown();
            assertTrue(gap.await(10, TimeUnit.SECONDS), "the slow listener is told it missed messages");
        } finally {
            release.countDown();
        }
    }

    @Test
    void close_bus_leavesTheCallersClientUsable() {
        RedisEventBus first = newBus(config());
        assertDoesNotThrow(first::close);
        assertDoesNotThrow(first::close, "a second close is a no-op");
        RecordingListener listener = new RecordingListener();
        Topic topic = newTopic();
        try (Subscription ignored = bus.subscribe(topic, listener)) {
            publish(topic, status(topic.id(), 1));
            listener.next();
        }
    }
}
