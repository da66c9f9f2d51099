package org.ordertracking.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.PowerSchedule;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.jdbc.JdbcOrderRepository;
import org.ordertracking.jdbc.JdbcPowerSchedule;
import org.ordertracking.redis.RedisEventBus;
import org.ordertracking.redis.RedisLocationStore;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The JDBC and Redis conditions against the real PostgreSQL and Redis of the machine. */
class TrackingInfrastructureIT {
    static final String POSTGRES = System.getProperty("tracking.test.postgres",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    static final String REDIS = System.getProperty("tracking.test.redis", "redis://127.0.0.1:6379");

    /** One table prefix per test, dropped afterwards, so runs never see each other's rows. */
    private final String prefix = "sb" + UUID.randomUUID().toString().replace("-", "").substring(0, 10)
            .toLowerCase(Locale.ROOT) + "_";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    TrackingJdbcAutoConfiguration.class, TrackingRedisAutoConfiguration.class,
                    TrackingAutoConfiguration.class, TrackingMetricsAutoConfiguration.class,
                    TrackingHealthAutoConfiguration.class))
            .withPropertyValues("spring.datasource.url=" + POSTGRES, "tracking.jdbc.table-prefix=" + prefix,
                    "tracking.redis.channel-prefix=" + prefix + ":", "tracking.redis.key-prefix=" + prefix + ":");

    @AfterEach
    void dropTables() throws Exception {
        try (Connection connection = DriverManager.getConnection(POSTGRES);
                Statement statement = connection.createStatement()) {
            for (String table : List.of("notifications", "order_events", "orders", "power_windows",
                    "power_restaurants", "power_announcements", "power_areas", "power_plan", "locks", "schema_version",
                    "schema_history")) {
                statement.execute("DROP TABLE IF EXISTS " + prefix + table + " CASCADE");
            }
        }
    }

    @Test
    void dataSource_withInitializeSchemaAlways_keepsOrdersInPostgres_andTheOutboxDrains() {
        runner.withPropertyValues("tracking.jdbc.initialize-schema=always")
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(OrderRepository.class)).isInstanceOf(JdbcOrderRepository.class);
                    OrderTracker tracker = context.getBean(OrderTracker.class);
                    assertThat(tracker.retention().enabled()).as("retention is off on a database by default").isFalse();
                    tracker.register(new NewOrder("o-1", "r-1", "c-1", new GeoPoint(33.89, 35.50)));
                    tracker.transition("o-1", OrderStatus.ACCEPTED);
                    assertThat(count("SELECT COUNT(*) FROM " + prefix + "order_events WHERE order_id = 'o-1'"))
                            .isEqualTo(2);

                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    context.getBean(TrackerMeterBinder.class).bindTo(registry);
                    await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                            assertThat(registry.get("tracking.outbox.backlog").gauge().value()).isZero());
                    assertThat(registry.get("tracking.outbox.relay.lag").timeGauge().value(TimeUnit.SECONDS))
                            .isZero();

                    Health health = context.getBean(TrackingHealthIndicator.class).health();
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat(health.getDetails()).containsEntry("repository", "reachable")
                            .containsEntry("bus", "in process").containsEntry("outboxBacklog", 0L);
                });
    }

    @Test
    void retentionEnabled_onPostgres_purgesFinishedOrdersThroughTheTracker() {
        runner.withPropertyValues("tracking.jdbc.initialize-schema=always", "tracking.retention.enabled=true",
                        "tracking.retention.max-age=1ms")
                .run(context -> {
                    OrderTracker tracker = context.getBean(OrderTracker.class);
                    assertThat(tracker.retention()).isEqualTo(org.ordertracking.core.RetentionConfig.builder()
                            .maxAge(Duration.ofMillis(1)).build());
                    tracker.register(new NewOrder("o-3", "r-1", "c-1", new GeoPoint(33.89, 35.50)));
                    tracker.transition("o-3", OrderStatus.FAILED);
                    // the marks of a started tracker are flushed within 250 ms; then the order may go
                    await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                        tracker.purgeExpired();
                        assertThat(count("SELECT COUNT(*) FROM " + prefix + "orders WHERE order_id = 'o-3'")).isZero();
                    });
                    assertThat(count("SELECT COUNT(*) FROM " + prefix + "order_events WHERE order_id = 'o-3'")).isZero();
                });
    }

    @Test
    void powerJdbc_writesTheScheduleIntoTheDatabase_forEveryNodeToRead() {
        runner.withPropertyValues("tracking.jdbc.initialize-schema=always", "tracking.power.jdbc=true",
                "tracking.power.schedule=classpath:power-test.json", "tracking.power.refresh-interval=0s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PowerSchedule schedule = context.getBean(PowerSchedule.class);
                    assertThat(schedule).isInstanceOf(JdbcPowerSchedule.class);
                    assertThat(context.getBean(OrderTracker.class).powerSchedule()).containsSame(schedule);
                    assertThat(count("SELECT COUNT(*) FROM " + prefix + "power_restaurants WHERE restaurant_id = 'r-1'"))
                            .isEqualTo(1);
                    assertThat(count("SELECT COUNT(*) FROM " + prefix + "power_windows")).isEqualTo(1);
                    // another node on the same tables reads the same plan
                    JdbcPowerSchedule other = JdbcPowerSchedule.builder(context.getBean(javax.sql.DataSource.class))
                            .config(org.ordertracking.jdbc.JdbcConfig.builder().tablePrefix(prefix).build()).build();
                    assertThat(other.plan()).isEqualTo(schedule.plan());
                });
    }

    @Test
    void outboxBacklog_atTheThreshold_turnsHealthDown() {
        runner.withPropertyValues("tracking.jdbc.initialize-schema=always", "tracking.health.outbox-backlog-threshold=1")
                .run(context -> {
                    context.getBean(OrderTracker.class)
                            .register(new NewOrder("o-2", "r-1", "c-1", new GeoPoint(33.89, 35.50)));
                    await().atMost(10, TimeUnit.SECONDS).until(() ->
                            count("SELECT COUNT(*) FROM " + prefix + "order_events WHERE NOT published") == 0);
                    try (Connection connection = DriverManager.getConnection(POSTGRES);
                            Statement statement = connection.createStatement()) {
                        // what a bus outage leaves behind: a committed event nobody published
                        statement.executeUpdate("UPDATE " + prefix + "order_events SET published = FALSE");
                    }
                    await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> {
                        Health health = context.getBean(TrackingHealthIndicator.class).health();
                        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                        assertThat(health.getDetails()).containsEntry("outboxBacklog", 1L);
                    });
                });
    }

    @Test
    void initializeSchemaDefault_onPostgres_leavesTheDatabaseAlone_andHealthSaysSo() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(OrderRepository.class)).isInstanceOf(JdbcOrderRepository.class);
            try (Connection connection = DriverManager.getConnection(POSTGRES);
                    ResultSet tables = connection.getMetaData().getTables(null, null, prefix + "%", null)) {
                assertThat(tables.next()).as("no tracking table created on a server database by default").isFalse();
            }
            Health health = context.getBean(TrackingHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat((String) health.getDetails().get("repository")).startsWith("unreachable: ");
        });
    }

    @Test
    void redisUrl_givesTheRedisBusAndStore_whoseEventsCrossTheServer() {
        runner.withPropertyValues("tracking.redis.url=" + REDIS, "tracking.jdbc.initialize-schema=always")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(EventBus.class)).isInstanceOf(RedisEventBus.class);
                    assertThat(context.getBean(LocationStore.class)).isInstanceOf(RedisLocationStore.class);
                    assertThat(context).doesNotHaveBean(RedisClient.class);

                    List<String> seen = new CopyOnWriteArrayList<>();
                    // a second bus on its own connection: what another node hears
                    try (RedisEventBus other = RedisEventBus.create(REDIS,
                            org.ordertracking.redis.RedisEventBusConfig.builder().channelPrefix(prefix + ":").build());
                            Subscription subscription = other.subscribe(Topic.order("o-3"),
                                    envelope -> seen.add(envelope.type()))) {
                        context.getBean(OrderTracker.class)
                                .register(new NewOrder("o-3", "r-1", "c-1", new GeoPoint(33.89, 35.50)));
                        await().atMost(10, TimeUnit.SECONDS).until(() -> seen.contains("status"));
                    }
                    assertThat(context.getBean(TrackingHealthIndicator.class).health().getDetails())
                            .containsEntry("bus", "connected");

                    // the Redis bus fans out to local listeners on the one shared delivery pool
                    List<String> deliveredOn = new CopyOnWriteArrayList<>();
                    try (Subscription local = context.getBean(EventBus.class).subscribe(Topic.order("o-4"),
                            envelope -> deliveredOn.add(Thread.currentThread().getName()))) {
                        context.getBean(OrderTracker.class)
                                .register(new NewOrder("o-4", "r-1", "c-1", new GeoPoint(33.89, 35.50)));
                        await().atMost(10, TimeUnit.SECONDS).until(() -> !deliveredOn.isEmpty());
                    }
                    assertThat(deliveredOn).allMatch(
                            name -> name.startsWith(org.ordertracking.core.TrackingResources.DELIVERY_THREAD_PREFIX));
                    assertThat(context.getBeanFactory().getDependentBeans("trackingResources"))
                            .contains("trackingRedisEventBus");
                });
    }

    @Test
    void applicationsRedisClient_isUsed_andNeverShutDownByUs() {
        RedisClient client = RedisClient.create(REDIS);
        try {
            runner.withPropertyValues("tracking.jdbc.initialize-schema=always")
                    .withBean("appRedis", RedisClient.class, () -> client, definition -> definition.setDestroyMethodName(""))
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        assertThat(context.getBean(TrackingRedisAutoConfiguration.RedisClients.class).standalone())
                                .isSameAs(client);
                        assertThat(context.getBean(EventBus.class)).isInstanceOf(RedisEventBus.class);
                    });
            try (var connection = client.connect()) {
                assertThat(connection.sync().ping()).isEqualTo("PONG");
            }
        } finally {
            client.shutdown();
        }
    }

    private static long count(String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(POSTGRES);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
