package org.ordertracking.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.NotificationMoment;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.PushNotifier;
import org.ordertracking.core.TrackingResources;
import org.ordertracking.servlet.TrackingServlet;
import org.ordertracking.test.SettableClock;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * One {@link TrackingResources} bean under every tracking bean: one scheduler pool and one delivery
 * pool per application, closed after the beans that use it; the application's own bean wins and is
 * never closed by the starter.
 */
class TrackingResourcesAutoConfigurationTest {
    private static final AutoConfigurations ALL = AutoConfigurations.of(TrackingJdbcAutoConfiguration.class,
            TrackingRedisAutoConfiguration.class, TrackingAutoConfiguration.class,
            TrackingServletAutoConfiguration.class, TrackingMetricsAutoConfiguration.class,
            TrackingHealthAutoConfiguration.class);

    /** Every bean the starter builds on the resources, so each is destroyed before them. */
    private static final List<String> BUILT_ON_RESOURCES = List.of("orderTracker", "trackingEventBus",
            "trackingLocationStore", "trackingLocationIngestor", "trackingStalenessMonitor",
            "trackingNotificationDispatcher", "trackingConnectionRegistry", "trackingServlet", "trackingAuthorizer");

    /** Threads the components start when they get no scheduler or delivery executor of shared resources. */
    private static final List<String> COMPONENT_OWN_THREADS = List.of("order-tracker-sweeper", "tracking-notifications",
            "tracking-staleness", "tracking-bus-", "tracking-servlet-");

    private final BlockingQueue<NotificationMoment> pushed = new LinkedBlockingQueue<>();

    private final WebApplicationContextRunner web = new WebApplicationContextRunner().withConfiguration(ALL)
            .withPropertyValues("tracking.jwt.secret=" + TrackingAutoConfigurationTest.SECRET)
            .withBean(PushNotifier.class, () -> (order, moment, eta) -> pushed.add(moment));

    private static Set<Thread> threadsNamed(List<String> prefixes) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> prefixes.stream().anyMatch(p -> t.getName().startsWith(p)))
                .collect(Collectors.toSet());
    }

    private static Set<Thread> started(Set<Thread> before, String prefix) {
        Set<Thread> now = threadsNamed(List.of(prefix));
        now.removeAll(before);
        return now;
    }

    /** Runs {@code n} tasks that wait for each other, so the scheduler starts every thread it may. */
    private static void saturate(ScheduledExecutorService scheduler, int n) throws Exception {
        CountDownLatch running = new CountDownLatch(n);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(scheduler.submit(() -> {
                running.countDown();
                running.await(500, TimeUnit.MILLISECONDS);
                return null;
            }));
        }
        for (Future<?> future : futures) {
            future.get(20, TimeUnit.SECONDS);
        }
    }

    /** Registers an order and accepts it: the bus delivers, the dispatcher pushes on the scheduler. */
    private void exercise(OrderTracker tracker) throws InterruptedException {
        CountDownLatch delivered = new CountDownLatch(2);
        try (var subscription = tracker.eventBus().subscribe(org.ordertracking.core.Topic.order("rs-1"),
                envelope -> delivered.countDown())) {
            tracker.register(new NewOrder("rs-1", "r-1", "c-1", new GeoPoint(33.89, 35.50)));
            tracker.transition("rs-1", OrderStatus.ACCEPTED);
            assertThat(delivered.await(20, TimeUnit.SECONDS)).as("the bus delivered both events").isTrue();
        }
        assertThat(pushed.poll(20, TimeUnit.SECONDS)).isEqualTo(NotificationMoment.ACCEPTED);
    }

    @Test
    void context_runsOneSchedulerPoolAndOneDeliveryPool_andClosesThemWithTheContext() throws Exception {
        Set<Thread> schedulerBefore = threadsNamed(List.of(TrackingResources.SCHEDULER_THREAD_PREFIX));
        Set<Thread> deliveryBefore = threadsNamed(List.of(TrackingResources.DELIVERY_THREAD_PREFIX));
        Set<Thread> ownBefore = threadsNamed(COMPONENT_OWN_THREADS);
        AtomicReference<TrackingResources> resources = new AtomicReference<>();
        AtomicReference<Set<Thread>> pools = new AtomicReference<>();
        web.withPropertyValues("tracking.resources.scheduler-threads=3", "tracking.resources.delivery-threads=2")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(TrackingResources.class);
                    TrackingResources shared = context.getBean(TrackingResources.class);
                    resources.set(shared);
                    assertThat(shared.ownsScheduler()).isTrue();
                    assertThat(shared.deliveryThreads()).isEqualTo(2);
                    OrderTracker tracker = context.getBean(OrderTracker.class);
                    assertThat(tracker.clock()).isSameAs(shared.clock());
                    assertThat(context.getBean(TrackingServlet.class).config().scheduler())
                            .isSameAs(shared.scheduler());

                    exercise(tracker);
                    saturate(shared.scheduler(), 5);

                    Set<Thread> scheduler = started(schedulerBefore, TrackingResources.SCHEDULER_THREAD_PREFIX);
                    Set<Thread> delivery = started(deliveryBefore, TrackingResources.DELIVERY_THREAD_PREFIX);
                    assertThat(scheduler).as("one scheduler pool of tracking.resources.scheduler-threads")
                            .hasSize(3);
                    assertThat(delivery).as("one delivery pool of tracking.resources.delivery-threads").hasSize(2);
                    Set<Thread> own = threadsNamed(COMPONENT_OWN_THREADS);
                    own.removeAll(ownBefore);
                    assertThat(own).as("no component started threads of its own").isEmpty();

                    // Spring destroys a bean's dependents before the bean: every component before the resources
                    assertThat(context.getBeanFactory().getDependentBeans("trackingResources"))
                            .contains(BUILT_ON_RESOURCES.toArray(String[]::new));
                    Set<Thread> both = new java.util.HashSet<>(scheduler);
                    both.addAll(delivery);
                    pools.set(both);
                });
        assertThat(resources.get().isClosed()).as("closed with the context").isTrue();
        assertThat(resources.get().scheduler().awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        for (Thread thread : pools.get()) {
            thread.join(20_000);
            assertThat(thread.isAlive()).as(thread.getName() + " stopped").isFalse();
        }
    }

    @Test
    void applicationsOwnResources_areUsedByEveryBean_andNeverClosedByTheStarter() throws Exception {
        SettableClock clock = SettableClock.at("2026-12-02T03:00:00Z");
        try (TrackingResources host = TrackingResources.builder().clock(clock).build()) {
            Set<Thread> deliveryBefore = threadsNamed(List.of(TrackingResources.DELIVERY_THREAD_PREFIX));
            Set<Thread> ownBefore = threadsNamed(COMPONENT_OWN_THREADS);
            web.withInitializer(context -> context.getBeanFactory().registerSingleton("hostResources", host))
                    .withPropertyValues("tracking.resources.delivery-threads=7")
                    .run(context -> {
                        assertThat(context).hasNotFailed().hasSingleBean(TrackingResources.class)
                                .doesNotHaveBean("trackingResources");
                        assertThat(context.getBean(TrackingResources.class)).isSameAs(host);
                        OrderTracker tracker = context.getBean(OrderTracker.class);
                        assertThat(tracker.clock()).as("the host's clock").isSameAs(clock);
                        assertThat(context.getBean(TrackingServlet.class).config().scheduler())
                                .isSameAs(host.scheduler());
                        exercise(tracker);
                        assertThat(started(deliveryBefore, TrackingResources.DELIVERY_THREAD_PREFIX))
                                .as("no delivery pool besides the host's").isEmpty();
                        Set<Thread> own = threadsNamed(COMPONENT_OWN_THREADS);
                        own.removeAll(ownBefore);
                        assertThat(own).as("no component started threads of its own").isEmpty();
                    });
            assertThat(host.isClosed()).as("the starter never closes the application's resources").isFalse();
            assertThat(host.scheduler().isShutdown()).isFalse();
            assertThat(host.scheduler().submit(() -> "ok").get(20, TimeUnit.SECONDS)).isEqualTo("ok");
            try (EventBus bus = EventBus.inMemory(host)) {
                CountDownLatch delivered = new CountDownLatch(1);
                try (var s = bus.subscribe(org.ordertracking.core.Topic.order("rs-2"), e -> delivered.countDown())) {
                    bus.publish(org.ordertracking.core.Topic.order("rs-2"),
                            new org.ordertracking.core.TrackingMessage.DriverAssigned("rs-2", "d-1"));
                    assertThat(delivered.await(20, TimeUnit.SECONDS)).as("its delivery pool still runs").isTrue();
                }
            }
        }
    }

    @Test
    void resourcesProperties_unset_takeTheLibraryDefaults() {
        TrackingProperties defaults = new TrackingProperties();
        assertThat(defaults.getResources().getSchedulerThreads()).isNull();
        assertThat(defaults.getResources().getDeliveryThreads()).isNull();
        web.run(context -> {
            TrackingResources resources = context.getBean(TrackingResources.class);
            assertThat(resources.deliveryThreads()).isEqualTo(TrackingResources.DEFAULT_DELIVERY_THREADS);
            assertThat(resources.scheduler()).isInstanceOfSatisfying(java.util.concurrent.ScheduledThreadPoolExecutor.class,
                    pool -> assertThat(pool.getCorePoolSize()).isEqualTo(TrackingResources.DEFAULT_SCHEDULER_THREADS));
        });
    }

    @Test
    void resourcesProperties_notPositive_failStartup_withTheValue() {
        web.withPropertyValues("tracking.resources.scheduler-threads=0", "tracking.resources.delivery-threads=-2")
                .run(context -> {
                    assertThat(context).hasFailed();
                    Throwable failure = context.getStartupFailure();
                    while (failure != null && !(failure instanceof BindValidationException)) {
                        failure = failure.getCause();
                    }
                    assertThat(failure).isNotNull();
                    assertThat(failure.getMessage()).contains("resources.schedulerThreads", "must be positive, but was 0",
                            "resources.deliveryThreads", "must be positive, but was -2");
                });
    }
}
