package org.ordertracking.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.RetentionConfig;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackerClosedException;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.UnknownOrderException;

/** The retention policy as the tracker runs it, on the in-memory repository and a settable clock. */
class OrderTrackerRetentionTest {
    private static final GeoPoint HAMRA = new GeoPoint(33.8966, 35.4823);

    private final SettableClock clock = SettableClock.at("2026-11-24T10:00:00.250Z");
    private final List<AutoCloseable> closing = new ArrayList<>();
    private EventBus bus;
    private final RecordingListener operations = new RecordingListener();

    @BeforeEach
    void setUp() {
        bus = EventBus.inMemory();
        closing.add(bus);
        closing.add(0, bus.subscribe(Topic.operations(), operations));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private OrderTracker tracker(OrderTracker.Builder builder) {
        OrderTracker tracker = builder.eventBus(bus).clock(clock).build();
        closing.add(0, tracker);
        return tracker;
    }

    private static NewOrder order(String id) {
        return new NewOrder(id, "r-1", "c-" + id, HAMRA);
    }

    private static void deliver(OrderTracker tracker, String id) {
        for (OrderStatus status : List.of(OrderStatus.ACCEPTED, OrderStatus.PREPARING, OrderStatus.READY,
                OrderStatus.PICKED_UP, OrderStatus.DELIVERED)) {
            tracker.transition(id, status);
        }
    }

    @Test
    void inMemoryRepository_retentionIsOnByDefault() {
        OrderTracker tracker = tracker(OrderTracker.builder());
        assertEquals(RetentionConfig.defaults(), tracker.retention());
        assertEquals(RetentionConfig.defaults(), OrderRepository.inMemory().defaultRetention());
    }

    @Test
    void purgeExpired_removesOrdersFinishedLongerAgoThanMaxAge_andTellsOperators() {
        OrderTracker tracker = tracker(OrderTracker.builder());
        tracker.register(order("o-delivered"));
        deliver(tracker, "o-delivered");
        tracker.register(order("o-failed"));
        tracker.transition("o-failed", OrderStatus.FAILED, "closed", "restaurant:r-1");
        tracker.register(order("o-live"));
        tracker.transition("o-live", OrderStatus.ACCEPTED);
        Instant finished = clock.instant();

        clock.advance(Duration.ofHours(24));
        assertEquals(0, tracker.purgeExpired(), "finished exactly 24 hours ago is not older than 24 hours");
        clock.advance(Duration.ofMillis(1));
        assertEquals(2, tracker.purgeExpired());

        assertTrue(tracker.find("o-delivered").isEmpty());
        assertEquals(List.of(), tracker.history("o-failed"));
        assertThrows(UnknownOrderException.class, () -> tracker.transition("o-failed", OrderStatus.FAILED));
        assertEquals(OrderStatus.ACCEPTED, tracker.order("o-live").status());
        assertEquals(2, tracker.purgedOrders());
        Envelope envelope = operations.next();
        assertEquals(Topic.operations(), envelope.topic());
        assertEquals(new TrackingMessage.RetentionPurged(2, finished.plusMillis(1), clock.instant()),
                envelope.message());
        assertNull(envelope.message().orderId());

        assertEquals(0, tracker.purgeExpired());
        assertNull(operations.poll(), "a run that purges nothing announces nothing");
    }

    @Test
    void start_runsThePurgeEveryInterval() {
        OrderTracker tracker = tracker(OrderTracker.builder()
                .retention(RetentionConfig.builder().interval(Duration.ofMillis(20)).build()));
        tracker.register(order("o-1"));
        tracker.transition("o-1", OrderStatus.FAILED);
        clock.advance(Duration.ofDays(2));

        tracker.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> tracker.find("o-1").isEmpty());
        assertEquals(1, tracker.purgedOrders());
        assertEquals(1, ((TrackingMessage.RetentionPurged) operations.next().message()).purged());
    }

    @Test
    void oneRun_takesAtMostTenBatches_andTheNextRunTheRest() {
        OrderTracker tracker = tracker(OrderTracker.builder()
                .retention(RetentionConfig.builder().batchSize(2).build()));
        for (int i = 0; i < 25; i++) {
            tracker.register(order("o-" + i));
            tracker.transition("o-" + i, OrderStatus.FAILED);
        }
        clock.advance(Duration.ofDays(2));

        assertEquals(20, tracker.purgeExpired());
        assertEquals(5, tracker.purgeExpired());
        assertEquals(0, tracker.purgeExpired());
        assertEquals(25, tracker.purgedOrders());
    }

    @Test
    void retentionDisabled_keepsEveryOrder_andARunIsRefused() {
        OrderTracker tracker = tracker(OrderTracker.builder().retention(RetentionConfig.disabled()));
        tracker.register(order("o-1"));
        tracker.transition("o-1", OrderStatus.FAILED);
        clock.advance(Duration.ofDays(400));

        IllegalStateException refused = assertThrows(IllegalStateException.class, tracker::purgeExpired);

        assertTrue(refused.getMessage().contains("disabled"), refused.getMessage());
        assertEquals(OrderStatus.FAILED, tracker.order("o-1").status());
        assertFalse(tracker.retention().enabled());
    }

    @Test
    void purgeExpired_busRefusesTheAnnouncement_stillPurgesAndCounts() {
        EventBus broken = new EventBus() {
            @Override
            public CompletionStage<Void> publish(Envelope envelope) {
                if (envelope.topic().equals(Topic.operations())) {
                    return CompletableFuture.failedFuture(new IllegalStateException("bus down"));
                }
                return bus.publish(envelope);
            }

            @Override
            public Subscription subscribe(Topic topic, org.ordertracking.core.BusListener listener) {
                return bus.subscribe(topic, listener);
            }

            @Override
            public void close() {
            }
        };
        OrderTracker tracker = OrderTracker.builder().eventBus(broken).clock(clock).build();
        closing.add(0, tracker);
        tracker.register(order("o-1"));
        tracker.transition("o-1", OrderStatus.FAILED);
        clock.advance(Duration.ofDays(2));

        assertEquals(1, tracker.purgeExpired());

        assertEquals(1, tracker.purgedOrders());
        assertTrue(tracker.find("o-1").isEmpty());
    }

    @Test
    void purgeExpired_afterClose_isRefused() {
        OrderTracker tracker = tracker(OrderTracker.builder());
        tracker.close();
        assertThrows(TrackerClosedException.class, tracker::purgeExpired);
    }

    @Test
    void builder_nullRetention_isRejected() {
        assertThrows(NullPointerException.class, () -> OrderTracker.builder().retention(null));
    }
}
