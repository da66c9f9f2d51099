package org.ordertracking.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderStateMachine;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.TransitionRequest;
import org.ordertracking.core.TransitionResult;
import org.ordertracking.jdbc.JdbcConfig;
import org.ordertracking.jdbc.JdbcOrderRepository;
import org.ordertracking.jdbc.JdbcSchema;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link JdbcOrderRepository} transitions: each op is one committed transaction (lock the order
 * row, check the edge, update the status, append the event) — orders cycle through the happy path,
 * and when one is delivered the next op registers a fresh one (one op in six is a registration).
 * Each JMH thread works on its own orders through a HikariCP pool with one connection per thread.
 * Tables get a random prefix and are dropped afterwards.
 *
 * <p>PostgreSQL comes from system property {@code tracking.test.postgres} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}); H2 runs in memory. Run, e.g. with
 * 4 threads (compare with {@code pgbench -c 4}):
 * {@code java -Dtracking.test.postgres=... -jar benchmarks/target/benchmarks.jar JdbcTransitionBenchmark -f 1 -wi 2 -i 3 -t 4}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class JdbcTransitionBenchmark {
    private static final OrderStatus[] HAPPY_PATH = {OrderStatus.ACCEPTED, OrderStatus.PREPARING,
        OrderStatus.READY, OrderStatus.PICKED_UP, OrderStatus.DELIVERED};

    @Param({"h2", "postgresql"})
    public String database;

    private HikariDataSource pool;
    private JdbcOrderRepository repository;
    private String prefix;
    private final OrderStateMachine machine = OrderStateMachine.defaults();
    private final AtomicInteger threadIds = new AtomicInteger();

    /** Each thread's current order. */
    @State(Scope.Thread)
    public static class Cursor {
        String thread;
        long counter;
        String orderId;
        int step = HAPPY_PATH.length;
    }

    @Setup(Level.Trial)
    public void setUp() {
        String url = database.equals("h2")
                ? "jdbc:h2:mem:bench_" + UUID.randomUUID().toString().substring(0, 8) + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=20000"
                : System.getProperty("tracking.test.postgres", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(Integer.getInteger("bench.pool", 16));
        config.setPoolName("bench");
        config.setInitializationFailTimeout(5_000);
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException(database + " is not reachable at " + url
                    + " (system property tracking.test.postgres): " + e, e);
        }
        prefix = "b" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_";
        JdbcConfig jdbc = JdbcConfig.builder().tablePrefix(prefix).build();
        JdbcSchema.migrate(pool, jdbc);
        repository = JdbcOrderRepository.builder(pool).config(jdbc).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            for (String table : new String[] {"order_events", "orders", "notifications", "locks", "schema_version"}) {
                statement.execute("DROP TABLE IF EXISTS " + prefix + table);
            }
        } finally {
            pool.close();
        }
    }

    @Benchmark
    public TransitionResult transition(Cursor cursor) {
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        if (cursor.step == HAPPY_PATH.length) {
            if (cursor.thread == null) {
                cursor.thread = "t" + threadIds.incrementAndGet();
            }
            cursor.orderId = "o-" + cursor.thread + "-" + cursor.counter++;
            cursor.step = 0;
            return repository.create(new NewOrder(cursor.orderId, "r-" + cursor.thread, "c-1",
                    new GeoPoint(33.8938, 35.5018)), now, null);
        }
        return repository.transition(TransitionRequest.of(cursor.orderId, HAPPY_PATH[cursor.step++], null, null, now),
                machine);
    }
}
