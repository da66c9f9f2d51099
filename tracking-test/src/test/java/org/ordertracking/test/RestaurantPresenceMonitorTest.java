package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.RestaurantPresenceMonitor;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;

class RestaurantPresenceMonitorTest {
    private static final Instant T0 = Instant.parse("2026-12-02T12:00:00Z");

    private final SettableClock clock = SettableClock.at(T0);
    private final AtomicInteger seenWrites = new AtomicInteger();
    private final OrderRepository repository = new ForwardingOrderRepository(OrderRepository.inMemory()) {
        @Override
        public void restaurantSeen(String restaurantId, Instant at) {
            seenWrites.incrementAndGet();
            super.restaurantSeen(restaurantId, at);
        }
    };
    private final EventBus bus = EventBus.inMemory();
    private final RecordingListener operations = new RecordingListener();
    private final ConnectionRegistry connections = ConnectionRegistry.builder().clock(clock).build();
    private final RestaurantPresenceMonitor monitor = RestaurantPresenceMonitor.builder(repository, bus).clock(clock)
            .connections(connections).build();

    RestaurantPresenceMonitorTest() {
        bus.subscribe(Topic.operations(), operations);
    }

    @AfterEach
    void tearDown() {
        monitor.close();
        bus.close();
    }

    private void order(String orderId, String restaurantId) {
        repository.create(new NewOrder(orderId, restaurantId, "c-1", new GeoPoint(33.9, 35.5)), clock.instant(), null);
    }

    @Test
    void seen_manyPollsWithinTheHeartbeatInterval_writeOnce() {
        order("o-1", "r-1");
        for (int i = 0; i < 10; i++) {
            monitor.seen("r-1");
            clock.advanceSeconds(2);
        }
        assertEquals(1, seenWrites.get(), "20 s of polls every 2 s: one write");
        clock.advanceSeconds(10);
        monitor.seen("r-1");
        assertEquals(2, seenWrites.get(), "30 s after the first write: the next");
    }

    @Test
    void check_openBoardStreamOnThisNode_isAHeartbeatThatKeepsTheRestaurantOnline() {
        order("o-1", "r-1");
        ConnectionRegistry.Connection board = connections.register(ConnectionRegistry.Kind.RESTAURANT_STREAM, "r-1",
                () -> { });
        for (int i = 0; i < 40; i++) {   // 20 minutes, a check every 30 s
            clock.advanceSeconds(30);
            assertEquals(0, monitor.check());
        }
        assertFalse(monitor.isOffline("r-1"));
        board.close();
        clock.advance(Duration.ofMinutes(3).minusSeconds(30));
        monitor.check();
        assertFalse(monitor.isOffline("r-1"), "the last heartbeat was 2:30 ago");
        clock.advanceSeconds(30);
        assertEquals(1, monitor.check());
        assertTrue(monitor.isOffline("r-1"));
        assertEquals(1, monitor.offlineCount());
        Envelope offline = operations.next();
        assertEquals("restaurant_offline", offline.type());
        TrackingMessage.RestaurantOffline message = (TrackingMessage.RestaurantOffline) offline.message();
        assertEquals(1, message.openOrders());
        assertEquals(clock.instant().minus(Duration.ofMinutes(3)), message.lastSeenAt());
    }

    @Test
    void readOffline_readsTheStoreNotTheLastCheck() {
        order("o-1", "r-1");
        clock.advance(Duration.ofMinutes(3));
        assertTrue(repository.claimRestaurantOffline("r-1", clock.instant(), clock.instant()), "another node's claim");
        assertFalse(monitor.isOffline("r-1"), "this node has not checked yet");
        List<TrackingMessage.RestaurantOffline> offline = monitor.readOffline();
        assertEquals(List.of("r-1"), offline.stream().map(TrackingMessage.RestaurantOffline::restaurantId).toList());
        assertEquals(T0, offline.get(0).silentSince());
        assertEquals(0, monitor.check(), "the other node announced it");
        assertTrue(monitor.isOffline("r-1"));
    }

    @Test
    void seen_badId_isRefusedAndWritesNothing() {
        assertThrows(IllegalArgumentException.class, () -> monitor.seen("r 1"));
        assertEquals(0, seenWrites.get());
    }

    @Test
    void builder_refusesBadSettingsShowingTheValue() {
        RestaurantPresenceMonitor.Builder b = RestaurantPresenceMonitor.builder(repository, bus);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.offlineAfter(Duration.ofSeconds(-1)))
                .getMessage().contains("PT-1S"));
        assertThrows(IllegalArgumentException.class, () -> b.interval(Duration.ZERO));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.offlineAfter(Duration.ofSeconds(30)).heartbeatInterval(Duration.ofSeconds(30)).build());
        assertTrue(e.getMessage().contains("heartbeatInterval must be shorter than offlineAfter (PT30S)"), e.getMessage());
    }

    @Test
    void close_twice_isSafe() {
        monitor.start();
        monitor.close();
        monitor.close();
        assertThrows(IllegalStateException.class, monitor::start);
    }
}
