package org.ordertracking.examples.demo;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.Locale;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.NotificationDispatcher;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.PushNotifier;
import org.ordertracking.core.StalenessClassifier;
import org.ordertracking.core.StalenessMonitor;
import org.ordertracking.core.TrackingResources;
import org.ordertracking.jdbc.JdbcOrderRepository;
import org.ordertracking.jdbc.JdbcSchema;
import org.ordertracking.redis.RedisEventBus;
import org.ordertracking.redis.RedisEventBusConfig;
import org.ordertracking.redis.RedisLocationStore;
import org.ordertracking.servlet.JwtAuthorizer;
import org.ordertracking.servlet.JwtIssuer;
import org.ordertracking.servlet.Role;
import org.ordertracking.servlet.TrackingServlet;
import org.ordertracking.servlet.TrackingServletConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo: embedded Jetty 12 serving the tracking adapters under {@code /tracking}, the demo
 * pages, and (unless {@code --no-simulator}) a simulated kitchen and fleet of drivers.
 *
 * <p>Defaults are embedded — in-memory bus and location store, an H2 file database under
 * {@code ./data} — so stopping and starting the demo (a power cut) keeps every order and event.
 * {@code --redis} and {@code --jdbc} switch to real infrastructure without code changes; with both,
 * two demo instances on different ports behave as one system.
 *
 * <p>This class is also the reference for wiring the library into a host application: every piece
 * is created here, in the order a host would create it, and closed in reverse.
 */
public final class DemoApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoApp.class);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final DemoOptions options;
    private final JwtIssuer tokens;
    private final OrderTracker tracker;
    private final Server server;
    private final int port;

    private DemoApp(DemoOptions options) throws Exception {
        this.options = options;
        try {
            byte[] secret = secret(options).getBytes(StandardCharsets.UTF_8);
            tokens = JwtIssuer.of(secret);

            HikariDataSource dataSource = new HikariDataSource(dataSourceConfig(options));
            resources.push(dataSource);
            JdbcSchema.migrate(dataSource);
            OrderRepository repository = JdbcOrderRepository.create(dataSource);
            // one clock, one scheduler and one delivery pool for every component below; closed last
            TrackingResources shared = push(TrackingResources.create());

            EventBus bus;
            LocationStore locations;
            if (options.redisUri() != null) {
                bus = push(RedisEventBus.create(options.redisUri(),
                        RedisEventBusConfig.builder().resources(shared).build()));
                locations = push(RedisLocationStore.create(options.redisUri()));
            } else {
                bus = push(EventBus.inMemory(shared));
                locations = push(LocationStore.inMemory(shared));
            }

            tracker = push(OrderTracker.builder().resources(shared).repository(repository).eventBus(bus).build());
            NotificationDispatcher notifications = push(NotificationDispatcher.builder(repository, loggingNotifier())
                    .resources(shared).build());
            LocationIngestor ingestor = LocationIngestor.builder(locations, repository, bus).resources(shared)
                    .notifications(notifications).build();
            StalenessClassifier bands = StalenessClassifier.of(options.staleAfter(), options.lostAfter());
            push(StalenessMonitor.builder(locations, repository, bus).resources(shared).classifier(bands).build()
                    .start());
            tracker.addListener(ingestor);
            tracker.addListener(notifications);
            tracker.start();

            TrackingServlet tracking = push(new TrackingServlet(TrackingServletConfig
                    .builder(tracker, JwtAuthorizer.of(secret))
                    .trackingTokens(tokens)
                    .locationIngestor(ingestor)
                    .locationStore(locations)
                    .stalenessClassifier(bands)
                    .resources(shared)
                    .build()));

            server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setPort(options.port());
            server.addConnector(connector);
            ServletContextHandler context = new ServletContextHandler();
            ServletHolder trackingHolder = new ServletHolder("tracking", tracking);
            trackingHolder.setAsyncSupported(true);
            context.addServlet(trackingHolder, "/tracking/*");
            context.addServlet(new ServletHolder("pages", new DemoPagesServlet(tracker, this::token,
                    options.staleAfter(), options.lostAfter())), "/");
            JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) ->
                    container.addEndpoint(tracking.driverSocket("/tracking/drivers/{driver_id}/socket")));
            server.setHandler(context);
            server.setStopTimeout(2_000);
            server.start();
            resources.push(server::stop);
            port = connector.getLocalPort();

            if (options.simulator()) {
                TrackingClient client = new TrackingClient(HttpClient.newHttpClient(),
                        URI.create("http://127.0.0.1:" + port + "/tracking"));
                DemoSimulator simulator = push(new DemoSimulator(client, tracker, locations, this::token,
                        URI.create("http://127.0.0.1:" + port + "/tracking"), options.dataDir().resolve("drivers")));
                simulator.start();
            }
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** Starts the demo with {@code options}; the caller closes it. */
    public static DemoApp start(DemoOptions options) throws Exception {
        return new DemoApp(options);
    }

    public static void main(String[] args) throws Exception {
        DemoOptions options;
        try {
            options = DemoOptions.parse(args, System.getenv());
        } catch (DemoOptions.HelpRequested help) {
            System.out.print(DemoOptions.USAGE);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage()); // one line; --help lists the options
            System.exit(2);
            return;
        }
        DemoApp app = start(options);
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "demo-shutdown"));
        System.out.println(app.banner());
        app.server.join();
    }

    /** Returns the HTTP port the demo listens on. */
    public int port() {
        return port;
    }

    public OrderTracker tracker() {
        return tracker;
    }

    /** Mints a token for ("customer" | "restaurant" | "driver" | "operator", subject), valid 24 h. */
    public String token(String role, String subject) {
        return tokens.issue(Role.fromWireName(role.toLowerCase(Locale.ROOT)), subject, Duration.ofHours(24));
    }

    /** The lines printed at start: where to point a browser. */
    String banner() {
        String base = "http://localhost:" + port;
        StringBuilder text = new StringBuilder()
                .append("\nOrder Tracking SDK demo is running.\n\n")
                .append("  Live orders:         ").append(base).append("/\n");
        for (String restaurant : DemoSimulator.RESTAURANTS.keySet()) {
            text.append("  Restaurant board:    ").append(base).append("/restaurant/").append(restaurant)
                    .append("?access_token=").append(token("restaurant", restaurant))
                    .append("&metrics_token=").append(token("operator", "demo-dashboard")).append('\n');
        }
        text.append("  Tracking API:        ").append(base).append("/tracking\n")
                .append("  Storage:             ").append(options.jdbcUrl() != null ? options.jdbcUrl()
                        : "H2 file database in " + options.dataDir().toAbsolutePath()).append('\n')
                .append("  Bus and locations:   ").append(options.redisUri() != null ? options.redisUri()
                        : "in memory (this process)").append('\n')
                .append("  Simulator:           ").append(options.simulator() ? "on (new orders every 15-30 s)"
                        : "off").append('\n')
                .append("\nStop with Ctrl-C; start again with the same command and every order is still there.\n");
        return text.toString();
    }

    @Override
    public void close() {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("could not close {}", resource, e);
            }
        }
    }

    private <T extends AutoCloseable> T push(T resource) {
        resources.push(resource);
        return resource;
    }

    private static HikariConfig dataSourceConfig(DemoOptions options) throws IOException {
        HikariConfig config = new HikariConfig();
        if (options.jdbcUrl() != null) {
            config.setJdbcUrl(options.jdbcUrl());
        } else {
            Path dir = Files.createDirectories(options.dataDir()).toAbsolutePath();
            config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("tracking") + ";DB_CLOSE_ON_EXIT=FALSE");
        }
        config.setPoolName("demo");
        config.setMaximumPoolSize(8);
        return config;
    }

    /**
     * The token secret: {@code TRACKING_JWT_SECRET}, or one generated on first start and kept in the
     * data directory, so the links handed out keep working across a restart (a power cut).
     */
    private static String secret(DemoOptions options) throws IOException {
        if (options.jwtSecret() != null) {
            return options.jwtSecret();
        }
        Path file = Files.createDirectories(options.dataDir()).resolve("jwt-secret");
        if (Files.exists(file)) {
            String kept = Files.readString(file).strip();
            if (kept.length() >= 32) {
                return kept;
            }
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.writeString(file, secret + "\n");
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the file keeps its default permissions
        }
        System.out.println("TRACKING_JWT_SECRET was not set; generated one and kept it in " + file
                + " (set TRACKING_JWT_SECRET to choose your own):\n  TRACKING_JWT_SECRET=" + secret);
        return secret;
    }

    /** A push notifier that logs what a real one would send to the customer's phone. */
    private static PushNotifier loggingNotifier() {
        return (order, moment, eta) -> LOG.info("push to customer {} about order {}: {}", order.customerId(),
                order.orderId(), switch (moment) {
                    case ACCEPTED -> "the restaurant accepted your order";
                    case PICKED_UP -> "your order is on its way";
                    case ARRIVING -> "your driver is about " + Math.max(1, eta.toMinutes()) + " min away";
                    case DELIVERED -> "delivered, enjoy your meal";
                    case FAILED -> "we are sorry, your order could not be completed";
                });
    }
}
