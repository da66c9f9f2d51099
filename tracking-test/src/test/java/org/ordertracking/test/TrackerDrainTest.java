package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.NotificationDispatcher;
import org.ordertracking.core.NotificationMoment;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackerClosedException;

/**
 * The last steps of a planned stop: {@link OrderTracker#drain} waits for the bus to accept what it was
 * publishing and marks it, {@link NotificationDispatcher#drain} lets pending pushes go out. Timeouts here
 * are real time (the futures' own), in milliseconds.
 */
class TrackerDrainTest {
    private static final GeoPoint HAMRA = new GeoPoint(33.8966, 35.4823);

    private final SettableClock clock = SettableClock.at("2026-11-24T10:00:00Z");
    private final OrderRepository repository = OrderRepository.inMemory();
    private final HeldBus held = new HeldBus();
    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

    /** A networked bus stand-in: a publish is accepted only when the test releases it. */
    static final class HeldBus implements EventBus {
        final List<CompletableFuture<Void>> accepted = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Void> publish(Envelope envelope) {
            CompletableFuture<Void> acceptance = new CompletableFuture<>();
            accepted.add(acceptance);
            return acceptance;
        }

        void acceptAll() {
            accepted.forEach(f -> f.complete(null));
        }

        @Override
        public Subscription subscribe(Topic topic, BusListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private OrderTracker tracker(EventBus bus) {
        // not started: no relay of its own racing the test's, and its marks are written on close
        OrderTracker tracker = OrderTracker.builder().repository(repository).eventBus(bus).clock(clock).build();
        toClose.add(tracker);
        return tracker;
    }

    /** How many events another node's relay would publish now: those never marked published. */
    private int unpublished() {
        try (EventBus bus = EventBus.inMemory();
                OrderTracker other = OrderTracker.builder().repository(repository).eventBus(bus).clock(clock)
                        .relayGrace(Duration.ZERO).build()) {
            clock.advanceSeconds(1);
            return other.relayUnpublished();
        }
    }

    @Test
    void drain_waitsForTheBusToAcceptWhatItPublishes_thenMarksItPublished_andCloses() throws Exception {
        OrderTracker tracker = tracker(held);
        tracker.register(new NewOrder("td-1", "r-1", "c-1", HAMRA));
        tracker.transition("td-1", OrderStatus.ACCEPTED);

        CompletableFuture<Void> drained = tracker.drain(Duration.ofSeconds(30)).toCompletableFuture();
        assertFalse(drained.isDone(), "two publishes wait for the bus");
        TrackerClosedException refused = assertThrows(TrackerClosedException.class,
                () -> tracker.transition("td-1", OrderStatus.PREPARING));
        assertEquals("the order tracker is closed", refused.getMessage());
        assertEquals(2, repository.find("td-1").orElseThrow().seq(), "the refused change changed nothing");

        held.acceptAll();
        drained.get(10, TimeUnit.SECONDS);
        assertEquals(0, unpublished(), "the drain marked both events published");
        assertThrows(TrackerClosedException.class, () -> tracker.register(new NewOrder("td-2", "r-1", "c-1", HAMRA)));
    }

    @Test
    void drain_busNeverAccepts_endsAfterTheWindow_andLeavesTheEventsToTheRelay() throws Exception {
        OrderTracker tracker = tracker(held);
        tracker.register(new NewOrder("td-3", "r-1", "c-1", HAMRA));
        tracker.drain(Duration.ofMillis(100)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(1, unpublished(), "another node's relay publishes what the bus never accepted");
    }

    @Test
    void drain_nothingInFlight_endsAtOnce_andASecondCallIsTheSameDrain() throws Exception {
        try (EventBus bus = EventBus.inMemory()) {
            OrderTracker tracker = tracker(bus);
            tracker.register(new NewOrder("td-4", "r-1", "c-1", HAMRA));
            CompletableFuture<Void> first = tracker.drain(Duration.ofMinutes(1)).toCompletableFuture();
            first.get(10, TimeUnit.SECONDS);
            tracker.drain(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(0, unpublished());
        }
    }

    @Test
    void drain_badWindow_isRejectedShowingIt_andChangesNothing() {
        try (EventBus bus = EventBus.inMemory()) {
            OrderTracker tracker = tracker(bus);
            IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                    () -> tracker.drain(Duration.ZERO));
            assertEquals("window must be positive, but was PT0S", zero.getMessage());
            assertThrows(IllegalArgumentException.class, () -> tracker.drain(Duration.ofMillis(-1)));
            assertThrows(NullPointerException.class, () -> tracker.drain(null));
            tracker.register(new NewOrder("td-5", "r-1", "c-1", HAMRA)); // still open
            assertEquals(1, repository.find("td-5").orElseThrow().seq());
        }
    }

    @Test
    void dispatcherDrain_pendingNotifications_goOutBeforeItCloses() throws Exception {
        LinkedBlockingQueue<NotificationMoment> sent = new LinkedBlockingQueue<>();
        AtomicInteger calls = new AtomicInteger();
        // the first attempt fails: the retry, 200 ms later, is pending when the drain begins
        NotificationDispatcher dispatcher = NotificationDispatcher.builder(repository, (order, moment, eta) -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("push provider unreachable");
            }
            sent.add(moment);
        }).clock(clock).initialBackoff(Duration.ofMillis(200)).build();
        toClose.add(dispatcher);
        try (EventBus bus = EventBus.inMemory()) {
            OrderTracker tracker = tracker(bus);
            tracker.addListener(dispatcher);
            tracker.register(new NewOrder("td-6", "r-1", "c-1", HAMRA));
            tracker.transition("td-6", OrderStatus.ACCEPTED);
            tracker.drain(Duration.ofSeconds(10)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            dispatcher.drain(Duration.ofSeconds(10)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(List.of(NotificationMoment.ACCEPTED), List.copyOf(sent), "sent before the drain ended");
            assertEquals(2, calls.get());
        }
    }

    @Test
    void dispatcherDrain_retryBeyondTheWindow_isDroppedWhenTheWindowEnds() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        NotificationDispatcher dispatcher = NotificationDispatcher.builder(repository, (order, moment, eta) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("push provider unreachable");
        }).clock(clock).initialBackoff(Duration.ofMinutes(1)).build();
        toClose.add(dispatcher);
        try (EventBus bus = EventBus.inMemory()) {
            OrderTracker tracker = tracker(bus);
            tracker.addListener(dispatcher);
            tracker.register(new NewOrder("td-7", "r-1", "c-1", HAMRA));
            tracker.transition("td-7", OrderStatus.ACCEPTED);
            org.awaitility.Awaitility.await("the first attempt").atMost(Duration.ofSeconds(10))
                    .until(() -> calls.get() == 1);
            CompletableFuture<Void> drained = dispatcher.drain(Duration.ofMillis(200)).toCompletableFuture();
            drained.get(10, TimeUnit.SECONDS);
            assertTrue(drained.isDone());
            assertEquals(1, calls.get(), "the retry a minute later was dropped with the dispatcher");
        }
    }

    @Test
    void dispatcherDrain_badWindow_isRejectedShowingIt() {
        NotificationDispatcher dispatcher = NotificationDispatcher.builder(repository, (order, moment, eta) -> { })
                .clock(clock).build();
        toClose.add(dispatcher);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dispatcher.drain(Duration.ofSeconds(-1)));
        assertEquals("window must be positive, but was PT-1S", e.getMessage());
    }
}
