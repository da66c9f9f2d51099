package org.ordertracking.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.NotificationDispatcher;
import org.ordertracking.core.NotificationMoment;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.PushNotifier;
import org.ordertracking.core.TrackedOrder;

class NotificationDispatcherTest {
    private static final GeoPoint DESTINATION = new GeoPoint(33.8938, 35.5018);

    private final SettableClock clock = SettableClock.at("2026-11-24T10:00:00Z");
    private final OrderRepository repository = OrderRepository.inMemory();
    private final OrderTracker tracker = OrderTracker.builder().repository(repository).clock(clock).build();
    private final LinkedBlockingQueue<NotificationMoment> sent = new LinkedBlockingQueue<>();
    private NotificationDispatcher dispatcher;

    @AfterEach
    void tearDown() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        tracker.close();
    }

    private NotificationDispatcher dispatcher(PushNotifier notifier) {
        dispatcher = NotificationDispatcher.builder(repository, notifier).clock(clock)
                .initialBackoff(Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(20)).build();
        return dispatcher;
    }

    private NotificationMoment next() throws InterruptedException {
        NotificationMoment moment = sent.poll(10, TimeUnit.SECONDS);
        if (moment == null) {
            throw new AssertionError("no notification within 10 s");
        }
        return moment;
    }

    private void register(String orderId) {
        tracker.register(new NewOrder(orderId, "r-1", "c-1", DESTINATION));
    }

    private void moveTo(String orderId, OrderStatus... path) {
        for (OrderStatus status : path) {
            tracker.transition(orderId, status);
        }
    }

    @Test
    void onEvent_eachMoment_isSentOnce() throws Exception {
        tracker.addListener(dispatcher((order, moment, eta) -> sent.add(moment)));
        register("o-1");
        moveTo("o-1", OrderStatus.ACCEPTED);
        assertEquals(NotificationMoment.ACCEPTED, next());
        moveTo("o-1", OrderStatus.PREPARING, OrderStatus.READY, OrderStatus.PICKED_UP);
        assertEquals(NotificationMoment.PICKED_UP, next());
        moveTo("o-1", OrderStatus.DELIVERED);
        assertEquals(NotificationMoment.DELIVERED, next());
    }

    @Test
    void onEvent_failedOrder_sendsFailed() throws Exception {
        tracker.addListener(dispatcher((order, moment, eta) -> sent.add(moment)));
        register("o-1");
        moveTo("o-1", OrderStatus.FAILED);
        assertEquals(NotificationMoment.FAILED, next());
    }

    @Test
    void onEvent_orderAlreadyPastTheMoment_isNotSent() throws Exception {
        NotificationDispatcher d = dispatcher((order, moment, eta) -> sent.add(moment));
        register("o-1");
        moveTo("o-1", OrderStatus.ACCEPTED, OrderStatus.PREPARING, OrderStatus.READY, OrderStatus.PICKED_UP);
        TrackedOrder pickedUp = tracker.order("o-1");
        OrderEvent pickedUpEvent = tracker.history("o-1").get(4);
        OrderEvent delivered = tracker.transition("o-1", OrderStatus.DELIVERED);
        d.onEvent(pickedUp, pickedUpEvent);       // arrives late: the order is delivered by now
        d.onEvent(tracker.order("o-1"), delivered);
        assertEquals(NotificationMoment.DELIVERED, next());
        assertEquals(0, sent.size(), "no picked_up push for a delivered order");
    }

    @Test
    void onEvent_republishedEventOrSecondNode_doesNotSendAgain() throws Exception {
        NotificationDispatcher d = dispatcher((order, moment, eta) -> sent.add(moment));
        try (NotificationDispatcher otherNode = NotificationDispatcher.builder(repository,
                (order, moment, eta) -> sent.add(moment)).clock(clock).build()) {
            register("o-1");
            OrderEvent accepted = tracker.transition("o-1", OrderStatus.ACCEPTED);
            d.onEvent(tracker.order("o-1"), accepted);
            d.onEvent(tracker.order("o-1"), accepted);
            otherNode.onEvent(tracker.order("o-1"), accepted);
            assertEquals(NotificationMoment.ACCEPTED, next());
            OrderEvent failed = tracker.transition("o-1", OrderStatus.FAILED);
            d.onEvent(tracker.order("o-1"), failed);
            assertEquals(NotificationMoment.FAILED, next());
            assertEquals(0, sent.size());
        }
    }

    @Test
    void onEvent_failingNotifier_isRetriedWithBackoffUntilItSucceeds() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        tracker.addListener(dispatcher((order, moment, eta) -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("push service down");
            }
            sent.add(moment);
        }));
        register("o-1");
        moveTo("o-1", OrderStatus.ACCEPTED);
        assertEquals(NotificationMoment.ACCEPTED, next());
        assertEquals(3, calls.get());
    }

    @Test
    void onEvent_notifierThatAlwaysFails_isTriedMaxAttemptsTimes() throws Exception {
        CountDownLatch attempts = new CountDownLatch(3);
        AtomicInteger calls = new AtomicInteger();
        dispatcher = NotificationDispatcher.builder(repository, (order, moment, eta) -> {
            calls.incrementAndGet();
            attempts.countDown();
            throw new IllegalStateException("push service down");
        }).clock(clock).maxAttempts(3).initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(2)).build();
        tracker.addListener(dispatcher);
        register("o-1");
        moveTo("o-1", OrderStatus.ACCEPTED);
        assertTrue(attempts.await(10, TimeUnit.SECONDS));
        assertEquals(3, calls.get());
    }

    @Test
    void transition_blockedNotifier_neverBlocksTheTransition() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        tracker.addListener(dispatcher((order, moment, eta) -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sent.add(moment);
        }));
        register("o-1");
        moveTo("o-1", OrderStatus.ACCEPTED);
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        moveTo("o-1", OrderStatus.PREPARING, OrderStatus.READY); // return although the push hangs
        assertEquals(OrderStatus.READY, tracker.order("o-1").status());
        release.countDown();
        assertEquals(NotificationMoment.ACCEPTED, next());
    }

    @Test
    void onEta_jitterAroundFiveMinutes_sendsArrivingOnce() throws Exception {
        NotificationDispatcher d = dispatcher((order, moment, eta) -> sent.add(moment));
        register("o-1");
        moveTo("o-1", OrderStatus.ACCEPTED, OrderStatus.PREPARING, OrderStatus.READY);
        tracker.assignDriver("o-1", "d-1");
        moveTo("o-1", OrderStatus.PICKED_UP);
        TrackedOrder order = tracker.order("o-1");
        for (long seconds : List.of(420L, 310L, 299L, 305L, 298L, 330L, 290L, 400L, 280L)) {
            d.onEta(order, Duration.ofSeconds(seconds));
        }
        assertEquals(NotificationMoment.ARRIVING, next());
        OrderEvent delivered = tracker.transition("o-1", OrderStatus.DELIVERED);
        d.onEvent(tracker.order("o-1"), delivered);
        assertEquals(NotificationMoment.DELIVERED, next());
        assertEquals(0, sent.size(), "arriving went out once although the ETA crossed 5 min four times");
    }

    @Test
    void onEta_orderNotPickedUp_sendsNothing() throws Exception {
        NotificationDispatcher d = dispatcher((order, moment, eta) -> sent.add(moment));
        register("o-1");
        d.onEta(tracker.order("o-1"), Duration.ofSeconds(10));
        OrderEvent failed = tracker.transition("o-1", OrderStatus.FAILED);
        d.onEvent(tracker.order("o-1"), failed);
        assertEquals(NotificationMoment.FAILED, next());
        assertEquals(0, sent.size());
    }

    @Test
    void mayMarket_whileTheCustomerHasAnActiveOrder_isFalse() {
        NotificationDispatcher d = dispatcher((order, moment, eta) -> { });
        assertTrue(d.mayMarket("c-1"));
        register("o-1");
        assertFalse(d.mayMarket("c-1"));
        assertTrue(d.mayMarket("c-2"));
        moveTo("o-1", OrderStatus.FAILED);
        assertTrue(d.mayMarket("c-1"));
    }

    @Test
    void build_rearmNotAboveArriving_isRejectedNamingTheValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NotificationDispatcher.builder(repository, (o, m, eta) -> { })
                        .arrivingWithin(Duration.ofMinutes(5)).rearmAbove(Duration.ofMinutes(4)).build());
        assertEquals("rearmAbove must be longer than arrivingWithin PT5M, but was PT4M", e.getMessage());
        assertEquals("maxAttempts must be positive, but was 0", assertThrows(IllegalArgumentException.class,
                () -> NotificationDispatcher.builder(repository, (o, m, eta) -> { }).maxAttempts(0)).getMessage());
    }

    @Test
    void close_twice_endsTheThreadOfTheSchedulerItCreated() {
        NotificationDispatcher d = dispatcher((order, moment, eta) -> sent.add(moment));
        assertDoesNotThrow(d::close);
        assertDoesNotThrow(d::close, "a second close is a no-op");
        await("the tracking-notifications thread ends").atMost(Duration.ofSeconds(10)).until(() -> Thread
                .getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("tracking-notifications")));
    }

    @Test
    void close_twice_leavesTheCallersSchedulerRunningAndSchedulesNothingMore() {
        ScheduledThreadPoolExecutor callers = new ScheduledThreadPoolExecutor(1);
        try {
            dispatcher = NotificationDispatcher.builder(repository, (order, moment, eta) -> sent.add(moment))
                    .clock(clock).scheduler(callers).build();
            tracker.addListener(dispatcher);
            assertDoesNotThrow(dispatcher::close);
            assertDoesNotThrow(dispatcher::close, "a second close is a no-op");
            assertFalse(callers.isShutdown(), "the caller's scheduler is the caller's to shut down");
            register("o-1");
            moveTo("o-1", OrderStatus.ACCEPTED);
            assertEquals(0, callers.getTaskCount(), "a closed dispatcher schedules no notification");
        } finally {
            callers.shutdownNow();
        }
    }
}
