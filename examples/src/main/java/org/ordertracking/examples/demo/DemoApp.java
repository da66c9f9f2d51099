package org.ordertracking.examples.demo;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
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
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.NotificationDispatcher;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.PowerPlan;
import org.ordertracking.core.PowerRiskPolicy;
import org.ordertracking.core.PushNotifier;
import org.ordertracking.core.RestaurantPresenceMonitor;
import org.ordertracking.core.StalenessClassifier;
import org.ordertracking.core.StalenessMonitor;
import org.ordertracking.core.StuckOrderWatchdog;
import org.ordertracking.core.TrackingResources;
import org.ordertracking.jdbc.JdbcOrderRepository;
import org.ordertracking.jdbc.JdbcPowerSchedule;
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
 * {@code ./data} that writes every commit before acknowledging it ({@code WRITE_DELAY=0}, and
 * {@link JdbcOrderRepository} syncing each of its writes to disk, one at a time) — so stopping, or
 * killing, and starting the demo keeps every order and event it acknowledged.
 *
 * <p>Safe to run as-is on a shared network: it listens on {@code 127.0.0.1} unless {@code --host}
 * widens it (with a loud warning), and then serves only customer tracking pages to other machines;
 * the landing page and restaurant boards, which carry tokens, answer loopback clients only. No
 * operator token is ever put in a page or printed: the demo keeps the one its simulator and its
 * metrics view need in memory. The generated token secret lives in an owner-only file whose path,
 * never its content, is printed.
 * {@code --redis} and {@code --jdbc} switch to real infrastructure without code changes; with both,
 * two demo instances on different ports behave as one system.
 *
 * <p>This class is also the reference for wiring the library into a host application: every piece
 * is created here, in the order a host would create it, and closed in reverse.
 */
public final class DemoApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoApp.class);
    /**
     * The demo's drain window: a few seconds, so Ctrl-C answers quickly; a production node keeps the
     * library's 20 s, or what its process manager allows.
     */
    static final Duration DRAIN_WINDOW = Duration.ofSeconds(3);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final DemoOptions options;
    private final JwtIssuer tokens;
    private final Path secretFile;
    private final OrderTracker tracker;
    private final TrackingServlet tracking;
    private final Server server;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private URI localBase;

    private DemoApp(DemoOptions options) throws Exception {
        this.options = options;
        try {
            secretFile = options.jwtSecret() != null ? null
                    : Files.createDirectories(options.dataDir()).resolve("jwt-secret").toAbsolutePath();
            byte[] secret = (secretFile == null ? options.jwtSecret() : secret(secretFile))
                    .getBytes(StandardCharsets.UTF_8);
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

            OrderTracker.Builder trackerBuilder = OrderTracker.builder().resources(shared).repository(repository)
                    .eventBus(bus);
            if (options.powerSchedule()) {
                // in the demo's database, so instances sharing --jdbc share the plan and announce each order once
                JdbcPowerSchedule schedule = JdbcPowerSchedule.create(dataSource);
                schedule.replace(demoPowerPlan());
                trackerBuilder.powerSchedule(schedule)
                        .powerRiskPolicy(DEMO_POWER_RISK)
                        .powerRiskInterval(Duration.ofSeconds(10));
            }
            tracker = push(trackerBuilder.build());
            NotificationDispatcher notifications = push(NotificationDispatcher.builder(repository, loggingNotifier())
                    .resources(shared).build());
            LocationIngestor ingestor = LocationIngestor.builder(locations, repository, bus).resources(shared)
                    .notifications(notifications).build();
            StalenessClassifier bands = StalenessClassifier.of(options.staleAfter(), options.lostAfter());
            StalenessMonitor staleness = push(StalenessMonitor.builder(locations, repository, bus).resources(shared)
                    .classifier(bands).build().start());
            tracker.addListener(ingestor);
            tracker.addListener(notifications);
            // the operators' view: restaurants gone dark (their boards' streams and polls are the heartbeat)
            // and orders stuck in one status, decided from the stored facts
            ConnectionRegistry connections = ConnectionRegistry.builder().resources(shared).repository(repository)
                    .build();
            tracker.addListener(connections);
            RestaurantPresenceMonitor presence = push(RestaurantPresenceMonitor.builder(repository, bus)
                    .resources(shared).connections(connections).build().start());
            StuckOrderWatchdog stuck = push(StuckOrderWatchdog.builder(repository, bus).resources(shared).build()
                    .start());
            tracker.start();

            tracking = push(new TrackingServlet(TrackingServletConfig
                    .builder(tracker, JwtAuthorizer.of(secret))
                    .trackingTokens(tokens)
                    .locationIngestor(ingestor)
                    .locationStore(locations)
                    .stalenessClassifier(bands)
                    .connectionRegistry(connections)
                    .restaurantPresence(presence)
                    .stuckOrders(stuck)
                    .stalenessMonitor(staleness)
                    .resources(shared)
                    .drainWindow(DRAIN_WINDOW)   // also drained by the library's own hook on JVM shutdown
                    .build()));

            server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost(options.host());
            connector.setPort(options.port());
            server.addConnector(connector);
            // Jetty's own refusals (414, 431, ambiguous paths, unknown pages) as problem+json, not HTML
            ProblemErrorHandler problems = new ProblemErrorHandler();
            server.setErrorHandler(problems);
            ServletContextHandler context = new ServletContextHandler();
            context.setErrorHandler(problems);
            ServletHolder trackingHolder = new ServletHolder("tracking", tracking);
            trackingHolder.setAsyncSupported(true);
            context.addServlet(trackingHolder, "/tracking/*");
            // the operator token behind the boards' metrics view: minted here, kept in memory, never served
            String metricsToken = token("operator", "demo-dashboard");
            context.addServlet(new ServletHolder("pages", new DemoPagesServlet(tracker, this::token,
                    () -> metrics(metricsToken), () -> operations(metricsToken), options.staleAfter(),
                    options.lostAfter())), "/");
            JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) ->
                    container.addEndpoint(tracking.driverSocket("/tracking/drivers/{driver_id}/socket")));
            server.setHandler(context);
            server.setStopTimeout(2_000);
            server.start();
            resources.push(server::stop);
            // popped before server::stop: every stream ends cleanly (a retry:, then its last chunk) before
            // Jetty stops, which would otherwise wait its 2 s stop timeout for them and then cut them
            resources.push(() -> drain(tracking));
            port = connector.getLocalPort();
            localBase = URI.create("http://" + localHost(options.host()) + ":" + port);

            if (options.simulator()) {
                TrackingClient client = new TrackingClient(http, localBase.resolve("/tracking"));
                DemoSimulator simulator = push(new DemoSimulator(client, tracker, locations, this::token,
                        localBase.resolve("/tracking"), options.dataDir().resolve("drivers")));
                simulator.start();
            }
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /**
     * When a demo order counts as at risk of a power cut: a cut starting within a minute of its placement,
     * or within three minutes (about how long the simulator's orders take from kitchen to door). The
     * library's defaults (10 and 45 minutes) would flag every order against a cut every six minutes.
     */
    static final PowerRiskPolicy DEMO_POWER_RISK = PowerRiskPolicy.of(Duration.ofMinutes(1), Duration.ofMinutes(3));

    /** Reads the shipped schedule: each area has a two-minute cut every six minutes, staggered by two. */
    static PowerPlan demoPowerPlan() throws IOException {
        try (InputStream in = DemoApp.class.getResourceAsStream(DemoOptions.POWER_SCHEDULE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DemoOptions.POWER_SCHEDULE_RESOURCE + " is missing from the classpath");
            }
            return PowerPlan.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
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
        DemoApp app;
        try {
            app = start(options);
        } catch (UnsafeSecretFileException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "demo-shutdown"));
        if (!options.loopbackOnly()) {
            String warning = wideWarning(options.host(), app.port);
            System.err.println(warning);
            LOG.warn(warning);
        }
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

    /** The tracking servlet under {@code /tracking}, for tests that drain it. */
    TrackingServlet trackingServlet() {
        return tracking;
    }

    /** Mints a token for ("customer" | "restaurant" | "driver" | "operator", subject), valid 24 h. */
    public String token(String role, String subject) {
        return tokens.issue(Role.fromWireName(role.toLowerCase(Locale.ROOT)), subject, Duration.ofHours(24));
    }

    /**
     * The lines printed at start: where to point a browser (the landing page links every order's
     * tracking page and every restaurant board) and where the token secret is kept. No token and
     * no secret: stdout ends up in logs.
     */
    String banner() {
        String base = localBase.toString();
        StringBuilder text = new StringBuilder()
                .append("\nOrder Tracking SDK demo is running.\n\n")
                .append("  Live orders:         ").append(base).append("/   (tracking pages and restaurant boards)\n")
                .append("  Operations:          ").append(base).append("/operations   (restaurants gone dark, stuck orders)\n")
                .append("  Listening on:        ").append(options.host()).append(':').append(port)
                .append(options.loopbackOnly() ? " (this machine only; --host widens it)" : " (OPEN TO THE NETWORK)")
                .append('\n')
                .append("  Token secret:        ").append(secretFile != null ? secretFile + " (owner-only)"
                        : "from TRACKING_JWT_SECRET").append('\n');
        text.append("  Tracking API:        ").append(base).append("/tracking\n")
                .append("  Storage:             ").append(options.jdbcUrl() != null ? options.jdbcUrl()
                        : "H2 file database in " + options.dataDir().toAbsolutePath()).append('\n')
                .append("  Bus and locations:   ").append(options.redisUri() != null ? options.redisUri()
                        : "in memory (this process)").append('\n')
                .append("  Simulator:           ").append(options.simulator() ? "on (new orders every 15-30 s)"
                        : "off").append('\n')
                .append("  Power cuts:          ").append(options.powerSchedule()
                        ? "demo schedule: a 2-minute cut every 6 minutes per area; boards flag orders at risk"
                        : "no schedule (--power-schedule loads the demo's)").append('\n')
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

    /** Drains the tracking servlet and waits for it: the streams go, spread over the window, then it closes. */
    private static void drain(TrackingServlet tracking) throws Exception {
        tracking.drain().toCompletableFuture().get(DRAIN_WINDOW.plusSeconds(5).toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private <T extends AutoCloseable> T push(T resource) {
        resources.push(resource);
        return resource;
    }

    /** The multi-line warning printed when {@code --host} opens the demo beyond this machine. */
    static String wideWarning(String host, int port) {
        String line = "!".repeat(78);
        return "\n" + line + "\n"
                + "!! WARNING: the demo listens on " + host + ":" + port + " -- every machine that can reach it can\n"
                + "!! open customer tracking pages (anyone holding a tracking link sees that order's driver).\n"
                + "!! The landing page and restaurant boards stay loopback-only, but this is a DEMO: it has\n"
                + "!! no TLS and a simulator moving fake orders. Do not expose it beyond a network you trust.\n"
                + line + "\n";
    }

    /** Opens the operators' stream with the operator token this process keeps; the caller closes the body. */
    private java.io.InputStream operations(String operatorToken) throws IOException, InterruptedException {
        HttpResponse<java.io.InputStream> response = http.send(HttpRequest.newBuilder(
                        localBase.resolve("/tracking/operations/stream"))
                .header("Authorization", "Bearer " + operatorToken).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            response.body().close();
            throw new IOException("the operations stream answered " + response.statusCode());
        }
        return response.body();
    }

    /** The tracking servlet's metrics as JSON, fetched with the operator token this process keeps. */
    private byte[] metrics(String operatorToken) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(localBase.resolve("/tracking/metrics"))
                .header("Authorization", "Bearer " + operatorToken).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("metrics answered " + response.statusCode());
        }
        return response.body();
    }

    /** Where this process reaches itself: the bound address, or loopback for a wildcard one. */
    private static String localHost(String host) {
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            return "127.0.0.1";
        }
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static HikariConfig dataSourceConfig(DemoOptions options) throws IOException {
        HikariConfig config = new HikariConfig();
        if (options.jdbcUrl() != null) {
            config.setJdbcUrl(options.jdbcUrl());
        } else {
            Path dir = Files.createDirectories(options.dataDir()).toAbsolutePath();
            // WRITE_DELAY=0: H2 writes each commit before returning, so a killed demo keeps every
            // transition it acknowledged (H2's default delays writes by 500 ms and loses them, and its
            // background writer can store half of a commit). JdbcOrderRepository does the rest on an
            // H2 file: one write at a time, so no store cuts a commit in two, each synced to disk.
            config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("tracking") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        }
        config.setPoolName("demo");
        config.setMaximumPoolSize(8);
        return config;
    }

    /**
     * The token secret kept in {@code file}, generated on first start so the links handed out keep
     * working across a restart (a power cut). The file is created owner-only in the same call that
     * creates it (no window in which others could read it), and an existing one that others can
     * read is refused rather than trusted.
     *
     * @throws UnsafeSecretFileException if the file is readable by its group or by others, or is not a secret
     */
    static String secret(Path file) throws IOException {
        boolean posix = Files.getFileStore(file.getParent()).supportsFileAttributeView(PosixFileAttributeView.class);
        if (!Files.exists(file)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            try (SeekableByteChannel channel = posix
                    ? Files.newByteChannel(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.newByteChannel(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap((secret + "\n").getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                System.out.println("TRACKING_JWT_SECRET was not set; generated a secret into " + file
                        + " (owner-only; set TRACKING_JWT_SECRET to choose your own)");
                return secret;
            } catch (FileAlreadyExistsException raced) {
                // another demo on the same data directory created it first: use theirs, checked below
            }
        }
        if (posix) {
            java.util.Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.GROUP_READ)
                    || permissions.contains(PosixFilePermission.OTHERS_READ)) {
                throw new UnsafeSecretFileException("refusing to use the token secret in " + file + ": other users "
                        + "can read it (" + PosixFilePermissions.toString(permissions) + "); run 'chmod 600 " + file
                        + "' (or delete it to generate a new one)");
            }
        }
        String kept = Files.readString(file).strip();
        if (kept.length() < 32) {
            throw new UnsafeSecretFileException("refusing to use the token secret in " + file + ": it holds "
                    + kept.length() + " characters, fewer than 32; delete it to generate a new one");
        }
        return kept;
    }

    /** The kept token secret cannot be trusted; the message names the file and the fix. */
    static final class UnsafeSecretFileException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        UnsafeSecretFileException(String message) {
            super(message);
        }
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
