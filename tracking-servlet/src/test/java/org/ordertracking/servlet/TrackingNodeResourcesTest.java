package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.NotificationMoment;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.PushNotifier;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingResources;
import org.ordertracking.test.SettableClock;

/**
 * {@link TrackingNode} runs every piece on one {@link TrackingResources}: its own (closed last by the
 * node) or the host's (never closed by the node). Threads are counted by the resources' name prefixes
 * and by the names the pieces give the threads they create when they get no scheduler.
 */
@Timeout(60)
class TrackingNodeResourcesTest {
    private static final byte[] SECRET = RecipeChecks.SECRET;

    /** Threads each piece would start if it were not given the node's scheduler and delivery pool. */
    private static final List<String> PIECE_OWN_THREADS = List.of("order-tracker-sweeper", "tracking-notifications",
            "tracking-staleness", "tracking-bus-", "tracking-servlet-");

    private static Set<Thread> threadsNamed(List<String> prefixes) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> prefixes.stream().anyMatch(p -> t.getName().startsWith(p)))
                .collect(Collectors.toSet());
    }

    private static Set<Thread> newThreads(Set<Thread> before, String prefix) {
        Set<Thread> now = threadsNamed(List.of(prefix));
        now.removeAll(before);
        return now;
    }

    /** Runs {@code n} tasks that wait for each other, so the scheduler starts every thread it may. */
    private static void saturate(ScheduledExecutorService scheduler, int n) throws Exception {
        CountDownLatch started = new CountDownLatch(n);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(scheduler.submit(() -> {
                started.countDown();
                started.await(500, TimeUnit.MILLISECONDS);
                return null;
            }));
        }
        for (Future<?> future : futures) {
            future.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void build_withoutResources_startsOneSchedulerPoolAndOneDeliveryPool_andCloseStopsThem() throws Exception {
        SettableClock clock = SettableClock.at(Instant.now());
        BlockingQueue<NotificationMoment> pushed = new LinkedBlockingQueue<>();
        PushNotifier notifier = (order, moment, eta) -> pushed.add(moment);
        Set<Thread> schedulerBefore = threadsNamed(List.of(TrackingResources.SCHEDULER_THREAD_PREFIX));
        Set<Thread> deliveryBefore = threadsNamed(List.of(TrackingResources.DELIVERY_THREAD_PREFIX));
        OrderRepository repository = OrderRepository.inMemory();
        Set<Thread> schedulerThreads;
        Set<Thread> deliveryThreads;
        try (EventBus bus = EventBus.inMemory(); LocationStore locations = LocationStore.inMemory(clock)) {
            Set<Thread> ownBefore = threadsNamed(PIECE_OWN_THREADS); // the host's bus has its own threads
            TrackingNode node = TrackingNode.builder(repository, bus, locations, SECRET)
                    .pushNotifier(notifier)
                    .clock(clock)
                    .trackerConfig(tracker -> tracker.sweepInterval(Duration.ofMillis(20)))
                    .stalenessConfig(monitor -> monitor.interval(Duration.ofMillis(20)))
                    .build();
            try {
                TrackingResources resources = node.resources();
                assertTrue(resources.ownsScheduler() && resources.ownsDeliveryExecutor(), resources.toString());
                assertSame(clock, resources.clock(), "the node's own resources carry the builder's clock");
                assertSame(clock, node.tracker().clock());
                assertSame(resources.scheduler(), node.servlet().config().scheduler(),
                        "the servlet's keep-alives and sweeps run on the node's scheduler");

                // make the pieces work: the dispatcher pushes, the tracker and the monitor tick
                node.tracker().register(new NewOrder("nr-1", "r-1", "c-1", new GeoPoint(33.8938, 35.5018)));
                node.tracker().transition("nr-1", OrderStatus.ACCEPTED);
                assertEquals(NotificationMoment.ACCEPTED, pushed.poll(20, TimeUnit.SECONDS));
                saturate(resources.scheduler(), TrackingResources.DEFAULT_SCHEDULER_THREADS + 2);

                schedulerThreads = newThreads(schedulerBefore, TrackingResources.SCHEDULER_THREAD_PREFIX);
                deliveryThreads = newThreads(deliveryBefore, TrackingResources.DELIVERY_THREAD_PREFIX);
                assertEquals(TrackingResources.DEFAULT_SCHEDULER_THREADS, schedulerThreads.size(),
                        "one scheduler pool, as large as it gets: " + schedulerThreads);
                assertEquals(TrackingResources.DEFAULT_DELIVERY_THREADS, deliveryThreads.size(),
                        "one delivery pool: " + deliveryThreads);
                // each pool numbers its threads from 1: a second pool would repeat a name
                assertEquals(schedulerThreads.size(), schedulerThreads.stream().map(Thread::getName).distinct().count());
                assertEquals(deliveryThreads.size(), deliveryThreads.stream().map(Thread::getName).distinct().count());
                Set<Thread> own = threadsNamed(PIECE_OWN_THREADS);
                own.removeAll(ownBefore);
                assertEquals(Set.of(), own, "no piece started threads of its own");
            } finally {
                node.close();
            }
            assertTrue(node.resources().isClosed(), "the node closes the resources it created");
            assertTrue(node.resources().scheduler().awaitTermination(20, TimeUnit.SECONDS));
        }
        for (Thread thread : schedulerThreads) {
            thread.join(20_000);
            assertFalse(thread.isAlive(), thread.getName());
        }
        for (Thread thread : deliveryThreads) {
            thread.join(20_000);
            assertFalse(thread.isAlive(), thread.getName());
        }
    }

    @Test
    void build_withSharedResources_runsEveryPieceOnThem_andCloseLeavesThemOpen() throws Exception {
        SettableClock clock = SettableClock.at(Instant.now());
        try (TrackingResources resources = TrackingResources.builder().clock(clock).build();
                EventBus bus = EventBus.inMemory(resources);
                LocationStore locations = LocationStore.inMemory(resources)) {
            Set<Thread> deliveryBefore = threadsNamed(List.of(TrackingResources.DELIVERY_THREAD_PREFIX));
            Set<Thread> ownBefore = threadsNamed(PIECE_OWN_THREADS);
            TrackingNode node = TrackingNode.builder(OrderRepository.inMemory(), bus, locations, SECRET)
                    .resources(resources)
                    .build();
            assertSame(resources, node.resources());
            assertSame(clock, node.tracker().clock(), "the shared resources' clock");
            assertSame(resources.scheduler(), node.servlet().config().scheduler());
            assertEquals(Set.of(), newThreads(deliveryBefore, TrackingResources.DELIVERY_THREAD_PREFIX),
                    "the node made no delivery pool of its own");

            node.close();

            Set<Thread> own = threadsNamed(PIECE_OWN_THREADS);
            own.removeAll(ownBefore);
            assertEquals(Set.of(), own, "no piece started threads of its own");
            assertFalse(resources.isClosed(), "the node never closes resources handed in");
            assertFalse(resources.scheduler().isShutdown());
            assertEquals("ok", resources.scheduler().submit(() -> "ok").get(20, TimeUnit.SECONDS));
            CountDownLatch delivered = new CountDownLatch(1);
            try (Subscription s = bus.subscribe(Topic.order("nr-2"), e -> delivered.countDown())) {
                bus.publish(Topic.order("nr-2"),
                        new org.ordertracking.core.TrackingMessage.DriverAssigned("nr-2", "d-1"));
                assertTrue(delivered.await(20, TimeUnit.SECONDS), "the shared delivery pool still delivers");
            }
        }
    }

    @Test
    void recipe_nodeAndBusOnSharedResources_closeInReverse() throws Exception {
        OrderRepository repository = OrderRepository.inMemory();
        NewOrder order = new NewOrder("rn-1", "r-1", "c-1", new GeoPoint(33.8938, 35.5018));
        byte[] secret = SECRET;
        try (LocationStore locations = LocationStore.inMemory(Instant::now)) {
            // tag::node-resources[]
            try (TrackingResources resources = TrackingResources.create();   // or builder(): threads, clock, executors
                 EventBus bus = EventBus.inMemory(resources);                 // delivers on the same pool
                 TrackingNode node = TrackingNode.builder(repository, bus, locations, secret)
                         .resources(resources)                                // shared: never closed by the node
                         .build()) {
                node.tracker().register(order);                               // mount, serve, ...
            }   // closed in reverse: the node, the bus, the resources last
            // end::node-resources[]
        }
        assertTrue(repository.find("rn-1").isPresent());
    }

    @Test
    void build_withSharedResourcesAndOwnScheduler_theSchedulerWins_andNeitherIsShutDown() throws Exception {
        ScheduledExecutorService hostScheduler = Executors.newScheduledThreadPool(2);
        try (TrackingResources resources = TrackingResources.create();
                EventBus bus = EventBus.inMemory(resources);
                LocationStore locations = LocationStore.inMemory(resources)) {
            TrackingNode node = TrackingNode.builder(OrderRepository.inMemory(), bus, locations, SECRET)
                    .resources(resources)
                    .scheduler(hostScheduler)
                    .build();
            assertSame(hostScheduler, node.servlet().config().scheduler(), "an explicit scheduler wins");
            node.close();
            assertFalse(hostScheduler.isShutdown());
            assertFalse(resources.isClosed());
        } finally {
            hostScheduler.shutdownNow();
        }
    }

    @Test
    void build_withoutResourcesButWithScheduler_neverShutsTheSchedulerDown() throws Exception {
        ScheduledExecutorService hostScheduler = Executors.newScheduledThreadPool(2);
        try (EventBus bus = EventBus.inMemory(); LocationStore locations = LocationStore.inMemory(Instant::now)) {
            TrackingNode node = TrackingNode.builder(OrderRepository.inMemory(), bus, locations, SECRET)
                    .scheduler(hostScheduler)
                    .build();
            assertSame(hostScheduler, node.resources().scheduler(), "the node's own resources share it");
            assertFalse(node.resources().ownsScheduler());
            node.close();
            assertTrue(node.resources().isClosed());
            assertFalse(hostScheduler.isShutdown(), "a scheduler handed in is never shut down");
        } finally {
            hostScheduler.shutdownNow();
        }
    }

    @Test
    void resources_closed_isRejected() {
        TrackingResources resources = TrackingResources.create();
        resources.close();
        try (EventBus bus = EventBus.inMemory(); LocationStore locations = LocationStore.inMemory(Instant::now)) {
            TrackingNode.Builder builder = TrackingNode.builder(OrderRepository.inMemory(), bus, locations, SECRET);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder.resources(resources));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }
}
