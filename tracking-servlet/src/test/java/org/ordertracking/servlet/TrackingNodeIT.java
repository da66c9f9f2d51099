package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ServletException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.TrackerClosedException;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.NotificationMoment;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.PowerPlan;
import org.ordertracking.core.PowerRiskPolicy;
import org.ordertracking.core.PowerSchedule;
import org.ordertracking.core.PushNotifier;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.test.SettableClock;

/** {@link TrackingNode}: every piece built and wired by one call, the mount's failures, and what close closes. */
@Timeout(60)
class TrackingNodeIT {
    private static final byte[] SECRET = RecipeChecks.SECRET;

    @Test
    void build_wiresTrackerIngestorStalenessMonitorAndNotifications() throws Exception {
        SettableClock clock = SettableClock.at(Instant.now());
        OrderRepository repository = OrderRepository.inMemory();
        BlockingQueue<NotificationMoment> pushed = new LinkedBlockingQueue<>();
        PushNotifier notifier = (order, moment, eta) -> pushed.add(moment);
        byte[] secret = SECRET;
        try (EventBus bus = EventBus.inMemory(); LocationStore locations = LocationStore.inMemory(clock)) {
            // tag::node-assembly[]
            TrackingNode node = TrackingNode.builder(repository, bus, locations, secret)   // secret: >= 32 bytes
                    .pushNotifier(notifier)          // optional: the five push notifications
                    .clock(clock)                    // optional: server time of every piece (default: system)
                    .stalenessConfig(monitor -> monitor.interval(Duration.ofMillis(500)))  // optional tuning
                    .build();                        // tracker and staleness monitor running
            // end::node-assembly[]
            try {
                BlockingQueue<Envelope> events = new LinkedBlockingQueue<>();
                Subscription subscription = bus.subscribe(Topic.order("tn-1"), events::add);
                node.tracker().register(new NewOrder("tn-1", "r-1", "c-1", new GeoPoint(33.8938, 35.5018)));
                node.tracker().transition("tn-1", OrderStatus.ACCEPTED);
                assertEquals(NotificationMoment.ACCEPTED, pushed.poll(20, TimeUnit.SECONDS), "the dispatcher is wired");
                node.tracker().transition("tn-1", OrderStatus.PREPARING);
                node.tracker().transition("tn-1", OrderStatus.READY);
                node.tracker().assignDriver("tn-1", "d-1");
                node.tracker().transition("tn-1", OrderStatus.PICKED_UP);

                // the ingestor heard the assignment (a tracker listener) and publishes to the order at once
                node.locationIngestor().ingest("d-1", new LocationFix(33.8886, 35.4955, 8.0, null, null, clock.instant(), clock.instant()));
                assertEquals("location", next(events, "location").type());

                clock.advance(Duration.ofSeconds(45));
                // connection_lost (picked up, no fix yet) and moving (the fix) may come first
                Envelope signal = next(events, "signal");
                while (!signal.json().contains("\"state\":\"low_coverage\"")) {
                    signal = next(events, "signal");
                }
                assertTrue(node.notificationDispatcher().isPresent());
                assertEquals(0, node.connectionRegistry().snapshot().total());
                subscription.close();
            } finally {
                node.close();
            }
        }
    }

    @Test
    void build_runsTheRetentionPolicy_onByDefaultInMemory_andTunedThroughTrackerConfig() throws Exception {
        SettableClock clock = SettableClock.at(Instant.now());
        try (EventBus bus = EventBus.inMemory(); LocationStore locations = LocationStore.inMemory(clock);
                TrackingNode byDefault = TrackingNode.builder(OrderRepository.inMemory(), bus, locations, SECRET)
                        .clock(clock).build();
                TrackingNode tuned = TrackingNode.builder(OrderRepository.inMemory(), bus, locations, SECRET)
                        .clock(clock)
                        .trackerConfig(t -> t.retention(org.ordertracking.core.RetentionConfig.builder()
                                .maxAge(Duration.ofHours(1)).interval(Duration.ofMillis(20)).build()))
                        .build();
                TrackingNode keeping = TrackingNode.builder(OrderRepository.inMemory(), bus, locations, SECRET)
                        .trackerConfig(t -> t.retention(org.ordertracking.core.RetentionConfig.disabled()))
                        .build()) {
            assertEquals(org.ordertracking.core.RetentionConfig.defaults(), byDefault.tracker().retention());
            assertFalse(keeping.tracker().retention().enabled());

            tuned.tracker().register(new NewOrder("tn-ret", "r-1", "c-1", new GeoPoint(33.9, 35.5)));
            tuned.tracker().transition("tn-ret", OrderStatus.FAILED);
            clock.advance(Duration.ofMinutes(61));

            // the node started the tracker, and with it the purge every 20 ms
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> tuned.tracker().find("tn-ret").isEmpty());
            assertEquals(1, tuned.tracker().purgedOrders());
        }
    }

    @Test
    void powerSchedule_reachesTheTracker_withThePolicyOfTrackerConfig() throws Exception {
        // 10:00Z is 12:00 in Beirut (winter, +02:00); hamra's daily cut starts at 12:10 (10:10Z)
        SettableClock clock = SettableClock.at(Instant.parse("2026-12-02T10:00:00Z"));
        PowerSchedule schedule = PowerSchedule.inMemory(PowerPlan.builder().area("hamra", ZoneId.of("Asia/Beirut"))
                .daily("hamra", LocalTime.of(12, 10), LocalTime.of(13, 0)).restaurant("r-1", "hamra").build());
        try (EventBus bus = EventBus.inMemory(); LocationStore locations = LocationStore.inMemory(clock)) {
            BlockingQueue<Envelope> announced = new LinkedBlockingQueue<>();
            try (Subscription s = bus.subscribe(Topic.operations(), announced::add);
                    TrackingNode node = TrackingNode.builder(OrderRepository.inMemory(), bus, locations, SECRET)
                            .clock(clock).powerSchedule(schedule)
                            .trackerConfig(t -> t.powerRiskPolicy(PowerRiskPolicy.of(Duration.ofMinutes(5), Duration.ZERO)))
                            .build()) {
                assertSame(schedule, node.tracker().powerSchedule().orElseThrow());
                var early = node.tracker().register(new NewOrder("tn-p1", "r-1", "c-1", new GeoPoint(33.9, 35.5)));
                assertFalse(node.tracker().powerRisk(early).isPresent(), "the cut is 10 min away, the lead 5");
                clock.set(Instant.parse("2026-12-02T10:06:00Z"));
                node.tracker().register(new NewOrder("tn-p2", "r-1", "c-1", new GeoPoint(33.9, 35.5)));
                Envelope envelope = announced.poll(20, TimeUnit.SECONDS);
                assertEquals("order_at_risk", envelope.type());
                assertEquals("tn-p2", envelope.message().orderId());
            }
        }
    }

    @Test
    void close_twice_isHarmless_andLeavesWhatWasHandedInOpen() throws Exception {
        OrderRepository repository = OrderRepository.inMemory();
        try (EventBus bus = EventBus.inMemory(); LocationStore locations = LocationStore.inMemory(Instant::now)) {
            TrackingNode node = TrackingNode.builder(repository, bus, locations, SECRET).build();
            node.close();
            node.close();
            assertThrows(TrackerClosedException.class,
                    () -> node.tracker().register(new NewOrder("tn-2", "r-1", "c-1", new GeoPoint(33.9, 35.5))));
            // the repository, bus and store still work for the host
            CountDownLatch heard = new CountDownLatch(1);
            try (Subscription s = bus.subscribe(Topic.order("tn-3"), e -> heard.countDown())) {
                try (var tracker = org.ordertracking.core.OrderTracker.builder().repository(repository).eventBus(bus)
                        .build().start()) {
                    tracker.register(new NewOrder("tn-3", "r-1", "c-1", new GeoPoint(33.9, 35.5)));
                }
                assertTrue(heard.await(20, TimeUnit.SECONDS));
            }
            locations.putIfNewer("d-9", new LocationFix(33.9, 35.5, 5.0, null, null, Instant.now(), Instant.now()))
                    .toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertTrue(locations.get("d-9").isPresent());
        }
    }

    @Test
    void build_trackingTokensFromServletConfig_areKept_soTheyPassAnAuthorizerCheckingIssAndAud() throws Exception {
        JwtAuthorizer strict = JwtAuthorizer.builder(SECRET).issuer("https://auth.test").audience("tracking").build();
        JwtIssuer scoped = JwtIssuer.builder(SECRET).issuer("https://auth.test").audience("tracking").build();
        try (EventBus bus = EventBus.inMemory(); LocationStore locations = LocationStore.inMemory(Instant::now);
                TrackingNode node = TrackingNode.builder(OrderRepository.inMemory(), bus, locations, SECRET)
                        .authorizer(strict).servletConfig(s -> s.trackingTokens(scoped)).build();
                TrackingNode plain = TrackingNode.builder(OrderRepository.inMemory(), bus, locations, SECRET).build()) {
            JwtIssuer kept = node.servlet().config().trackingTokens();
            assertSame(scoped, kept);
            assertEquals(new Caller(Role.CUSTOMER, "tn-4"), strict.authenticate(kept.issue(Role.CUSTOMER, "tn-4", Duration.ofMinutes(5))));
            JwtIssuer byDefault = plain.servlet().config().trackingTokens();
            assertEquals(new Caller(Role.CUSTOMER, "tn-4"), plain.servlet().config().authorizer()
                    .authenticate(byDefault.issue(Role.CUSTOMER, "tn-4", Duration.ofMinutes(5))));
        }
    }

    @Test
    void builder_shortSecret_isRejectedBeforeAnythingIsBuilt() {
        try (EventBus bus = EventBus.inMemory(); LocationStore locations = LocationStore.inMemory(Instant::now)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                    TrackingNode.builder(OrderRepository.inMemory(), bus, locations, new byte[16]));
            assertTrue(e.getMessage().contains("16"), e.getMessage());
        }
    }

    @Test
    void mount_onTomcatWithoutWebSocketInitializer_failsTellingHowToFixIt() throws Exception {
        Path baseDir = Files.createTempDirectory("tomcat-node");
        AtomicReference<ServletException> failure = new AtomicReference<>();
        try (EventBus bus = EventBus.inMemory(); LocationStore locations = LocationStore.inMemory(Instant::now);
                TrackingNode node = TrackingNode.builder(OrderRepository.inMemory(), bus, locations, SECRET).build()) {
            Tomcat tomcat = new Tomcat();
            try {
                tomcat.setBaseDir(baseDir.toString());
                tomcat.setPort(0);
                Context context = tomcat.addContext("", null);
                context.addServletContainerInitializer((classes, servletContext) -> {
                    try {
                        node.mount(servletContext, "/tracking");
                    } catch (ServletException e) {
                        failure.set(e);
                        throw e;
                    }
                }, null);
                tomcat.getConnector();
                tomcat.start();
                assertFalse(context.getState().isAvailable(), "the context must not start: " + context.getState());
            } finally {
                tomcat.stop();
                tomcat.destroy();
                Container.deleteRecursively(baseDir);
            }
        }
        String message = failure.get().getMessage();
        assertTrue(message.contains("no jakarta.websocket ServerContainer"), message);
        assertTrue(message.contains("addServletContainerInitializer(new WsSci(), null)"), message);
    }

    @Test
    void mount_badBasePath_isRejectedShowingIt() throws Exception {
        try (EventBus bus = EventBus.inMemory(); LocationStore locations = LocationStore.inMemory(Instant::now);
                TrackingNode node = TrackingNode.builder(OrderRepository.inMemory(), bus, locations, SECRET).build()) {
            jakarta.servlet.ServletContext context = new org.eclipse.jetty.ee10.servlet.ServletContextHandler()
                    .getServletContext();
            for (String bad : new String[] {"tracking", "/tracking/", "/tracking/*"}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> node.mount(context, bad));
                assertTrue(e.getMessage().contains("but was '" + bad + "'"), e.getMessage());
            }
        }
    }

    @Test
    void containerStop_destroysTheServlet_andThatClosesTheNode() throws Exception {
        Path baseDir = Files.createTempDirectory("tomcat-node");
        try (EventBus bus = EventBus.inMemory(); LocationStore locations = LocationStore.inMemory(Instant::now)) {
            TrackingNode node = TrackingNode.builder(OrderRepository.inMemory(), bus, locations, SECRET).build();
            Tomcat tomcat = new Tomcat();
            try {
                tomcat.setBaseDir(baseDir.toString());
                tomcat.setPort(0);
                Context context = tomcat.addContext("", null);
                context.addServletContainerInitializer(new org.apache.tomcat.websocket.server.WsSci(), null);
                context.addServletContainerInitializer((classes, servletContext) ->
                        node.mount(servletContext, "/tracking"), null);
                tomcat.getConnector();
                tomcat.start();
                node.tracker().register(new NewOrder("tn-4", "r-1", "c-1", new GeoPoint(33.9, 35.5)));
                tomcat.stop();
            } finally {
                tomcat.destroy();
                Container.deleteRecursively(baseDir);
            }
            assertThrows(TrackerClosedException.class,
                    () -> node.tracker().register(new NewOrder("tn-5", "r-1", "c-1", new GeoPoint(33.9, 35.5))),
                    "the tracker is closed with the node");
        }
    }

    @Test
    void drain_node_sendsPendingPushesAndFlushesTheTracker_thenClosesEveryPiece() throws Exception {
        OrderRepository repository = OrderRepository.inMemory();
        BlockingQueue<NotificationMoment> pushed = new LinkedBlockingQueue<>();
        try (EventBus bus = EventBus.inMemory(); LocationStore locations = LocationStore.inMemory(Instant::now)) {
            TrackingNode node = TrackingNode.builder(repository, bus, locations, SECRET)
                    .pushNotifier((order, moment, eta) -> pushed.add(moment)).build();
            try {
                node.tracker().register(new NewOrder("tn-6", "r-1", "c-1", new GeoPoint(33.9, 35.5)));
                node.tracker().transition("tn-6", OrderStatus.ACCEPTED);
                java.util.concurrent.CompletableFuture<Void> drained = node.drain(Duration.ofSeconds(5))
                        .toCompletableFuture();
                drained.get(20, TimeUnit.SECONDS);
                assertEquals(NotificationMoment.ACCEPTED, pushed.poll(), "the push went out before the drain ended");
                assertThrows(TrackerClosedException.class,
                        () -> node.tracker().register(new NewOrder("tn-7", "r-1", "c-1", new GeoPoint(33.9, 35.5))));
                assertFalse(node.servlet().isDraining(), "the servlet is closed");
                assertTrue(node.resources().isClosed(), "the node's own resources are closed last");
                // the servlet's drain is the node's: calling it again is the same, finished drain
                node.servlet().drain().toCompletableFuture().get(20, TimeUnit.SECONDS);
                node.drain(Duration.ofSeconds(1)).toCompletableFuture().get(20, TimeUnit.SECONDS);
            } finally {
                node.close();
            }
        }
    }

    @Test
    void drain_badWindow_isRejectedShowingIt_andTheNodeKeepsRunning() throws Exception {
        try (EventBus bus = EventBus.inMemory(); LocationStore locations = LocationStore.inMemory(Instant::now);
                TrackingNode node = TrackingNode.builder(OrderRepository.inMemory(), bus, locations, SECRET).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> node.drain(Duration.ofSeconds(-5)));
            assertEquals("window must be positive, but was PT-5S", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> node.servlet().drain(Duration.ZERO));
            node.tracker().register(new NewOrder("tn-8", "r-1", "c-1", new GeoPoint(33.9, 35.5)));
            assertFalse(node.servlet().isDraining());
        }
    }

    private static Envelope next(BlockingQueue<Envelope> events, String type) {
        return org.awaitility.Awaitility.await("a " + type + " event").atMost(java.time.Duration.ofSeconds(20))
                .pollInterval(java.time.Duration.ofMillis(10))
                .until(() -> {
                    Envelope e;
                    while ((e = events.poll()) != null) {
                        if (e.type().equals(type)) {
                            return e;
                        }
                    }
                    return null;
                }, java.util.Objects::nonNull);
    }
}
