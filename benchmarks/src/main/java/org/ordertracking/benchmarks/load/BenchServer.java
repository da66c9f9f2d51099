package org.ordertracking.benchmarks.load;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStateMachine;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.jdbc.JdbcConfig;
import org.ordertracking.jdbc.JdbcOrderRepository;
import org.ordertracking.jdbc.JdbcSchema;
import org.ordertracking.redis.RedisEventBus;
import org.ordertracking.redis.RedisEventBusConfig;
import org.ordertracking.redis.RedisLocationStore;
import org.ordertracking.redis.RedisLocationStoreConfig;
import org.ordertracking.servlet.JwtAuthorizer;
import org.ordertracking.servlet.JwtIssuer;
import org.ordertracking.servlet.TrackingServlet;
import org.ordertracking.servlet.TrackingServletConfig;

/**
 * The server the load harness starts (in its own process): embedded Jetty 12 on 127.0.0.1 serving
 * {@link TrackingServlet} at {@code /tracking/*} with the driver socket, and
 *
 * <ul>
 *   <li>an in-memory, H2 or PostgreSQL order repository ({@code --store memory|h2|postgres};
 *       PostgreSQL from {@code tracking.test.postgres}, tables with a random prefix dropped on exit,
 *       or with {@code --table-prefix p_} the given prefix, migrated unless {@code --migrate false}
 *       and dropped only with {@code --drop-tables true}: how two nodes share one database);</li>
 *   <li>an in-memory or Redis bus ({@code --bus memory|redis}) and location store
 *       ({@code --locations memory|redis}); Redis from {@code --redis} or {@code tracking.test.redis}
 *       (default {@code redis://127.0.0.1:6379}), channels and keys under {@code --redis-prefix}
 *       (default a random {@code bench:…:}), so two nodes given the same prefix share them.
 *       {@code --store redis} is the shortcut for both on Redis.</li>
 * </ul>
 *
 * <p>The state machine is the default one widened by {@code ready → preparing} and {@code picked_up
 * → ready}, so an order can produce status events for as long as a run lasts without ending its
 * streams, also while a driver is delivering it (the realistic mix toggles picked-up orders to
 * {@code ready} and straight back).
 *
 * <p>{@code GET /bench/stats[?gc=1]} answers the heap in use (after a full GC when asked) and the
 * number of SQL statements executed, counted by a proxy around the {@link DataSource} — what the
 * polling comparison reads. Not for production: it has no authentication.
 */
public final class BenchServer {
    static final LongAdder QUERIES = new LongAdder();

    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = LoadHarness.parse(args);
        int port = Integer.parseInt(opts.getOrDefault("port", "8090"));
        byte[] secret = opts.getOrDefault("secret", LoadHarness.DEFAULT_SECRET).getBytes(StandardCharsets.UTF_8);
        String storeKind = opts.getOrDefault("store", "memory");
        boolean redisShortcut = storeKind.equals("redis");
        if (redisShortcut) {
            storeKind = "memory";
        }
        String busKind = opts.getOrDefault("bus", redisShortcut ? "redis" : "memory");
        String locationsKind = opts.getOrDefault("locations", redisShortcut ? "redis" : "memory");
        String redisUri = opts.getOrDefault("redis", System.getProperty("tracking.test.redis", "redis://127.0.0.1:6379"));
        String redisPrefix = opts.getOrDefault("redis-prefix",
                "bench:" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + ":");

        HikariDataSource pool = null;
        boolean ownTables = !opts.containsKey("table-prefix");
        String prefix = opts.getOrDefault("table-prefix",
                "b" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_");
        boolean dropTables = Boolean.parseBoolean(opts.getOrDefault("drop-tables", Boolean.toString(ownTables)));
        OrderRepository repository;
        if (!storeKind.matches("memory|h2|postgres")) {
            throw new IllegalArgumentException("--store must be memory, h2, postgres or redis, not " + storeKind);
        }
        if (!busKind.matches("memory|redis") || !locationsKind.matches("memory|redis")) {
            throw new IllegalArgumentException("--bus and --locations must be memory or redis");
        }
        if (storeKind.equals("memory")) {
            repository = OrderRepository.inMemory();
        } else {
            HikariConfig hikari = new HikariConfig();
            hikari.setJdbcUrl(storeKind.equals("h2")
                    ? "jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=20000"
                    : System.getProperty("tracking.test.postgres", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres"));
            hikari.setMaximumPoolSize(16);
            hikari.setPoolName("bench-server");
            pool = new HikariDataSource(hikari);
            JdbcConfig jdbc = JdbcConfig.builder().tablePrefix(prefix).build();
            if (Boolean.parseBoolean(opts.getOrDefault("migrate", "true"))) {
                JdbcSchema.migrate(pool, jdbc);
            }
            repository = JdbcOrderRepository.builder(counting(pool)).config(jdbc).build();
        }
        InstantSource clock = InstantSource.system();
        EventBus bus = busKind.equals("redis")
                ? RedisEventBus.create(redisUri, RedisEventBusConfig.builder().channelPrefix(redisPrefix).build())
                : EventBus.inMemory();
        LocationStore locations = locationsKind.equals("redis")
                ? RedisLocationStore.create(redisUri, RedisLocationStoreConfig.builder().keyPrefix(redisPrefix)
                        .geoIndex(false).build())
                : LocationStore.inMemory(clock);
        OrderTracker tracker = OrderTracker.builder().repository(repository).eventBus(bus).clock(clock)
                .stateMachine(OrderStateMachine.defaults().toBuilder()
                        .allow(OrderStatus.READY, OrderStatus.PREPARING)
                        .allow(OrderStatus.PICKED_UP, OrderStatus.READY).build())
                .build();
        LocationIngestor ingestor = LocationIngestor.builder(locations, repository, bus).clock(clock).build();
        tracker.addListener(ingestor);
        tracker.start();

        TrackingServletConfig config = TrackingServletConfig.builder(tracker, JwtAuthorizer.of(secret))
                .trackingTokens(JwtIssuer.of(secret))
                .locationIngestor(ingestor)
                .locationStore(locations)
                .driverRateLimit(1_000_000, Duration.ofSeconds(1))
                // the load client opens thousands of streams, a few tokens, from one address
                .maxStreamsPerSubject(Integer.MAX_VALUE)
                .maxStreamsPerAddress(Integer.MAX_VALUE)
                .streamOpenRate(Integer.MAX_VALUE, Duration.ofSeconds(1))
                .build();
        TrackingServlet servlet = new TrackingServlet(config);

        QueuedThreadPool threads = new QueuedThreadPool(Integer.parseInt(opts.getOrDefault("threads", "64")), 8);
        threads.setName("bench-jetty");
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setAcceptQueueSize(8192);
        connector.setIdleTimeout(Duration.ofMinutes(10).toMillis());
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/tracking/*");
        context.addServlet(new ServletHolder(new StatsServlet()), "/bench/stats");
        JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) ->
                container.addEndpoint(servlet.driverSocket("/tracking/drivers/{driver_id}/socket")));
        server.setHandler(context);
        server.start();
        System.out.println("bench server on http://127.0.0.1:" + port + "/tracking (store " + storeKind + ", bus "
                + busKind + ", locations " + locationsKind
                + (busKind.equals("redis") || locationsKind.equals("redis") ? ", Redis prefix " + redisPrefix : "") + ")");

        HikariDataSource ownedPool = pool;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                servlet.close();
                server.stop();
                tracker.close();
                bus.close();
                locations.close();
                if (ownedPool != null && !dropTables) {
                    ownedPool.close();
                } else if (ownedPool != null) {
                    try (Connection c = ownedPool.getConnection(); Statement s = c.createStatement()) {
                        for (String table : new String[] {"order_events", "orders", "notifications", "locks", "schema_version"}) {
                            s.execute("DROP TABLE IF EXISTS " + prefix + table);
                        }
                    }
                    ownedPool.close();
                }
            } catch (Exception e) {
                e.printStackTrace();
            }
        }));
        server.join();
    }

    /** Heap in use (after GC on request) and SQL statements executed. */
    static final class StatsServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            if (request.getParameter("gc") != null) {
                for (int i = 0; i < 3; i++) {
                    System.gc();
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            Runtime runtime = Runtime.getRuntime();
            response.setContentType("application/json");
            response.getWriter().write("{\"heap_used\":" + (runtime.totalMemory() - runtime.freeMemory())
                    + ",\"queries\":" + QUERIES.sum() + "}");
        }
    }

    /** Wraps a DataSource so every statement execution is counted in {@link #QUERIES}. */
    static DataSource counting(DataSource target) {
        return proxy(DataSource.class, target, (method, result) -> {
            if (result instanceof Connection connection) {
                return proxy(Connection.class, connection, (m, r) -> {
                    if (r instanceof java.sql.CallableStatement s) {
                        return statement(java.sql.CallableStatement.class, s);
                    }
                    if (r instanceof java.sql.PreparedStatement s) {
                        return statement(java.sql.PreparedStatement.class, s);
                    }
                    if (r instanceof Statement s) {
                        return statement(Statement.class, s);
                    }
                    return r;
                });
            }
            return result;
        });
    }

    private static <T extends Statement> T statement(Class<T> type, T target) {
        return proxy(type, target, (method, result) -> result, true);
    }

    private interface Wrap {
        Object apply(java.lang.reflect.Method method, Object result);
    }

    private static <T> T proxy(Class<T> type, T target, Wrap wrap) {
        return proxy(type, target, wrap, false);
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, T target, Wrap wrap, boolean count) {
        InvocationHandler handler = (p, method, args) -> {
            if (count && method.getName().startsWith("execute")) {
                QUERIES.increment();
            }
            if (method.getName().equals("unwrap") && args != null && args[0] instanceof Class<?> c && c.isInstance(target)) {
                return target;
            }
            try {
                return wrap.apply(method, method.invoke(target, args));
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (T) Proxy.newProxyInstance(BenchServer.class.getClassLoader(), new Class<?>[] {type}, handler);
    }
}
