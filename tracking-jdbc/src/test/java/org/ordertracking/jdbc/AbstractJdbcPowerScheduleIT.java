package org.ordertracking.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.PowerPlan;
import org.ordertracking.core.PowerRisk;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.test.RecordingListener;
import org.ordertracking.test.SettableClock;

/**
 * {@link JdbcPowerSchedule} on a real database, one subclass per database: the plan round-trips, every
 * node sees the same plan, and an at-risk order is announced once across nodes. Each class works on a
 * random table prefix of its own and drops its tables afterwards.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractJdbcPowerScheduleIT {
    private static final ZoneId BEIRUT = ZoneId.of("Asia/Beirut");
    /** 12:00 in Beirut (winter, +02:00). */
    private static final Instant NOON_BEIRUT = Instant.parse("2026-12-02T10:00:00Z");

    private HikariDataSource pool;
    private JdbcConfig config;

    protected abstract HikariDataSource openPool();

    protected void cleanUp() throws Exception {
    }

    @BeforeAll
    void createSchema() {
        pool = openPool();
        config = JdbcConfig.builder().tablePrefix(TestDatabases.randomPrefix()).build();
        assertEquals(JdbcSchema.CURRENT_VERSION, JdbcSchema.migrate(pool, config));
    }

    @AfterAll
    void dropSchema() throws Exception {
        try {
            if (pool != null) {
                TestDatabases.dropTables(pool, config.tablePrefix());
                assertEquals(List.of(), TestDatabases.tablesWithPrefix(pool, config.tablePrefix()), "tables left behind");
                pool.close();
            }
        } finally {
            cleanUp();
        }
    }

    private JdbcPowerSchedule node(Duration refresh) {
        return JdbcPowerSchedule.builder(pool).config(config).refreshInterval(refresh).build();
    }

    private static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static PowerPlan beirutPlan(String restaurant) {
        return PowerPlan.builder()
                .area("hamra", BEIRUT)
                .daily("hamra", LocalTime.of(12, 10), LocalTime.of(14, 0))
                .daily("hamra", LocalTime.of(22, 0, 30), LocalTime.of(2, 0))
                .oneOff("hamra", Instant.parse("2026-12-03T08:00:00Z"), Instant.parse("2026-12-03T09:15:00.250Z"))
                .area("gulf-office", ZoneOffset.ofHours(4))
                .daily("gulf-office", LocalTime.of(6, 0), LocalTime.of(7, 0))
                .restaurant(restaurant, "hamra")
                .restaurant("r-gulf", "gulf-office")
                .build();
    }

    @Test
    void replace_thenAnotherNodeReads_theSamePlan() {
        JdbcPowerSchedule writer = node(Duration.ZERO);
        PowerPlan plan = beirutPlan(id("r"));
        writer.replace(plan);
        assertEquals(plan, writer.plan());
        assertEquals(plan, node(Duration.ZERO).plan());
        writer.replace(PowerPlan.empty());
        assertTrue(node(Duration.ZERO).plan().isEmpty());
        assertEquals(0, pool.getHikariPoolMXBean().getActiveConnections(), "connections leaked");
    }

    @Test
    void aNodeWithARefreshInterval_seesAnotherNodesChange_whenItRefreshes() {
        JdbcPowerSchedule writer = node(Duration.ZERO);
        JdbcPowerSchedule cached = node(Duration.ofHours(1));
        PowerPlan first = beirutPlan(id("r"));
        writer.replace(first);
        assertEquals(first, cached.plan());
        PowerPlan second = beirutPlan(id("r"));
        writer.replace(second);
        assertEquals(first, cached.plan(), "within its refresh interval");
        assertEquals(second, cached.reload());
        assertEquals(second, cached.plan());
        assertEquals(second, node(Duration.ZERO).plan(), "a node without a cache reads it at once");
    }

    @Test
    void twoReplacementsAtOnce_leaveOneWholePlan() throws Exception {
        List<PowerPlan> plans = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            plans.add(beirutPlan(id("r")));
        }
        ExecutorService threads = Executors.newFixedThreadPool(plans.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (PowerPlan plan : plans) {
                JdbcPowerSchedule node = node(Duration.ZERO);
                done.add(threads.submit(() -> {
                    start.await();
                    node.replace(plan);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        PowerPlan result = node(Duration.ZERO).plan();
        assertTrue(plans.contains(result), "one of the plans, whole: " + result.restaurants());
    }

    @Test
    void claimAnnouncement_racedByManyThreadsOnTwoNodes_isWonOnce() throws Exception {
        String order = id("o");
        List<JdbcPowerSchedule> nodes = List.of(node(Duration.ZERO), node(Duration.ZERO));
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> claims = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                JdbcPowerSchedule node = nodes.get(i % 2);
                Callable<Boolean> claim = () -> {
                    start.await();
                    return node.claimAnnouncement(order, NOON_BEIRUT);
                };
                claims.add(threads.submit(claim));
            }
            start.countDown();
            int won = 0;
            for (Future<Boolean> f : claims) {
                won += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(1, won);
        } finally {
            threads.shutdownNow();
        }
        assertFalse(nodes.get(0).claimAnnouncement(order, NOON_BEIRUT.plusSeconds(60)));
        assertTrue(nodes.get(1).claimAnnouncement(id("o"), NOON_BEIRUT));
    }

    @Test
    void twoTrackersOnOneDatabase_announceAnAtRiskOrderOnce() {
        String restaurant = id("r");
        JdbcPowerSchedule shared = node(Duration.ZERO);
        shared.replace(beirutPlan(restaurant));
        SettableClock clock = SettableClock.at(NOON_BEIRUT);
        JdbcOrderRepository repository = JdbcOrderRepository.builder(pool).config(config).build();
        try (EventBus bus = EventBus.inMemory();
                OrderTracker first = OrderTracker.builder().repository(repository).eventBus(bus).clock(clock)
                        .powerSchedule(node(Duration.ZERO)).build();
                OrderTracker second = OrderTracker.builder().repository(repository).eventBus(bus).clock(clock)
                        .powerSchedule(node(Duration.ofSeconds(5))).build()) {
            RecordingListener operations = new RecordingListener();
            try (Subscription subscription = bus.subscribe(Topic.operations(), operations)) {
                String order = id("o");
                first.register(new NewOrder(order, restaurant, "c-1", new GeoPoint(33.8966, 35.4823)));
                Envelope envelope = operations.next();
                PowerRisk risk = ((TrackingMessage.OrderAtRisk) envelope.message()).risk();
                assertEquals(order, risk.orderId());
                assertEquals(Instant.parse("2026-12-02T10:10:00Z"), risk.cut().start());
                assertEquals(PowerRisk.Reason.PLACED_BEFORE_CUT, risk.reason());

                clock.advance(Duration.ofMinutes(1));
                assertTrue(second.sweepPowerRisk() >= 1, "the other node counts it");
                assertTrue(first.sweepPowerRisk() >= 1);
                assertEquals(9, second.powerRisk(second.order(order)).orElseThrow().minutesUntil());
                // a marker after the sweeps: had either announced again, it would arrive before it
                bus.publish(Topic.operations(), new TrackingMessage.DriverAssigned(order, "d-marker"));
                assertEquals("assignment", operations.next().type(), "no second order_at_risk");
            }
        }
    }
}
