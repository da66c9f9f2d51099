package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.DriverChange;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.IllegalTransitionException;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStateMachine;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.TrackerClosedException;
import org.ordertracking.core.TrackerListener;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.UnknownOrderException;

class OrderTrackerTest {
    private static final GeoPoint HAMRA = new GeoPoint(33.8966, 35.4823);

    private final SettableClock clock = SettableClock.at("2026-11-24T10:00:00Z");
    private OrderRepository repository;
    private EventBus bus;
    private OrderTracker tracker;

    @BeforeEach
    void setUp() {
        repository = OrderRepository.inMemory();
        bus = EventBus.inMemory();
        tracker = OrderTracker.builder().repository(repository).eventBus(bus).clock(clock).build();
    }

    @AfterEach
    void tearDown() {
        tracker.close();
        bus.close();
    }

    private static NewOrder order(String id) {
        return new NewOrder(id, "r-1", "c-1", HAMRA);
    }

    private static long seqOf(Envelope envelope) {
        return ((TrackingMessage.StatusUpdate) envelope.message()).event().seq();
    }

    @Test
    void now_clockMovingBothWays_isTheClocksMillisecondEachTime() {
        java.time.Instant base = java.time.Instant.parse("2026-11-24T10:00:00.123456789Z");
        long[] offsetsNanos = {0, 1, 999_999, 1_000_000, -1, -5_000_000, 0, 3_000_000_000L, -1_000_001};
        for (long offset : offsetsNanos) {
            java.time.Instant at = base.plusNanos(offset);
            clock.set(at);
            assertEquals(at.truncatedTo(java.time.temporal.ChronoUnit.MILLIS), tracker.now(), at.toString());
        }
        clock.set(java.time.Instant.parse("1969-12-31T23:59:59.999500Z"));
        assertEquals(java.time.Instant.parse("1969-12-31T23:59:59.999Z"), tracker.now());
    }

    @Test
    void register_publishesReceivedEventOnOrderAndRestaurantTopics() {
        RecordingListener orderTopic = new RecordingListener();
        RecordingListener restaurantTopic = new RecordingListener();
        try (Subscription a = bus.subscribe(Topic.order("o-1"), orderTopic);
                Subscription b = bus.subscribe(Topic.restaurant("r-1"), restaurantTopic)) {
            TrackedOrder order = tracker.register(order("o-1"), "operator:ops");

            assertEquals(OrderStatus.RECEIVED, order.status());
            assertEquals(1, order.seq());
            Envelope got = orderTopic.next();
            assertEquals(1, seqOf(got));
            assertEquals(got.json(), restaurantTopic.next().json());
            assertEquals("operator:ops", tracker.history("o-1").get(0).actor());
        }
    }

    @Test
    void transition_publishesOnlyAfterTheEventIsStored() throws Exception {
        tracker.register(order("o-1"));
        CountDownLatch checked = new CountDownLatch(1);
        List<String> problems = new CopyOnWriteArrayList<>();
        BusListener listener = envelope -> {
            long seq = seqOf(envelope);
            if (seq == 2) {
                if (repository.events("o-1", 1).size() != 1) {
                    problems.add("event 2 was published before it was stored");
                }
                checked.countDown();
            }
        };
        try (Subscription ignored = bus.subscribe(Topic.order("o-1"), listener)) {
            OrderEvent event = tracker.transition("o-1", OrderStatus.ACCEPTED, "kitchen open", "restaurant:r-1");
            assertEquals(2, event.seq());
            assertEquals(OrderStatus.RECEIVED, event.previous());
            assertEquals(clock.instant(), event.at());
            assertTrue(checked.await(10, TimeUnit.SECONDS));
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void transition_repeat_returnsExistingEventAndPublishesNothing() {
        tracker.register(order("o-1"));
        RecordingListener listener = new RecordingListener();
        try (Subscription ignored = bus.subscribe(Topic.order("o-1"), listener)) {
            OrderEvent first = tracker.transition("o-1", OrderStatus.ACCEPTED);
            clock.advanceSeconds(5);
            OrderEvent again = tracker.transition("o-1", OrderStatus.ACCEPTED);
            tracker.transition("o-1", OrderStatus.PREPARING);

            assertEquals(first, again);
            assertEquals(2, seqOf(listener.next()));
            assertEquals(3, seqOf(listener.next()), "the repeat published nothing in between");
        }
    }

    @Test
    void transition_illegalEdge_throwsAndPublishesNothing() {
        tracker.register(order("o-1"));
        RecordingListener listener = new RecordingListener();
        try (Subscription ignored = bus.subscribe(Topic.order("o-1"), listener)) {
            IllegalTransitionException e = assertThrows(IllegalTransitionException.class,
                    () -> tracker.transition("o-1", OrderStatus.DELIVERED));
            assertEquals(OrderStatus.RECEIVED, e.current());
            tracker.transition("o-1", OrderStatus.ACCEPTED);
            assertEquals(2, seqOf(listener.next()));
        }
        assertEquals(2, tracker.history("o-1").size());
    }

    @Test
    void transition_unknownOrder_throwsUnknownOrder() {
        assertThrows(UnknownOrderException.class, () -> tracker.transition("nope", OrderStatus.ACCEPTED));
        assertThrows(UnknownOrderException.class, () -> tracker.order("nope"));
    }

    @Test
    void acceptanceTimeout_failsOrdersLeftReceived_evenAfterARestart() {
        tracker.register(order("late"));
        clock.advanceSeconds(60);
        tracker.register(order("recent"));
        tracker.register(order("accepted"));
        tracker.transition("accepted", OrderStatus.ACCEPTED);
        tracker.close();

        // the process restarts 5 minutes after the first order: a new tracker on the same store
        clock.advance(Duration.ofMinutes(4).plusSeconds(1));
        try (OrderTracker restarted = OrderTracker.builder().repository(repository).eventBus(bus).clock(clock)
                .build()) {
            assertEquals(1, restarted.failExpiredAcceptances());
            OrderEvent failed = restarted.history("late").get(1);
            assertEquals(OrderStatus.FAILED, failed.status());
            assertEquals(OrderTracker.ACCEPTANCE_TIMEOUT_REASON, failed.reason());
            assertEquals(OrderTracker.SYSTEM_ACTOR, failed.actor());
            assertEquals(OrderStatus.RECEIVED, restarted.order("recent").status());
            assertEquals(OrderStatus.ACCEPTED, restarted.order("accepted").status());

            clock.advanceSeconds(60);
            assertEquals(1, restarted.failExpiredAcceptances());
            assertEquals(OrderStatus.FAILED, restarted.order("recent").status());
            assertEquals(OrderStatus.ACCEPTED, restarted.order("accepted").status());
            assertEquals(0, restarted.failExpiredAcceptances());
        }
    }

    @Test
    void acceptanceTimeout_isConfigurable() {
        try (OrderTracker quick = OrderTracker.builder().repository(repository).eventBus(bus).clock(clock)
                .acceptanceTimeout(Duration.ofSeconds(30)).build()) {
            quick.register(order("o-1"));
            clock.advanceSeconds(30);
            assertEquals(0, quick.failExpiredAcceptances(), "exactly at the timeout it has not expired yet");
            clock.advanceSeconds(1);
            assertEquals(1, quick.failExpiredAcceptances());
        }
    }

    @Test
    void relay_afterACrashBetweenCommitAndPublish_publishesTheMissingEventsAsStored() {
        EventBus broken = new EventBus() {
            @Override
            public CompletionStage<Void> publish(Envelope envelope) {
                return CompletableFuture.failedFuture(new IllegalStateException("bus unreachable"));
            }

            @Override
            public Subscription subscribe(Topic topic, BusListener listener) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
            }
        };
        try (OrderTracker crashing = OrderTracker.builder().repository(repository).eventBus(broken).clock(clock)
                .build()) {
            crashing.register(order("o-1"));
            crashing.transition("o-1", OrderStatus.ACCEPTED);
        }
        List<OrderEvent> stored = repository.events("o-1", 0);

        RecordingListener listener = new RecordingListener();
        try (Subscription ignored = bus.subscribe(Topic.order("o-1"), listener);
                OrderTracker restarted = OrderTracker.builder().repository(repository).eventBus(bus).clock(clock)
                        .relayGrace(Duration.ZERO).build()) {
            clock.advanceSeconds(1);
            assertEquals(2, restarted.relayUnpublished());
            for (OrderEvent event : stored) {
                Envelope got = listener.next();
                assertEquals(Envelope.of(Topic.order("o-1"), new TrackingMessage.StatusUpdate(event)).json(),
                        got.json());
            }
            assertEquals(0, restarted.relayUnpublished(), "relayed events are marked published");
        }
    }

    @Test
    void relay_doesNotRepublishEventsThatWerePublished() {
        tracker.register(order("o-1"));
        tracker.transition("o-1", OrderStatus.ACCEPTED);
        clock.advance(Duration.ofMinutes(1));
        assertEquals(0, tracker.relayUnpublished());
    }

    @Test
    void relay_tellsListenersAgainSoNotificationsSurviveACrash() {
        List<OrderEvent> seen = new CopyOnWriteArrayList<>();
        EventBus failing = new EventBus() {
            @Override
            public CompletionStage<Void> publish(Envelope envelope) {
                return CompletableFuture.failedFuture(new IllegalStateException("down"));
            }

            @Override
            public Subscription subscribe(Topic topic, BusListener listener) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
            }
        };
        try (OrderTracker crashing = OrderTracker.builder().repository(repository).eventBus(failing).clock(clock)
                .build()) {
            crashing.register(order("o-1"));
        }
        try (OrderTracker restarted = OrderTracker.builder().repository(repository).eventBus(bus).clock(clock)
                .relayGrace(Duration.ZERO).listener(new TrackerListener() {
                    @Override
                    public void onEvent(TrackedOrder order, OrderEvent event) {
                        seen.add(event);
                    }
                }).build()) {
            clock.advanceSeconds(1);
            restarted.relayUnpublished();
        }
        assertEquals(1, seen.size());
        assertEquals(OrderStatus.RECEIVED, seen.get(0).status());
    }

    @Test
    void start_relaysRightAway() {
        OrderRepository shared = OrderRepository.inMemory();
        shared.create(order("o-1"), clock.instant(), null);
        RecordingListener listener = new RecordingListener();
        try (Subscription ignored = bus.subscribe(Topic.order("o-1"), listener);
                OrderTracker started = OrderTracker.builder().repository(shared).eventBus(bus).clock(clock)
                        .relayGrace(Duration.ZERO).build()) {
            clock.advanceSeconds(1);
            started.start();
            started.start();
            assertEquals(1, seqOf(listener.next()));
        }
    }

    @Test
    void assignDriver_tellsTheDriverTopicAndListeners() {
        List<TrackedOrder> assigned = new CopyOnWriteArrayList<>();
        tracker.addListener(new TrackerListener() {
            @Override
            public void onDriverAssigned(TrackedOrder order) {
                assigned.add(order);
            }
        });
        tracker.register(order("o-1"));
        RecordingListener driver = new RecordingListener();
        try (Subscription ignored = bus.subscribe(Topic.driver("d-1"), driver)) {
            DriverChange change = tracker.assignDriver("o-1", "d-1");
            assertEquals("d-1", change.order().driverId());
            assertNull(change.previousDriverId());
            Envelope got = driver.next();
            assertEquals(new TrackingMessage.DriverAssigned("o-1", "d-1"), got.message());
        }
        assertEquals(1, assigned.size());
    }

    @Test
    void assignDriver_toAnotherDriver_sendsUnassignedToThePreviousOneAndTellsListenersBoth() {
        List<String> seen = new CopyOnWriteArrayList<>();
        tracker.addListener(new TrackerListener() {
            @Override
            public void onDriverAssigned(TrackedOrder order) {
                seen.add("assigned " + order.driverId());
            }

            @Override
            public void onDriverUnassigned(TrackedOrder order, String previousDriverId) {
                seen.add("unassigned " + previousDriverId + " now " + order.driverId());
            }
        });
        tracker.register(order("o-1"));
        tracker.assignDriver("o-1", "d-1");
        RecordingListener first = new RecordingListener();
        RecordingListener second = new RecordingListener();
        try (Subscription a = bus.subscribe(Topic.driver("d-1"), first);
                Subscription b = bus.subscribe(Topic.driver("d-2"), second)) {

            DriverChange change = tracker.assignDriver("o-1", "d-2");

            assertEquals("d-1", change.previousDriverId());
            assertEquals(new TrackingMessage.DriverUnassigned("o-1", "d-1"), first.next().message());
            assertEquals(new TrackingMessage.DriverAssigned("o-1", "d-2"), second.next().message());
            assertNull(first.poll(), "the previous driver gets nothing else");
        }
        assertEquals(List.of("assigned d-1", "unassigned d-1 now d-2", "assigned d-2"), seen);
    }

    @Test
    void assignDriver_sameDriverAgain_resendsTheAssignmentAndNoUnassigned() {
        tracker.register(order("o-1"));
        tracker.assignDriver("o-1", "d-1");
        RecordingListener driver = new RecordingListener();
        try (Subscription ignored = bus.subscribe(Topic.driver("d-1"), driver)) {
            DriverChange change = tracker.assignDriver("o-1", "d-1");

            assertFalse(change.changed());
            assertEquals(new TrackingMessage.DriverAssigned("o-1", "d-1"), driver.next().message());
            assertNull(driver.poll());
        }
    }

    @Test
    void unassignDriver_sendsUnassignedToTheDriverAndClearsIt() {
        List<String> unassigned = new CopyOnWriteArrayList<>();
        tracker.addListener(new TrackerListener() {
            @Override
            public void onDriverUnassigned(TrackedOrder order, String previousDriverId) {
                unassigned.add(order.orderId() + " from " + previousDriverId);
            }
        });
        tracker.register(order("o-1"));
        tracker.assignDriver("o-1", "d-1");
        RecordingListener driver = new RecordingListener();
        try (Subscription ignored = bus.subscribe(Topic.driver("d-1"), driver)) {

            DriverChange change = tracker.unassignDriver("o-1");

            assertEquals("d-1", change.previousDriverId());
            assertNull(tracker.order("o-1").driverId());
            assertEquals(new TrackingMessage.DriverUnassigned("o-1", "d-1"), driver.next().message());
            assertEquals(List.of(), tracker.activeOrdersOfDriver("d-1"));

            DriverChange again = tracker.unassignDriver("o-1");
            assertFalse(again.changed());
            assertNull(driver.poll(), "unassigning an order without driver sends nothing");
        }
        assertEquals(List.of("o-1 from d-1"), unassigned);
    }

    @Test
    void unassignDriver_terminalOrder_isRejected() {
        tracker.register(order("o-1"));
        tracker.assignDriver("o-1", "d-1");
        tracker.transition("o-1", OrderStatus.FAILED);

        assertThrows(IllegalTransitionException.class, () -> tracker.unassignDriver("o-1"));
        assertThrows(IllegalTransitionException.class, () -> tracker.assignDriver("o-1", "d-2"));
        assertEquals("d-1", tracker.order("o-1").driverId());
        assertThrows(UnknownOrderException.class, () -> tracker.unassignDriver("o-404"));
    }

    @Test
    void transition_toFailedWithADriver_sendsCancelledToTheDriver() {
        tracker.register(order("o-1"));
        tracker.register(order("o-2"));
        tracker.assignDriver("o-1", "d-1");
        RecordingListener driver = new RecordingListener();
        try (Subscription ignored = bus.subscribe(Topic.driver("d-1"), driver)) {
            tracker.transition("o-2", OrderStatus.FAILED);
            tracker.transition("o-1", OrderStatus.ACCEPTED);
            tracker.transition("o-1", OrderStatus.FAILED, "customer_cancelled", "operator:ops");

            assertEquals(new TrackingMessage.OrderCancelled("o-1", "d-1"), driver.next().message());
            assertNull(driver.poll(), "only the failure of the driver's order is sent to it");
        }
    }

    @Test
    void relay_afterCrashBetweenCommitAndPublishOfAFailure_sendsCancelledToTheDriver() {
        EventBus broken = new EventBus() {
            @Override
            public CompletionStage<Void> publish(Envelope envelope) {
                throw new IllegalStateException("the process died before publishing");
            }

            @Override
            public Subscription subscribe(Topic topic, BusListener listener) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
            }
        };
        try (OrderTracker crashing = OrderTracker.builder().repository(repository).eventBus(broken).clock(clock)
                .build()) {
            crashing.register(order("o-1"));
            crashing.assignDriver("o-1", "d-1");
            crashing.transition("o-1", OrderStatus.FAILED, "customer_cancelled", null);
        }
        RecordingListener driver = new RecordingListener();
        try (Subscription ignored = bus.subscribe(Topic.driver("d-1"), driver);
                OrderTracker restarted = OrderTracker.builder().repository(repository).eventBus(bus).clock(clock)
                        .relayGrace(Duration.ZERO).build()) {
            clock.advanceSeconds(1);

            assertEquals(2, restarted.relayUnpublished());

            assertEquals(new TrackingMessage.OrderCancelled("o-1", "d-1"), driver.next().message());
            assertEquals(0, restarted.relayUnpublished());
            assertNull(driver.poll());
        }
    }

    @Test
    void transition_toFailed_busRefusesTheDriversCancelled_leavesTheEventToTheRelay() {
        // the status topics accept, only the driver's topic fails: the event must stay unpublished
        EventBus driverTopicDown = new EventBus() {
            @Override
            public CompletionStage<Void> publish(Envelope envelope) {
                if (envelope.topic().equals(Topic.driver("d-1"))) {
                    return CompletableFuture.failedFuture(new IllegalStateException("driver channel down"));
                }
                return bus.publish(envelope);
            }

            @Override
            public Subscription subscribe(Topic topic, BusListener listener) {
                return bus.subscribe(topic, listener);
            }

            @Override
            public void close() {
            }
        };
        try (OrderTracker flaky = OrderTracker.builder().repository(repository).eventBus(driverTopicDown).clock(clock)
                .build()) {
            flaky.register(order("o-1"));
            flaky.assignDriver("o-1", "d-1");
            flaky.transition("o-1", OrderStatus.FAILED);
        }
        RecordingListener driver = new RecordingListener();
        try (Subscription ignored = bus.subscribe(Topic.driver("d-1"), driver);
                OrderTracker restarted = OrderTracker.builder().repository(repository).eventBus(bus).clock(clock)
                        .relayGrace(Duration.ZERO).build()) {
            clock.advanceSeconds(1);

            assertEquals(1, restarted.relayUnpublished(), "only the failed event, whose cancelled was refused");
            assertEquals(new TrackingMessage.OrderCancelled("o-1", "d-1"), driver.next().message());
        }
    }

    @Test
    void listener_thatThrows_doesNotFailTheTransition() {
        tracker.addListener(new TrackerListener() {
            @Override
            public void onEvent(TrackedOrder order, OrderEvent event) {
                throw new IllegalStateException("listener bug");
            }
        });
        tracker.register(order("o-1"));
        assertEquals(2, tracker.transition("o-1", OrderStatus.ACCEPTED).seq());
    }

    @Test
    void builder_badValues_areRejectedShowingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OrderTracker.builder().acceptanceTimeout(Duration.ofSeconds(-1)));
        assertEquals("acceptanceTimeout must be positive, but was PT-1S", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OrderTracker.builder().sweepInterval(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> OrderTracker.builder().relayGrace(Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> OrderTracker.builder().repository(null));
    }

    @Test
    void builder_machineThatCannotFailAReceivedOrder_isRejected() {
        OrderStateMachine noTimeout = OrderStateMachine.defaults().toBuilder()
                .forbid(OrderStatus.RECEIVED, OrderStatus.FAILED).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> OrderTracker.builder().stateMachine(noTimeout).build());
        assertTrue(e.getMessage().startsWith("the state machine must allow received -> failed"), e.getMessage());
    }

    @Test
    void close_twice_isSafe_andLaterCallsAreRefused() {
        assertDoesNotThrow(tracker::close);
        assertDoesNotThrow(tracker::close, "a second close is a no-op");
        assertThrows(TrackerClosedException.class, () -> tracker.register(order("o-1")));
        assertTrue(repository.find("o-1").isEmpty());
    }

    @Test
    void close_neverClosesTheBusItWasGiven() {
        tracker.close();
        RecordingListener listener = new RecordingListener();
        try (Subscription ignored = bus.subscribe(Topic.order("o-9"), listener)) {
            bus.publish(Topic.order("o-9"), new TrackingMessage.DriverAssigned("o-9", "d-1"));
            assertEquals("assignment", listener.next().type());
        }
    }

    @Test
    void defaults_buildAWorkingInMemoryTracker() {
        try (OrderTracker simple = OrderTracker.builder().build()) {
            simple.register(order("o-1"));
            assertFalse(simple.history("o-1").isEmpty());
            assertNull(simple.order("o-1").driverId());
        }
    }
}
