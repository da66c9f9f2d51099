package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void reapLeaks_terminalStatusHeardFromTheBus_isReapedAfterTheGraceWithoutALookup() {
        CountingOrderRepository counting = new CountingOrderRepository(repository);
        ConnectionRegistry withRepository = ConnectionRegistry.builder().clock(clock).repository(counting).build();
        order("o-4");
        open(withRepository, Kind.CUSTOMER_STREAM, "o-4");
        clock.advance(Duration.ofSeconds(10));
        // what a stream does when the terminal status another node published reaches it
        withRepository.orderEnded("o-4", clock.instant());
        clock.advance(Duration.ofSeconds(29));
        assertEquals(List.of(), withRepository.reapLeaks(), "still within the grace");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1, withRepository.reapLeaks().size());
        assertEquals(0, withRepository.total());
        assertEquals(0, counting.lookups(), "known from the stream, so never looked up");
    }

    @Test
    void orderEnded_orderWithoutStreams_isForgotten() {
        registry.orderEnded("o-5", clock.instant());
        open(registry, Kind.CUSTOMER_STREAM, "o-5");
        clock.advance(Duration.ofHours(1));
        assertEquals(List.of(), registry.reapLeaks(), "the end was told before any stream watched the order");
    }

    @Test
    void reapLeaks_repositoryLookupsOfOneStream_backOffFromTheGraceToTheCap() {
        CountingOrderRepository counting = new CountingOrderRepository(repository);
        ConnectionRegistry withRepository = ConnectionRegistry.builder().clock(clock).repository(counting)
                .leakGrace(Duration.ofSeconds(30)).maxLookupInterval(Duration.ofMinutes(10)).build();
        order("o-6");
        open(withRepository, Kind.CUSTOMER_STREAM, "o-6");
        List<Long> lookedUpAtAge = new java.util.ArrayList<>();
        for (int sweep = 1; sweep <= 60; sweep++) { // 30 minutes of sweeps every 30 s
            clock.advance(Duration.ofSeconds(30));
            long before = counting.findAllIds();
            assertEquals(List.of(), withRepository.reapLeaks());
            if (counting.findAllIds() > before) {
                lookedUpAtAge.add(30L * sweep);
            }
        }
        assertEquals(List.of(30L, 60L, 120L, 240L, 480L, 960L, 1560L), lookedUpAtAge,
                "first at the grace, then doubling intervals up to 10 minutes");
        assertEquals(0, counting.finds(), "lookups go through findAll");

        // the order ends where this registry does not hear of it: the next due lookup finds it
        clock.advance(Duration.ofSeconds(1));
        repository.transition(TransitionRequest.of("o-6", OrderStatus.FAILED, null, null, clock.instant()),
                tracker.stateMachine());
        java.time.Instant ended = clock.instant();
        List<ConnectionRegistry.Leak> leaks = List.of();
        // sweeps every 30 s on the settable clock, a bounded number: one past the worst case below
        for (int sweep = 0; sweep < (30 + 600 + 30) / 30 + 1 && leaks.isEmpty(); sweep++) {
            clock.advance(Duration.ofSeconds(30));
            leaks = withRepository.reapLeaks();
        }
        assertFalse(leaks.isEmpty(), "a sweep finds the ended order");
        Duration lifetime = Duration.between(ended, clock.instant());
        assertTrue(lifetime.compareTo(Duration.ofSeconds(30 + 600 + 30)) <= 0,
                "worst case grace + max lookup interval + sweep, but was " + lifetime);
        assertEquals(0, withRepository.total());
    }

    @Test
    void reapLeaks_manyStreamsPastTheGrace_costOneFindAllPerReapAndNoneWhenNoneIsDue() {
        CountingOrderRepository counting = new CountingOrderRepository(repository);
        ConnectionRegistry withRepository = ConnectionRegistry.builder().clock(clock).repository(counting).build();
        for (int i = 0; i < 100; i++) {
            order("m-" + i);
            open(withRepository, Kind.CUSTOMER_STREAM, "m-" + i);
            open(withRepository, Kind.CUSTOMER_STREAM, "m-" + i); // two viewers, one lookup
        }
        clock.advance(Duration.ofSeconds(30));
        withRepository.reapLeaks();
        assertEquals(1, counting.findAlls());
        assertEquals(100, counting.findAllIds());
        withRepository.reapLeaks();
        assertEquals(1, counting.findAlls(), "nothing is due right after a lookup");
        clock.advance(Duration.ofSeconds(15));
        withRepository.reapLeaks();
        assertEquals(1, counting.findAlls(), "the next lookup is a grace later");
        clock.advance(Duration.ofSeconds(15));
        withRepository.reapLeaks();
        assertEquals(2, counting.findAlls());
        assertEquals(200, counting.findAllIds());
        assertEquals(0, counting.finds());
        assertEquals(200, withRepository.total(), "active orders are no leaks");
    }

    @Test
    void reapLeaks_concurrentWithOpensEndsAndCloses_reapsExactlyTheEndedOrdersStreams() throws Exception {
        CountingOrderRepository counting = new CountingOrderRepository(repository);
        ConnectionRegistry withRepository = ConnectionRegistry.builder().clock(clock).repository(counting).build();
        int orders = 50;
        for (int i = 0; i < orders; i++) {
            order("c-" + i);
            open(withRepository, Kind.CUSTOMER_STREAM, "c-" + i);
        }
        clock.advance(Duration.ofSeconds(31));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        try {
            java.util.concurrent.Future<?> reaper = pool.submit(() -> {
                while (running.get()) {
                    withRepository.reapLeaks();
                }
            });
            java.util.concurrent.Future<?> churn = pool.submit(() -> {
                for (int i = 0; i < 5_000; i++) {
                    withRepository.register(Kind.CUSTOMER_STREAM, "c-" + (i % orders), () -> { }).close();
                }
            });
            java.util.concurrent.Future<?> ender = pool.submit(() -> {
                for (int i = 0; i < orders; i += 2) { // the even orders end, half told, half only stored
                    if (i % 4 == 0) {
                        withRepository.orderEnded("c-" + i, clock.instant());
                    } else {
                        repository.transition(TransitionRequest.of("c-" + i, OrderStatus.FAILED, null, null,
                                clock.instant()), tracker.stateMachine());
                    }
                }
            });
            churn.get(60, java.util.concurrent.TimeUnit.SECONDS);
            ender.get(60, java.util.concurrent.TimeUnit.SECONDS);
            running.set(false);
            reaper.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        clock.advance(Duration.ofMinutes(12)); // past grace + max lookup interval + a sweep
        withRepository.reapLeaks();
        withRepository.reapLeaks();
        for (int i = 0; i < orders; i++) {
            assertEquals(i % 2 == 0 ? 0 : 1, withRepository.viewers("c-" + i), "order c-" + i);
        }
        assertEquals(orders / 2, withRepository.total());
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
        assertEquals(Map.of("customer_stream", 1, "restaurant_stream", 0, "driver_socket", 1, "operations_stream", 0),
                snapshot.open());
        assertEquals(2, snapshot.total());
        assertEquals(12L, snapshot.oldestAgeSeconds());
        assertEquals(0, snapshot.leaksClosed());
    }
}
