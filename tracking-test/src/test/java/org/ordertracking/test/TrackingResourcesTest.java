package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.NotificationDispatcher;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.PushNotifier;
import org.ordertracking.core.StalenessMonitor;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingResources;

class TrackingResourcesTest {
    private static final PushNotifier NO_PUSH = (order, moment, eta) -> { };

    /** A thread factory that names its threads with a prefix unique to the test and counts them. */
    private static final class CountingThreads implements ThreadFactory {
        final String prefix;
        final List<Thread> made = new CopyOnWriteArrayList<>();

        CountingThreads(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable runnable) {
            Thread thread = new Thread(runnable, prefix + made.size());
            thread.setDaemon(true);
            made.add(thread);
            return thread;
        }

        long alive() {
            return made.stream().filter(Thread::isAlive).count();
        }
    }

    /** Names of the threads each component creates when it gets neither resources nor an executor. */
    private static final List<String> COMPONENT_DEFAULT_THREADS =
            List.of("order-tracker-sweeper", "tracking-notifications", "tracking-staleness", "tracking-bus-");

    private static Set<Thread> componentDefaultThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> COMPONENT_DEFAULT_THREADS.stream().anyMatch(name -> t.getName().startsWith(name)))
                .collect(Collectors.toSet());
    }

    @Test
    void sharedResources_acrossEveryComponent_runOneSchedulerPoolAndOneDeliveryPool() throws Exception {
        CountingThreads threads = new CountingThreads("resources-proof-");
        Set<Thread> before = componentDefaultThreads();
        SettableClock clock = SettableClock.at("2026-11-24T10:00:00Z");
        try (TrackingResources resources = TrackingResources.builder().clock(clock).schedulerThreads(2)
                .deliveryThreads(2).threadFactory(threads).build()) {
            assertEquals(2, threads.alive(), "the delivery pool starts at build; the scheduler starts with its tasks");
            OrderTracker tracker = OrderTracker.builder().resources(resources).sweepInterval(Duration.ofMillis(20))
                    .build().start();
            LocationStore store = LocationStore.inMemory(resources);
            NotificationDispatcher notifications = NotificationDispatcher.builder(tracker.repository(), NO_PUSH)
                    .resources(resources).build();
            StalenessMonitor monitor = StalenessMonitor.builder(store, tracker.repository(), tracker.eventBus())
                    .resources(resources).interval(Duration.ofMillis(20)).build().start();
            ConnectionRegistry registry = ConnectionRegistry.builder().resources(resources).build();
            LocationIngestor ingestor = LocationIngestor.builder(store, tracker.repository(), tracker.eventBus())
                    .resources(resources).notifications(notifications).build();
            tracker.addListener(notifications);
            tracker.addListener(registry);
            tracker.addListener(ingestor);
            EventBus second = EventBus.inMemory(resources);

            // make every component do its work: deliveries on both buses, notifications, periodic tasks
            RecordingListener onTracker = new RecordingListener();
            RecordingListener onSecond = new RecordingListener();
            try (Subscription a = tracker.eventBus().subscribe(Topic.order("o-1"), onTracker);
                    Subscription b = second.subscribe(Topic.order("o-2"), onSecond)) {
                tracker.register(new NewOrder("o-1", "r-1", "c-1", new GeoPoint(33.9, 35.5)));
                tracker.transition("o-1", OrderStatus.ACCEPTED);
                second.publish(Topic.order("o-2"), new org.ordertracking.core.TrackingMessage.DriverAssigned("o-2", "d-1"));
                onTracker.await(2);
                onSecond.next();
            }
            CountDownLatchTask.runOn(resources.scheduler(), 4); // four tasks at once: the pool is as big as it gets

            assertEquals(4, threads.made.size(), "one scheduler pool (2) and one delivery pool (2), nothing else: "
                    + threads.made);
            Set<Thread> created = componentDefaultThreads();
            created.removeAll(before); // threads of earlier tests may end meanwhile; none may start
            assertEquals(Set.of(), created, "no component created threads of its own");
            assertSame(clock, tracker.clock());

            second.close();
            monitor.close();
            notifications.close();
            tracker.close();
            assertFalse(resources.scheduler().isShutdown(), "no component shuts down the shared scheduler");
            resources.scheduler().submit(() -> { }).get(10, TimeUnit.SECONDS);
        }
        for (Thread thread : threads.made) {
            thread.join(10_000);
        }
        assertEquals(0, threads.alive(), "closing the resources stopped every owned thread");
    }

    /** Runs {@code n} tasks that wait for each other, so a pool starts all the threads it may. */
    private static final class CountDownLatchTask {
        static void runOn(ScheduledExecutorService scheduler, int n) throws Exception {
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(n);
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(scheduler.submit(() -> {
                    started.countDown();
                    started.await(200, TimeUnit.MILLISECONDS);
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> future : futures) {
                future.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void create_ownsNamedDaemonThreads_andCloseStopsThem() throws Exception {
        TrackingResources resources = TrackingResources.create();
        assertTrue(resources.ownsScheduler());
        assertTrue(resources.ownsDeliveryExecutor());
        Thread scheduled = resources.scheduler().submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
        CompletableFuture<Thread> delivered = new CompletableFuture<>();
        resources.deliveryExecutor().execute(() -> delivered.complete(Thread.currentThread()));
        Thread delivery = delivered.get(10, TimeUnit.SECONDS);

        assertTrue(scheduled.isDaemon() && scheduled.getName().startsWith(TrackingResources.SCHEDULER_THREAD_PREFIX),
                scheduled.getName());
        assertTrue(delivery.isDaemon() && delivery.getName().startsWith(TrackingResources.DELIVERY_THREAD_PREFIX),
                delivery.getName());

        resources.close();
        assertTrue(resources.isClosed());
        assertTrue(resources.scheduler().awaitTermination(10, TimeUnit.SECONDS));
        delivery.join(10_000);
        assertFalse(delivery.isAlive(), "the owned delivery threads stop on close");
        assertThrows(RejectedExecutionException.class, () -> resources.deliveryExecutor().execute(() -> { }));
    }

    @Test
    void close_neverShutsDownSharedExecutors_andIsIdempotent() throws Exception {
        ScheduledExecutorService hostScheduler = Executors.newScheduledThreadPool(2);
        ExecutorService hostDelivery = Executors.newFixedThreadPool(2);
        try {
            TrackingResources resources = TrackingResources.builder().scheduler(hostScheduler)
                    .deliveryExecutor(hostDelivery).build();
            assertFalse(resources.ownsScheduler());
            assertFalse(resources.ownsDeliveryExecutor());
            assertSame(hostScheduler, resources.scheduler());
            assertSame(hostDelivery, resources.deliveryExecutor());

            resources.close();
            resources.close();

            assertFalse(hostScheduler.isShutdown());
            assertFalse(hostDelivery.isShutdown());
            assertEquals("ok", hostScheduler.submit(() -> "ok").get(10, TimeUnit.SECONDS));
        } finally {
            hostScheduler.shutdownNow();
            hostDelivery.shutdownNow();
        }
    }

    @Test
    void componentsOnSharedResources_neverShutThemDown_andBusDeliversOnTheSharedExecutor() throws Exception {
        ScheduledExecutorService hostScheduler = Executors.newScheduledThreadPool(2);
        AtomicInteger deliveries = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        java.util.concurrent.Executor hostDelivery = task -> {
            deliveries.incrementAndGet();
            pool.execute(task);
        };
        try (TrackingResources resources = TrackingResources.builder().scheduler(hostScheduler)
                .deliveryExecutor(hostDelivery).build()) {
            OrderTracker tracker = OrderTracker.builder().resources(resources).build().start();
            RecordingListener listener = new RecordingListener();
            tracker.eventBus().subscribe(Topic.order("o-1"), listener);
            tracker.register(new NewOrder("o-1", "r-1", "c-1", new GeoPoint(33.9, 35.5)));
            listener.next();
            assertTrue(deliveries.get() > 0, "the tracker's default bus delivered on the shared executor");

            tracker.close();
            assertFalse(hostScheduler.isShutdown());
            assertFalse(pool.isShutdown());
        } finally {
            hostScheduler.shutdownNow();
            pool.shutdownNow();
        }
    }

    @Test
    void explicitSetters_winOverResources() {
        SettableClock resourcesClock = SettableClock.at("2026-11-24T10:00:00Z");
        SettableClock ownClock = SettableClock.at("2030-01-01T00:00:00Z");
        try (TrackingResources resources = TrackingResources.builder().clock(resourcesClock).build();
                OrderTracker onResources = OrderTracker.builder().resources(resources).build();
                OrderTracker overridden = OrderTracker.builder().resources(resources).clock(ownClock).build();
                OrderTracker setFirst = OrderTracker.builder().clock(ownClock).resources(resources).build()) {
            assertSame(resourcesClock, onResources.clock());
            assertSame(ownClock, overridden.clock());
            assertSame(ownClock, setFirst.clock(), "the explicit setter wins whatever the order of the calls");
        }
    }

    @Test
    void builders_refuseClosedResources() {
        TrackingResources resources = TrackingResources.create();
        resources.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> OrderTracker.builder().resources(resources));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> EventBus.inMemory(resources));
        assertThrows(IllegalStateException.class, () -> LocationStore.inMemory(resources));
        assertThrows(IllegalStateException.class, () -> ConnectionRegistry.builder().resources(resources));
    }

    @Test
    void builder_badValues_areRejectedShowingTheValue() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> TrackingResources.builder().schedulerThreads(0));
        assertTrue(zero.getMessage().contains("schedulerThreads") && zero.getMessage().contains("0"), zero.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> TrackingResources.builder().deliveryThreads(-3));
        assertTrue(negative.getMessage().contains("-3"), negative.getMessage());
        ScheduledExecutorService host = Executors.newSingleThreadScheduledExecutor();
        try {
            IllegalStateException both = assertThrows(IllegalStateException.class,
                    () -> TrackingResources.builder().schedulerThreads(3).scheduler(host).build());
            assertTrue(both.getMessage().contains("3"), both.getMessage());
        } finally {
            host.shutdownNow();
        }
    }
}
