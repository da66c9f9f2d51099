package org.ordertracking.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.DuplicateOrderException;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.IllegalTransitionException;
import org.ordertracking.core.NotificationMoment;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.PurgeResult;
import org.ordertracking.core.RetentionConfig;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.TransitionRequest;
import org.ordertracking.core.TransitionResult;
import org.ordertracking.core.UnknownOrderException;
import org.ordertracking.jdbc.internal.Migrations;
import org.ordertracking.test.OrderRepositoryContract;
import org.ordertracking.test.RecordingListener;
import org.ordertracking.test.SettableClock;

/**
 * The repository contract plus what only a database can prove (migrations, connection hygiene on
 * every path, many threads across many orders, a crash between commit and publish), run by one
 * subclass per database. Each class works on its own random table prefix and drops its tables
 * afterwards; after every test the pool must have no connection checked out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractJdbcRepositoryIT extends OrderRepositoryContract {

    protected HikariDataSource pool;
    protected JdbcConfig config;
    private final List<String> prefixes = new CopyOnWriteArrayList<>();

    /** Opens the pool on the database under test, failing loudly if it is not there. */
    protected abstract HikariDataSource openPool();

    /** Releases what {@link #openPool()} made beyond the pool (files); the pool is closed already. */
    protected void cleanUp() throws Exception {
    }

    @BeforeAll
    void createSchema() {
        pool = openPool();
        config = newPrefix();
        assertEquals(Migrations.ALL.size(), JdbcSchema.migrate(pool, config), "a fresh prefix gets every migration");
    }

    @AfterAll
    void dropSchema() throws Exception {
        try {
            if (pool != null) {
                for (String prefix : prefixes) {
                    TestDatabases.dropTables(pool, prefix);
                    assertEquals(List.of(), TestDatabases.tablesWithPrefix(pool, prefix), "tables left behind");
                }
                pool.close();
            }
        } finally {
            cleanUp();
        }
    }

    protected JdbcConfig newPrefix() {
        String prefix = TestDatabases.randomPrefix();
        prefixes.add(prefix);
        return JdbcConfig.builder().tablePrefix(prefix).build();
    }

    @Override
    protected OrderRepository createRepository() {
        return JdbcOrderRepository.builder(pool).config(config).build();
    }

    /** Another node: its own repository instance on the same tables. */
    @Override
    protected OrderRepository secondNode() {
        return createRepository();
    }

    @Override
    protected void dropRepository(OrderRepository repository) {
        assertNoConnectionCheckedOut();
    }

    protected void assertNoConnectionCheckedOut() {
        assertEquals(0, pool.getHikariPoolMXBean().getActiveConnections(), "connections checked out (leaked)");
    }

    @Test
    void migrate_secondRun_appliesNothingAndKeepsData() {
        String id = createOrder();

        assertEquals(0, JdbcSchema.migrate(pool, config));
        assertEquals(0, JdbcSchema.migrate(pool, config));

        assertEquals(OrderStatus.RECEIVED, repository.find(id).orElseThrow().status());
        assertNoConnectionCheckedOut();
    }

    @Test
    void migrate_twoAtOnceOnAFreshPrefix_appliesTheSchemaExactlyOnce() throws Exception {
        JdbcConfig fresh = newPrefix();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                runs.add(threads.submit(() -> {
                    start.await();
                    return JdbcSchema.migrate(pool, fresh);
                }));
            }
            start.countDown();
            int applied = 0;
            for (Future<Integer> run : runs) {
                applied += run.get(60, TimeUnit.SECONDS);
            }
            assertEquals(Migrations.ALL.size(), applied, "every migration applied once, by one of them");
        } finally {
            threads.shutdownNow();
        }
        OrderRepository other = JdbcOrderRepository.builder(pool).config(fresh).build();
        other.create(new NewOrder("o-1", "r-1", "c-1", new GeoPoint(1, 2)), T0, null);
        assertEquals(1, other.events("o-1", 0).size());
        assertTrue(repository.find("o-1").isEmpty(), "prefixes keep their data apart");
        assertNoConnectionCheckedOut();
    }

    @Test
    void errorPaths_everyRefusal_returnsItsConnection() {
        String id = createOrder();
        assertThrows(DuplicateOrderException.class,
                () -> repository.create(new NewOrder(id, "r", "c", new GeoPoint(0, 0)), T0, null));
        assertThrows(UnknownOrderException.class, () -> move(newId("missing"), OrderStatus.ACCEPTED, T0));
        assertThrows(UnknownOrderException.class, () -> repository.assignDriver(newId("missing"), "d-1", T0));
        assertThrows(IllegalTransitionException.class, () -> move(id, OrderStatus.DELIVERED, T0));
        assertThrows(IllegalTransitionException.class, () -> repository.transition(
                new TransitionRequest(id, OrderStatus.ACCEPTED, null, null, T0, OrderStatus.READY), MACHINE));
        walk(id, List.of(OrderStatus.FAILED));
        assertThrows(IllegalTransitionException.class, () -> repository.assignDriver(id, "d-1", T0));
        assertThrows(IllegalTransitionException.class, () -> repository.changeDriver(id, null, T0));
        assertThrows(UnknownOrderException.class, () -> repository.changeDriver(newId("missing"), null, T0));
        assertThrows(IllegalStateException.class, () -> repository.relayUnpublished(Instant.MAX, 10, event -> {
            throw new IllegalStateException("bus down");
        }));
        assertNoConnectionCheckedOut();
    }

    @Test
    void everyOperation_tablesMissing_throwsJdbcStoreExceptionAndReturnsItsConnection() {
        OrderRepository missing = JdbcOrderRepository.builder(pool)
                .config(JdbcConfig.builder().tablePrefix(TestDatabases.randomPrefix()).build()).build();
        NewOrder order = new NewOrder("o-1", "r-1", "c-1", new GeoPoint(0, 0));

        assertThrows(JdbcStoreException.class, () -> missing.create(order, T0, null));
        assertThrows(JdbcStoreException.class,
                () -> missing.transition(TransitionRequest.of("o-1", OrderStatus.ACCEPTED, null, null, T0), MACHINE));
        assertThrows(JdbcStoreException.class, () -> missing.assignDriver("o-1", "d-1", T0));
        assertThrows(JdbcStoreException.class, () -> missing.changeDriver("o-1", null, T0));
        assertThrows(JdbcStoreException.class, () -> missing.activeOrdersOfDriver("d-1"));
        assertThrows(JdbcStoreException.class, () -> missing.find("o-1"));
        assertThrows(JdbcStoreException.class, () -> missing.events("o-1", 0));
        assertThrows(JdbcStoreException.class, () -> missing.activeOrdersOfRestaurant("r-1"));
        assertThrows(JdbcStoreException.class, () -> missing.findByStatus(OrderStatus.RECEIVED, null, 10));
        assertThrows(JdbcStoreException.class, () -> missing.relayUnpublished(Instant.MAX, 10, e -> { }));
        assertThrows(JdbcStoreException.class,
                () -> missing.markPublished(List.of(new org.ordertracking.core.EventRef("o-1", 1))));
        assertThrows(JdbcStoreException.class, () -> missing.claimNotification("o-1",
                org.ordertracking.core.NotificationMoment.ACCEPTED, T0));
        assertThrows(JdbcStoreException.class, () -> missing.purgeTerminal(T0, 10));
        assertNoConnectionCheckedOut();
    }

    @Test
    void transition_orderRowAheadOfItsTrail_throwsTornHistoryAndChangesNothing() throws Exception {
        JdbcConfig own = newPrefix();
        JdbcSchema.migrate(pool, own);
        JdbcOrderRepository torn = JdbcOrderRepository.builder(pool).config(own).build();
        String id = newId("torn");
        torn.create(new NewOrder(id, "r-1", "c-1", new GeoPoint(33.9, 35.5)), T0, "test");
        torn.transition(TransitionRequest.of(id, OrderStatus.ACCEPTED, null, "test", T0), MACHINE);
        execute("DELETE FROM " + own.tablePrefix() + "order_events WHERE order_id = '" + id + "' AND seq = 2");

        // the retry of a transition whose answer was lost: the row says it happened, the trail does not
        TornHistoryException e = assertThrows(TornHistoryException.class, () -> torn.transition(
                TransitionRequest.of(id, OrderStatus.ACCEPTED, null, "test", T0.plusSeconds(1)), MACHINE));
        assertEquals(id, e.orderId());
        assertEquals(2, e.orderSeq());
        assertEquals(1, e.trailSeq());
        assertTrue(e.getMessage().contains("at seq 2 (accepted)") && e.getMessage().contains("ends at seq 1")
                && e.getMessage().contains("A torn history"), e.getMessage());
        assertEquals(2, torn.find(id).orElseThrow().seq(), "nothing changed");
        assertEquals(1, torn.events(id, 0).size(), "nothing changed");
        assertNoConnectionCheckedOut();
    }

    @Test
    void transition_trailAheadOfItsOrderRow_throwsTornHistoryAndChangesNothing() throws Exception {
        JdbcConfig own = newPrefix();
        JdbcSchema.migrate(pool, own);
        JdbcOrderRepository torn = JdbcOrderRepository.builder(pool).config(own).build();
        String id = newId("torn");
        torn.create(new NewOrder(id, "r-1", "c-1", new GeoPoint(33.9, 35.5)), T0, "test");
        execute("INSERT INTO " + own.tablePrefix() + "order_events (order_id, seq, status, previous_status,"
                + " occurred_at, published) VALUES ('" + id + "', 2, 'accepted', 'received', " + T0.toEpochMilli()
                + ", FALSE)");

        TornHistoryException e = assertThrows(TornHistoryException.class, () -> torn.transition(
                TransitionRequest.of(id, OrderStatus.ACCEPTED, null, "test", T0.plusSeconds(1)), MACHINE));
        assertEquals(id, e.orderId());
        assertEquals(1, e.orderSeq());
        assertTrue(e.getMessage().contains("already holds seq 2"), e.getMessage());
        assertEquals(1, torn.find(id).orElseThrow().seq(), "nothing changed");
        assertEquals(OrderStatus.RECEIVED, torn.find(id).orElseThrow().status(), "nothing changed");
        assertEquals(2, torn.events(id, 0).size(), "nothing changed");
        assertNoConnectionCheckedOut();
    }

    /** Runs {@code sql} on its own connection, in auto-commit: a person editing rows by hand. */
    protected void execute(String sql) throws java.sql.SQLException {
        try (java.sql.Connection connection = pool.getConnection();
                java.sql.Statement statement = connection.createStatement()) {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            statement.execute(sql);
        }
    }

    @Test
    void create_instantWithMicroseconds_returnsItTruncatedExactlyAsStored() {
        String id = newId("o");
        Instant at = T0.plusNanos(456_789);
        TransitionResult result = repository.create(new NewOrder(id, "r", "c", new GeoPoint(0, 0)), at, null);

        assertEquals(T0, result.order().createdAt());
        assertEquals(result.order(), repository.find(id).orElseThrow());
        assertEquals(List.of(result.event()), repository.events(id, 0));
    }

    @Test
    void transitions_16ThreadsAcross200Orders_leaveGaplessTrailsAndEachEventRelayedOnce() throws Exception {
        int orders = 200;
        int threads = 16;
        int attemptsPerThread = 150;
        List<String> ids = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < orders; i++) {
            String id = createOrder();
            index.put(id, ids.size());
            ids.add(id);
        }
        AtomicLongArray applied = new AtomicLongArray(orders);
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        Map<String, AtomicInteger> relayed = new ConcurrentHashMap<>();
        AtomicBoolean working = new AtomicBoolean(true);
        AtomicInteger clock = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Random random = new Random(t);
                String actor = "worker:" + t;
                workers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < attemptsPerThread; i++) {
                        String id = ids.get(random.nextInt(orders));
                        try {
                            TrackedOrder order = repository.find(id).orElseThrow();
                            if (order.status().isTerminal()) {
                                continue;
                            }
                            OrderStatus next = random.nextInt(12) == 0 ? OrderStatus.FAILED
                                    : HAPPY_PATH.get(HAPPY_PATH.indexOf(order.status()) + 1);
                            TransitionResult result = repository.transition(new TransitionRequest(id, next, null,
                                    actor, T0.plusMillis(clock.incrementAndGet()), order.status()), MACHINE);
                            if (result.applied()) {
                                applied.incrementAndGet(index.get(id));
                            }
                        } catch (IllegalTransitionException e) {
                            // another worker moved the order first: the expected outcome of the race
                        } catch (Throwable e) {
                            unexpected.add(e);
                        }
                    }
                    return null;
                }));
            }
            Future<?> relay = pool.submit(() -> {
                start.await();
                while (working.get()) {
                    try {
                        repository.relayUnpublished(Instant.MAX, 50, event -> relayed
                                .computeIfAbsent(event.orderId() + "#" + event.seq(), k -> new AtomicInteger())
                                .incrementAndGet());
                    } catch (Throwable e) {
                        unexpected.add(e);
                        return null;
                    }
                }
                return null;
            });
            start.countDown();
            for (Future<?> worker : workers) {
                worker.get(300, TimeUnit.SECONDS);
            }
            working.set(false);
            relay.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        relayAll(Instant.MAX, new ArrayList<>() {
            @Override
            public boolean add(OrderEvent event) {
                relayed.computeIfAbsent(event.orderId() + "#" + event.seq(), k -> new AtomicInteger())
                        .incrementAndGet();
                return true;
            }
        });

        assertEquals(List.of(), unexpected);
        long total = 0;
        for (String id : ids) {
            TrackedOrder order = repository.find(id).orElseThrow();
            int count = (int) order.seq();
            assertGapless(id, count);
            assertEquals(count - 1, applied.get(index.get(id)), "applied transitions of " + id);
            for (int seq = 1; seq <= count; seq++) {
                AtomicInteger times = relayed.get(id + "#" + seq);
                assertEquals(1, times == null ? 0 : times.get(), id + "#" + seq + " relayed exactly once");
            }
            total += count - 1;
        }
        assertTrue(total > orders, "the workers should have moved orders, but applied only " + total);
        assertNoConnectionCheckedOut();
    }

    @Test
    void relay_afterCrashBetweenCommitAndPublish_newTrackerPublishesTheEventsExactlyAsStored() throws Exception {
        JdbcConfig own = newPrefix();
        JdbcSchema.migrate(pool, own);
        SettableClock clock = SettableClock.at("2026-11-24T12:00:00.456Z");
        String id = newId("o");
        try (EventBus down = new FailingBus();
                OrderTracker crashed = OrderTracker.builder()
                        .repository(JdbcOrderRepository.builder(pool).config(own).build())
                        .eventBus(down).clock(clock).build()) {
            crashed.register(new NewOrder(id, "r-1", "c-1", new GeoPoint(33.9, 35.5)), "test");
            clock.advanceSeconds(1);
            crashed.transition(id, OrderStatus.ACCEPTED, "ok", "restaurant:r-1");
            clock.advanceSeconds(1);
            crashed.transition(id, OrderStatus.PREPARING);
        }
        clock.advanceSeconds(1);
        OrderRepository restarted = JdbcOrderRepository.builder(pool).config(own).build();
        List<OrderEvent> stored = restarted.events(id, 0);
        assertEquals(3, stored.size());
        RecordingListener listener = new RecordingListener();
        try (EventBus bus = EventBus.inMemory();
                Subscription subscription = bus.subscribe(Topic.order(id), listener);
                OrderTracker tracker = OrderTracker.builder().repository(restarted).eventBus(bus).clock(clock)
                        .relayGrace(Duration.ZERO).build()) {

            assertEquals(3, tracker.relayUnpublished());

            List<OrderEvent> published = listener.await(3).stream()
                    .map(envelope -> ((TrackingMessage.StatusUpdate) envelope.message()).event()).toList();
            assertEquals(stored, published);
            assertEquals(0, tracker.relayUnpublished(), "relayed events are marked published");
        }
        assertNoConnectionCheckedOut();
    }

    @Test
    void relay_afterCrashBetweenCommitAndPublishOfAFailure_sendsTheDriverItsCancelled() throws Exception {
        JdbcConfig own = newPrefix();
        JdbcSchema.migrate(pool, own);
        SettableClock clock = SettableClock.at("2026-11-24T12:00:00.456Z");
        String id = newId("o");
        String driver = newId("d");
        try (EventBus down = new FailingBus();
                OrderTracker crashed = OrderTracker.builder()
                        .repository(JdbcOrderRepository.builder(pool).config(own).build())
                        .eventBus(down).clock(clock).build()) {
            crashed.register(new NewOrder(id, "r-1", "c-1", new GeoPoint(33.9, 35.5)), "test");
            crashed.assignDriver(id, driver);
            clock.advanceSeconds(1);
            crashed.transition(id, OrderStatus.FAILED, "customer_cancelled", "operator:ops");
        }
        clock.advanceSeconds(1);
        RecordingListener driverTopic = new RecordingListener();
        try (EventBus bus = EventBus.inMemory();
                Subscription subscription = bus.subscribe(Topic.driver(driver), driverTopic);
                OrderTracker tracker = OrderTracker.builder()
                        .repository(JdbcOrderRepository.builder(pool).config(own).build())
                        .eventBus(bus).clock(clock).relayGrace(Duration.ZERO).build()) {

            assertEquals(2, tracker.relayUnpublished());

            assertEquals(List.of(new TrackingMessage.OrderCancelled(id, driver)),
                    driverTopic.await(1).stream().map(Envelope::message).toList());
            assertEquals(0, tracker.relayUnpublished(), "relayed events are marked published");
        }
        assertNoConnectionCheckedOut();
    }

    @Test
    void migrate_fromVersion1_keepsEveryDriversLiveOrdersFindable() throws Exception {
        JdbcConfig old = newPrefix();
        String prefix = old.tablePrefix();
        try (java.sql.Connection connection = pool.getConnection();
                java.sql.Statement statement = connection.createStatement()) {
            org.ordertracking.jdbc.internal.Dialect dialect = org.ordertracking.jdbc.internal.Dialect.of(connection);
            statement.execute("CREATE TABLE " + prefix + "schema_version (version INT NOT NULL, "
                    + "description VARCHAR(200) NOT NULL, installed_at BIGINT NOT NULL, "
                    + "CONSTRAINT " + prefix + "schema_version_pk PRIMARY KEY (version))");
            for (String sql : org.ordertracking.jdbc.internal.Migrations.statements(dialect,
                    org.ordertracking.jdbc.internal.Migrations.ALL.get(0), prefix)) {
                statement.execute(sql);
            }
            statement.execute("INSERT INTO " + prefix + "schema_version (version, description, installed_at) "
                    + "VALUES (1, 'tracking_schema', 0)");
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
        }
        OrderRepository before = JdbcOrderRepository.builder(pool).config(old).build();
        String live = newId("o");
        String delivered = newId("o");
        String driver = newId("d");
        for (String id : List.of(live, delivered)) {
            before.create(new NewOrder(id, "r-1", "c-1", new GeoPoint(33.9, 35.5)), T0, null);
            before.changeDriver(id, driver, T0);
        }
        for (OrderStatus status : HAPPY_PATH) {
            before.transition(TransitionRequest.of(delivered, status, null, null, T0.plusSeconds(1)), MACHINE);
        }

        assertEquals(Migrations.ALL.size() - 1, JdbcSchema.migrate(pool, old), "only the missing versions");

        OrderRepository after = JdbcOrderRepository.builder(pool).config(old).build();
        assertEquals(List.of(live), after.activeOrdersOfDriver(driver).stream().map(TrackedOrder::orderId).toList());
        after.changeDriver(live, null, T0.plusSeconds(2));
        assertEquals(List.of(), after.activeOrdersOfDriver(driver));
        assertNoConnectionCheckedOut();
    }

    // ---- retention on a database ---------------------------------------------------------------

    @Test
    void purge_whileAnotherNodeHoldsTheRetentionLock_isBusyAndDeletesNothing() throws Exception {
        String id = orderFinishedAt(LONG_AGO, OrderStatus.FAILED);
        Instant cutoff = LONG_AGO.plus(Duration.ofDays(30));
        try (java.sql.Connection holder = pool.getConnection()) {
            holder.setAutoCommit(false);
            try (java.sql.Statement lock = holder.createStatement();
                    java.sql.ResultSet row = lock.executeQuery("SELECT name FROM " + config.tablePrefix()
                            + "locks WHERE name = 'retention' FOR UPDATE")) {
                assertTrue(row.next(), "the migration inserts the retention lock row");
            }

            assertEquals(PurgeResult.busyElsewhere(), secondNode().purgeTerminal(cutoff, 100));
            assertEquals(PurgeResult.busyElsewhere(), repository.purgeTerminal(cutoff, 100));
            assertEquals(OrderStatus.FAILED, repository.find(id).orElseThrow().status());

            holder.rollback();
            holder.setAutoCommit(true);
        }
        assertTrue(repository.purgeTerminal(cutoff, 100).purged() >= 1);
        assertPurged(id);
        assertNoConnectionCheckedOut();
    }

    @Test
    void purge_leavesNoRowOfTheOrderInAnyTable() throws Exception {
        String id = orderFinishedAt(LONG_AGO, OrderStatus.DELIVERED);
        assertTrue(repository.claimNotification(id, NotificationMoment.DELIVERED, LONG_AGO.plusSeconds(5)));
        assertEquals(List.of(1, 6, 1), rowsOf(id));

        assertTrue(repository.purgeTerminal(LONG_AGO.plus(Duration.ofDays(31)), 500).purged() >= 1);

        assertEquals(List.of(0, 0, 0), rowsOf(id), "orders, order_events, notifications rows of " + id);
        assertNoConnectionCheckedOut();
    }

    /** Counts the order's rows in the orders, events and notifications tables. */
    private List<Integer> rowsOf(String orderId) throws Exception {
        List<Integer> counts = new ArrayList<>();
        try (java.sql.Connection connection = pool.getConnection()) {
            for (String table : List.of("orders", "order_events", "notifications")) {
                try (java.sql.PreparedStatement count = connection.prepareStatement(
                        "SELECT COUNT(*) FROM " + config.tablePrefix() + table + " WHERE order_id = ?")) {
                    count.setString(1, orderId);
                    try (java.sql.ResultSet rows = count.executeQuery()) {
                        rows.next();
                        counts.add(rows.getInt(1));
                    }
                }
            }
        }
        return counts;
    }

    @Test
    void purge_lockRowDeletedByHand_isPutBackAndThePurgeRuns() throws Exception {
        JdbcConfig own = newPrefix();
        JdbcSchema.migrate(pool, own);
        try (java.sql.Connection connection = pool.getConnection();
                java.sql.Statement statement = connection.createStatement()) {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            assertEquals(1, statement.executeUpdate("DELETE FROM " + own.tablePrefix() + "locks"));
        }
        OrderRepository repo = JdbcOrderRepository.builder(pool).config(own).build();
        repo.create(new NewOrder("o-1", "r-1", "c-1", new GeoPoint(1, 2)), LONG_AGO, null);
        repo.transition(TransitionRequest.of("o-1", OrderStatus.FAILED, null, null, LONG_AGO.plusSeconds(1)), MACHINE);
        repo.markPublished(List.of(new org.ordertracking.core.EventRef("o-1", 1),
                new org.ordertracking.core.EventRef("o-1", 2)));

        assertEquals(PurgeResult.purged(1), repo.purgeTerminal(LONG_AGO.plusSeconds(2), 10));
        assertTrue(repo.find("o-1").isEmpty());
        assertNoConnectionCheckedOut();
    }

    @Test
    void defaultRetention_isOff_soATrackerKeepsTheAuditTrail() {
        assertEquals(RetentionConfig.disabled(), repository.defaultRetention());
        try (OrderTracker tracker = OrderTracker.builder().repository(repository).build()) {
            assertFalse(tracker.retention().enabled());
            IllegalStateException refused = assertThrows(IllegalStateException.class, tracker::purgeExpired);
            assertTrue(refused.getMessage().contains("disabled"), refused.getMessage());
        }
    }

    @Test
    void tracker_withRetentionOn_purgesFinishedOrdersFromTheDatabaseAndTellsOperators() throws Exception {
        JdbcConfig own = newPrefix();
        JdbcSchema.migrate(pool, own);
        SettableClock clock = SettableClock.at("2026-11-24T12:00:00.456Z");
        RecordingListener operations = new RecordingListener();
        try (EventBus bus = EventBus.inMemory();
                Subscription subscription = bus.subscribe(Topic.operations(), operations);
                OrderTracker tracker = OrderTracker.builder()
                        .repository(JdbcOrderRepository.builder(pool).config(own).build())
                        .eventBus(bus).clock(clock)
                        .retention(RetentionConfig.builder().maxAge(Duration.ofDays(30)).build())
                        .build()) {
            String done = newId("o");
            String live = newId("o");
            tracker.register(new NewOrder(done, "r-1", "c-1", new GeoPoint(33.9, 35.5)));
            tracker.register(new NewOrder(live, "r-1", "c-2", new GeoPoint(33.9, 35.5)));
            clock.advanceSeconds(60);
            tracker.transition(done, OrderStatus.FAILED, "customer_cancelled", "operator:ops");
            tracker.transition(live, OrderStatus.ACCEPTED);

            clock.advance(Duration.ofDays(30));
            assertEquals(0, tracker.purgeExpired(), "exactly 30 days old is not older than 30 days");
            clock.advance(Duration.ofMillis(1));
            assertEquals(1, tracker.purgeExpired());

            assertTrue(tracker.find(done).isEmpty());
            assertEquals(OrderStatus.ACCEPTED, tracker.order(live).status());
            assertEquals(1, tracker.purgedOrders());
            TrackingMessage message = operations.await(1).get(0).message();
            assertEquals(new TrackingMessage.RetentionPurged(1, clock.instant().minus(Duration.ofDays(30)),
                    clock.instant()), message);
        }
        assertNoConnectionCheckedOut();
    }

    /** A bus whose every publish fails, as when the broker is down or the process dies before publishing. */
    private static final class FailingBus implements EventBus {
        @Override
        public CompletionStage<Void> publish(Envelope envelope) {
            return CompletableFuture.failedFuture(new IllegalStateException("bus down"));
        }

        @Override
        public Subscription subscribe(Topic topic, BusListener listener) {
            return new Subscription() {
                @Override
                public Topic topic() {
                    return topic;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void close() {
        }
    }
}
