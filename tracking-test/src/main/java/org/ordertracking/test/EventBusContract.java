package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.PowerCut;
import org.ordertracking.core.PowerRisk;
import org.ordertracking.core.SignalState;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;

/**
 * The behaviour every {@link EventBus} must have. An implementation's test subclasses this and
 * provides {@link #createBus()}; the in-memory bus and the Redis bus (standalone and Cluster) run it.
 *
 * <p>A bus must deliver every message published after {@code subscribe} returned (a networked bus
 * waits for the broker to confirm a new channel's subscription before returning).
 *
 * @since 0.1.0
 */
public abstract class EventBusContract {

    /** For subclasses: one per implementation under test. */
    protected EventBusContract() {
    }

    protected static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    protected EventBus bus;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private int topics;

    /** Returns a new bus; called before each test and closed after it. */
    protected abstract EventBus createBus();

    @BeforeEach
    void setUpBus() {
        bus = createBus();
    }

    @AfterEach
    void tearDownBus() {
        bus.close();
    }

    /** Returns an order topic unique to this test. */
    protected Topic newTopic() {
        return Topic.order("bus-" + runId + "-" + (++topics));
    }

    protected static TrackingMessage status(String orderId, long seq) {
        return new TrackingMessage.StatusUpdate(new OrderEvent(orderId, seq, seq == 1 ? OrderStatus.RECEIVED
                : OrderStatus.ACCEPTED, seq == 1 ? null : OrderStatus.RECEIVED, null, null, T0.plusSeconds(seq)));
    }

    protected void publish(Topic topic, TrackingMessage message) {
        bus.publish(topic, message).toCompletableFuture().join();
    }

    @Test
    void publish_toSubscriber_deliversTheSameMessageAndJson() {
        Topic topic = newTopic();
        RecordingListener listener = new RecordingListener();
        try (Subscription subscription = bus.subscribe(topic, listener)) {
            assertEquals(topic, subscription.topic());
            TrackingMessage message = status(topic.id(), 1);
            Envelope sent = Envelope.of(topic, message);

            bus.publish(sent).toCompletableFuture().join();

            Envelope got = listener.next();
            assertEquals(topic, got.topic());
            assertEquals(sent.json(), got.json());
            assertEquals("status", got.type());
        }
    }

    @Test
    void publish_everyMessageType_roundTrips() {
        Topic topic = newTopic();
        RecordingListener listener = new RecordingListener();
        List<TrackingMessage> messages = List.of(
                status(topic.id(), 1),
                new TrackingMessage.LocationUpdate(topic.id(), "d-1",
                        new LocationFix(33.8938, 35.5018, 8.0, null, null, T0, T0), 420L),
                new TrackingMessage.SignalUpdate(topic.id(), SignalState.LOW_COVERAGE, T0, 47L),
                new TrackingMessage.DriverAssigned(topic.id(), "d-1"));
        try (Subscription ignored = bus.subscribe(topic, listener)) {
            for (TrackingMessage message : messages) {
                publish(topic, message);
            }
            for (TrackingMessage message : messages) {
                Envelope got = listener.next();
                assertEquals(message.type(), got.type());
                assertEquals(Envelope.of(topic, message).json(), got.json());
                assertEquals(message.orderId(), got.message().orderId());
            }
        }
    }

    @Test
    void publish_orderAtRisk_onTheOperationsTopic_arrivesWhole() {
        String orderId = "bus-" + runId + "-risk";
        PowerRisk risk = new PowerRisk(orderId, "r-1", T0, new PowerCut("hamra", T0.plusSeconds(600),
                T0.plusSeconds(2400), PowerCut.Kind.DAILY), PowerRisk.Reason.PLACED_BEFORE_CUT, T0.plusSeconds(5));
        TrackingMessage message = new TrackingMessage.OrderAtRisk(risk);
        RecordingListener listener = new RecordingListener();
        try (Subscription ignored = bus.subscribe(Topic.operations(), listener)) {
            publish(Topic.operations(), message);
            Envelope got = listener.next();
            assertEquals(Topic.operations(), got.topic());
            assertEquals("order_at_risk", got.type());
            assertEquals(Envelope.of(Topic.operations(), message).json(), got.json());
            assertEquals(message, got.message());
        }
    }

    @Test
    void publish_withoutSubscribers_completesNormally() {
        publish(newTopic(), status("nobody", 1));
    }

    @Test
    void publish_manyMessages_arriveInPublishOrder() {
        Topic topic = newTopic();
        RecordingListener listener = new RecordingListener();
        try (Subscription ignored = bus.subscribe(topic, listener)) {
            int count = 500;
            for (int seq = 1; seq <= count; seq++) {
                bus.publish(topic, status(topic.id(), seq));
            }
            for (int seq = 1; seq <= count; seq++) {
                TrackingMessage.StatusUpdate got = (TrackingMessage.StatusUpdate) listener.next().message();
                assertEquals(seq, got.event().seq());
            }
        }
    }

    @Test
    void subscribe_receivesOnlyItsOwnTopic() {
        Topic mine = newTopic();
        Topic other = newTopic();
        RecordingListener listener = new RecordingListener();
        try (Subscription ignored = bus.subscribe(mine, listener)) {
            publish(other, status(other.id(), 1));
            publish(mine, status(mine.id(), 2));
            assertEquals(mine.id(), listener.next().message().orderId());
            assertNull(listener.poll(), "nothing from the other topic");
        }
    }

    @Test
    void subscribe_restaurantAndDriverTopics_areDistinctFromOrderTopics() {
        String id = "same-" + runId;
        RecordingListener restaurant = new RecordingListener();
        RecordingListener driver = new RecordingListener();
        try (Subscription a = bus.subscribe(Topic.restaurant(id), restaurant);
                Subscription b = bus.subscribe(Topic.driver(id), driver)) {
            publish(Topic.order(id), status(id, 1));
            publish(Topic.restaurant(id), status(id, 2));
            publish(Topic.driver(id), new TrackingMessage.DriverAssigned("o-1", id));
            assertEquals("status", restaurant.next().type());
            assertEquals("assignment", driver.next().type());
            assertNull(restaurant.poll());
            assertNull(driver.poll());
        }
    }

    @Test
    void manySubscribers_onOneTopic_allReceive() {
        Topic topic = newTopic();
        List<RecordingListener> listeners = new ArrayList<>();
        List<Subscription> subscriptions = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            RecordingListener listener = new RecordingListener();
            listeners.add(listener);
            subscriptions.add(bus.subscribe(topic, listener));
        }
        try {
            publish(topic, status(topic.id(), 1));
            for (RecordingListener listener : listeners) {
                assertEquals(1, ((TrackingMessage.StatusUpdate) listener.next().message()).event().seq());
            }
        } finally {
            subscriptions.forEach(Subscription::close);
        }
    }

    @Test
    void close_subscription_stopsDeliveryAndIsIdempotent() {
        Topic topic = newTopic();
        RecordingListener closed = new RecordingListener();
        RecordingListener open = new RecordingListener();
        Subscription subscription = bus.subscribe(topic, closed);
        try (Subscription ignored = bus.subscribe(topic, open)) {
            publish(topic, status(topic.id(), 1));
            closed.next();
            open.next();

            assertDoesNotThrow(subscription::close);
            assertDoesNotThrow(subscription::close, "a second close is a no-op");
            publish(topic, status(topic.id(), 2));

            assertEquals(2, ((TrackingMessage.StatusUpdate) open.next().message()).event().seq());
            // a closed subscription must miss seq 3 for good: publish it, wait until `open` has it (so
            // the bus had every chance to deliver it), then `closed` must still have nothing
            publish(topic, status(topic.id(), 3));
            open.next();
            assertNull(closed.poll(), "a closed subscription receives nothing more");
        }
    }

    @Test
    void throwingListener_doesNotAffectPublisherOrOthers() {
        Topic topic = newTopic();
        RecordingListener healthy = new RecordingListener();
        try (Subscription a = bus.subscribe(topic, envelope -> {
                    throw new IllegalStateException("listener bug");
                });
                Subscription b = bus.subscribe(topic, healthy)) {
            publish(topic, status(topic.id(), 1));
            publish(topic, status(topic.id(), 2));
            assertEquals(2, healthy.await(2).size());
        }
    }

    @Test
    void slowListener_doesNotDelayOthers() throws Exception {
        Topic topic = newTopic();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch slowEntered = new CountDownLatch(1);
        RecordingListener fast = new RecordingListener();
        try (Subscription a = bus.subscribe(topic, envelope -> {
                    slowEntered.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                Subscription b = bus.subscribe(topic, fast)) {
            publish(topic, status(topic.id(), 1));
            assertTrue(slowEntered.await(10, TimeUnit.SECONDS));
            for (int seq = 2; seq <= 20; seq++) {
                publish(topic, status(topic.id(), seq));
            }
            assertEquals(20, fast.await(20).size(), "the fast listener got everything while the slow one hung");
        } finally {
            release.countDown();
        }
    }

    @Test
    void subscribeAndUnsubscribe_whileMessagesFlow_isSafe() throws Exception {
        Topic topic = newTopic();
        RecordingListener steady = new RecordingListener();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger published = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (Subscription ignored = bus.subscribe(topic, steady)) {
            Future<?> publisher = pool.submit(() -> {
                for (int seq = 1; seq <= 300; seq++) {
                    bus.publish(topic, status(topic.id(), seq)).toCompletableFuture().join();
                    published.incrementAndGet();
                }
                running.set(false);
                return null;
            });
            List<Future<?>> churners = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                churners.add(pool.submit(() -> {
                    while (running.get()) {
                        bus.subscribe(topic, new RecordingListener()).close();
                    }
                    return null;
                }));
            }
            publisher.get(60, TimeUnit.SECONDS);
            for (Future<?> churner : churners) {
                churner.get(60, TimeUnit.SECONDS);
            }
            List<Envelope> got = steady.await(300);
            for (int i = 0; i < got.size(); i++) {
                assertEquals(i + 1, ((TrackingMessage.StatusUpdate) got.get(i).message()).event().seq());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void close_bus_isIdempotentAndRefusesPublishing() {
        EventBus other = createBus();
        assertDoesNotThrow(other::close);
        assertDoesNotThrow(other::close, "a second close is a no-op");
        Topic topic = newTopic();
        CompletionException e = assertThrows(CompletionException.class,
                () -> other.publish(topic, status(topic.id(), 1)).toCompletableFuture().join());
        assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
    }

    /**
     * "Accepted on return": a stage that is complete when {@code publish} returns must be complete
     * normally, and the message then reaches the subscriber, exactly as if the caller had waited.
     */
    @Test
    void publish_stageCompleteOnReturn_isNormalAndTheMessageArrives() {
        Topic topic = newTopic();
        RecordingListener listener = new RecordingListener();
        try (Subscription ignored = bus.subscribe(topic, listener)) {
            for (long seq = 1; seq <= 20; seq++) {
                java.util.concurrent.CompletableFuture<Void> stage =
                        bus.publish(topic, status(topic.id(), seq)).toCompletableFuture();
                if (stage.isDone()) {
                    assertTrue(!stage.isCompletedExceptionally(), "a stage complete on return must be normal: " + stage);
                } else {
                    stage.join();
                }
            }
            for (long seq = 1; seq <= 20; seq++) {
                assertEquals(seq, ((TrackingMessage.StatusUpdate) listener.next().message()).event().seq());
            }
        }
    }

    /**
     * A returned stage may be shared between publishes: what a caller does to the future it gets from
     * {@code toCompletableFuture()} never changes what another publish returns. A bus may give each
     * caller its own copy, or share one future and refuse to have it obtruded.
     */
    @Test
    void publish_obtrudingOneReturnedFuture_doesNotAffectAnotherPublish() {
        Topic topic = newTopic();
        java.util.concurrent.CompletableFuture<Void> first =
                bus.publish(topic, status(topic.id(), 1)).toCompletableFuture();
        try {
            first.obtrudeException(new IllegalStateException("obtruded by a careless caller"));
        } catch (UnsupportedOperationException refusedBecauseShared) {
            // allowed: the bus shares one future between publishes and protects it
        }
        java.util.concurrent.CompletableFuture<Void> second =
                bus.publish(topic, status(topic.id(), 2)).toCompletableFuture();
        assertNull(second.join(), "the second publish is accepted whatever happened to the first's future");
    }

    /** A closed bus never returns a stage that is complete normally: that would claim acceptance. */
    @Test
    void publish_onClosedBus_neverCompletesNormally() {
        EventBus other = createBus();
        other.close();
        Topic topic = newTopic();
        java.util.concurrent.CompletableFuture<Void> stage =
                other.publish(topic, status(topic.id(), 1)).toCompletableFuture();
        assertTrue(!stage.isDone() || stage.isCompletedExceptionally(), "done normally on a closed bus: " + stage);
        assertThrows(CompletionException.class, stage::join);
    }
}
