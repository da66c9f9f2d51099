package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.ConnectionRegistry.Kind;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.TransitionRequest;

class ConnectionRegistryTest {
    private final SettableClock clock = SettableClock.at("2026-11-24T10:00:00Z");
    private final OrderRepository repository = OrderRepository.inMemory();
    private final OrderTracker tracker = OrderTracker.builder().repository(repository).clock(clock).build();
    private final ConnectionRegistry registry = ConnectionRegistry.builder().clock(clock)
            .leakGrace(Duration.ofSeconds(30)).build();
    private final AtomicInteger closedStreams = new AtomicInteger();

    @AfterEach
    void tearDown() {
        tracker.close();
    }

    private ConnectionRegistry.Connection open(ConnectionRegistry on, Kind kind, String id) {
        ConnectionRegistry.Connection[] self = new ConnectionRegistry.Connection[1];
        self[0] = on.register(kind, id, () -> {
            closedStreams.incrementAndGet();
            self[0].close(); // what an adapter does when its stream ends
        });
        return self[0];
    }

    private void order(String orderId) {
        tracker.register(new NewOrder(orderId, "r-1", "c-1", new GeoPoint(33.89, 35.50)));
    }

    @Test
    void register_andClose_keepTheCountsByKindAndViewers() {
        ConnectionRegistry.Connection a = open(registry, Kind.CUSTOMER_STREAM, "o-1");
        ConnectionRegistry.Connection b = open(registry, Kind.CUSTOMER_STREAM, "o-1");
        open(registry, Kind.RESTAURANT_STREAM, "r-1");
        open(registry, Kind.DRIVER_SOCKET, "d-1");
        assertEquals(2, registry.count(Kind.CUSTOMER_STREAM));
        assertEquals(4, registry.total());
        assertEquals(2, registry.viewers("o-1"));
        a.close();
        a.close();
        assertEquals(1, registry.viewers("o-1"));
        assertEquals(1, registry.count(Kind.CUSTOMER_STREAM));
        b.close();
        assertEquals(0, registry.viewers("o-1"));
        assertEquals(2, registry.total());
    }

    @Test
    void reapLeaks_streamOpenPastTheGraceAfterTheOrderEnded_isClosedAndReported() {
        tracker.addListener(registry);
        order("o-1");
        open(registry, Kind.CUSTOMER_STREAM, "o-1");
        open(registry, Kind.RESTAURANT_STREAM, "r-1");
        tracker.transition("o-1", OrderStatus.FAILED);
        clock.advance(Duration.ofSeconds(29));
        assertEquals(List.of(), registry.reapLeaks(), "still within the grace");
        clock.advance(Duration.ofSeconds(1));
        List<ConnectionRegistry.Leak> leaks = registry.reapLeaks();
        assertEquals(1, leaks.size());
        assertEquals("o-1", leaks.get(0).orderId());
        assertEquals(1, closedStreams.get());
        assertEquals(0, registry.viewers("o-1"));
        assertEquals(1, registry.total(), "the restaurant stream is not a leak");
        assertEquals(1, registry.snapshot().leaksClosed());
        assertEquals(List.of(), registry.reapLeaks());
    }

    @Test
    void reapLeaks_orderEndedOnAnotherNode_isFoundThroughTheRepository() {
        ConnectionRegistry withRepository = ConnectionRegistry.builder().clock(clock).repository(repository).build();
        order("o-2");
        open(withRepository, Kind.CUSTOMER_STREAM, "o-2");
        repository.transition(TransitionRequest.of("o-2", OrderStatus.FAILED, null, null, clock.instant()),
                tracker.stateMachine());
        clock.advance(Duration.ofSeconds(31));
        assertEquals(1, withRepository.reapLeaks().size());
        assertEquals(0, withRepository.total());
    }

    @Test
    void reapLeaks_activeOrder_isNoLeakHoweverOld() {
        ConnectionRegistry withRepository = ConnectionRegistry.builder().clock(clock).repository(repository).build();
        order("o-3");
        open(withRepository, Kind.CUSTOMER_STREAM, "o-3");
        clock.advance(Duration.ofHours(2));
        assertEquals(List.of(), withRepository.reapLeaks());
    }

    @Test
    void register_concurrentOpenAndClose_endsWithNothingCounted() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int worker = w;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        ConnectionRegistry.Connection c = registry.register(Kind.values()[i % 3], "o-" + (i % 7),
                                () -> { });
                        if (worker % 2 == 0) {
                            registry.snapshot();
                        }
                        c.close();
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, registry.total());
        for (Kind kind : Kind.values()) {
            assertEquals(0, registry.count(kind));
        }
        for (int i = 0; i < 7; i++) {
            assertEquals(0, registry.viewers("o-" + i));
        }
    }

    @Test
    void snapshot_reportsEveryKindAndTheOldestAge() {
        assertNull(registry.snapshot().oldestAgeSeconds());
        open(registry, Kind.DRIVER_SOCKET, "d-1");
        clock.advance(Duration.ofSeconds(12));
        open(registry, Kind.CUSTOMER_STREAM, "o-1");
        ConnectionRegistry.Snapshot snapshot = registry.snapshot();
        assertEquals(Map.of("customer_stream", 1, "restaurant_stream", 0, "driver_socket", 1), snapshot.open());
        assertEquals(2, snapshot.total());
        assertEquals(12L, snapshot.oldestAgeSeconds());
        assertEquals(0, snapshot.leaksClosed());
    }
}
