package org.ordertracking.servlet;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.NotificationDispatcher;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.PowerSchedule;
import org.ordertracking.core.PushNotifier;
import org.ordertracking.core.RestaurantPresenceMonitor;
import org.ordertracking.core.StalenessClassifier;
import org.ordertracking.core.StalenessMonitor;
import org.ordertracking.core.StuckOrderWatchdog;
import org.ordertracking.core.TrackingResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every piece a node of the tracking service needs, built and wired by one call, so that none can be
 * forgotten:
 *
 * <ul>
 *   <li>the {@link OrderTracker} on the host's repository and bus (started);</li>
 *   <li>the {@link LocationIngestor}, registered as a tracker listener, fed by the driver socket and
 *       batch endpoint;</li>
 *   <li>the {@link StalenessMonitor} (started), which publishes the {@code signal} events;</li>
 *   <li>the {@link NotificationDispatcher}, if a {@link PushNotifier} is given, registered as a tracker
 *       listener and handed to the ingestor (the "about to arrive" push);</li>
 *   <li>the {@link ConnectionRegistry}, registered as a tracker listener;</li>
 *   <li>the {@link RestaurantPresenceMonitor} (started), fed by the restaurants' board streams and polls,
 *       and the {@link StuckOrderWatchdog} (started): what the operators' stream shows;</li>
 *   <li>the {@link TrackingServlet}, which serves the HTTP surface and the driver WebSocket.</li>
 * </ul>
 *
 * <pre>{@code
 * TrackingNode node = TrackingNode.builder(repository, bus, locations, secret).build();
 * // in a ServletContainerInitializer that runs after the container's WebSocket initializer:
 * node.mount(servletContext, "/tracking");
 * // on shutdown, before the container stops:
 * node.close();
 * // or, for a planned stop, send the clients away spread over a window first:
 * node.drain(Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS);
 * }</pre>
 *
 * <p>On JVM shutdown the node drains itself within the servlet's drain window (see {@link #drain(Duration)}),
 * unless {@link TrackingServletConfig.Builder#drainOnShutdown} turns that off through
 * {@link Builder#servletConfig}.
 *
 * <p>{@link #mount(ServletContext, String)} adds the servlet and the driver socket to a servlet context.
 * The node's lifetime is tied to its servlet: when the container destroys the servlet (the context
 * stops; containers destroy only servlets they initialized, which {@code mount} ensures by loading it
 * on startup), the node closes. Close it yourself before stopping the container, so every open stream ends
 * with its final chunk before the container starts waiting for them (Tomcat waits up to its context's
 * {@code unloadDelay}, 2 seconds by default, before it destroys servlets; Jetty closes connections first).
 *
 * <p><b>Threads.</b> Every piece runs on one {@link TrackingResources}: one clock, one scheduler pool
 * and one delivery pool for the whole node. Without {@link Builder#resources(TrackingResources)} the
 * node creates its own ({@link TrackingResources#create()}, with the {@link Builder#clock clock} and
 * {@link Builder#scheduler scheduler} given to the builder) and closes it last, after every piece. Given
 * resources are shared, typically with the host's bus
 * ({@code EventBus.inMemory(resources)}) or other nodes, and never closed by the node.
 *
 * <p>The node never closes what the host handed in: the repository, the bus, the location store, the
 * push notifier, a power schedule, a scheduler, resources. Thread-safe; {@link #close()} is idempotent.
 *
 * @since 0.1.0
 */
public final class TrackingNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrackingNode.class);

    /** The path of the driver socket under the mount's base path. */
    public static final String DRIVER_SOCKET_PATH = "/drivers/{" + DriverSocket.DRIVER_ID + "}/socket";

    private final OrderTracker tracker;
    private final LocationIngestor ingestor;
    private final StalenessMonitor stalenessMonitor;
    private final NotificationDispatcher notifications;
    private final ConnectionRegistry connectionRegistry;
    private final RestaurantPresenceMonitor restaurantPresence;
    private final StuckOrderWatchdog stuckOrders;
    private final TrackingServlet servlet;
    private final TrackingResources resources;
    private final boolean ownsResources;
    private final Deque<AutoCloseable> closeOrder = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<CompletableFuture<Void>> drained = new AtomicReference<>();

    private TrackingNode(Builder b) {
        if (b.resources != null) {
            resources = b.resources;
        } else {
            TrackingResources.Builder rb = TrackingResources.builder();
            if (b.clock != null) {
                rb.clock(b.clock);
            }
            if (b.scheduler != null) {
                rb.scheduler(b.scheduler); // shared: the resources never shut it down
            }
            resources = rb.build();
        }
        ownsResources = b.resources == null;
        // an explicit clock wins over the given resources' (as it does on every component builder)
        InstantSource clock = b.clock != null ? b.clock : resources.clock();
        try {
            OrderTracker.Builder trackerBuilder = OrderTracker.builder();
            b.trackerConfig.accept(trackerBuilder);
            trackerBuilder.repository(b.repository).eventBus(b.bus).resources(resources).clock(clock);
            if (b.powerSchedule != null) {
                trackerBuilder.powerSchedule(b.powerSchedule);
            }
            if (b.scheduler != null) {
                trackerBuilder.scheduler(b.scheduler);
            }
            tracker = trackerBuilder.build();
            closeOrder.push(tracker);

            if (b.pushNotifier != null) {
                NotificationDispatcher.Builder nb = NotificationDispatcher.builder(b.repository, b.pushNotifier);
                b.notificationConfig.accept(nb);
                nb.resources(resources).clock(clock);
                if (b.scheduler != null) {
                    nb.scheduler(b.scheduler);
                }
                notifications = nb.build();
                closeOrder.push(notifications);
                tracker.addListener(notifications);
            } else {
                notifications = null;
            }

            LocationIngestor.Builder ib = LocationIngestor.builder(b.store, b.repository, b.bus);
            b.ingestorConfig.accept(ib);
            ib.resources(resources).clock(clock);
            if (notifications != null) {
                ib.notifications(notifications);
            }
            ingestor = ib.build();
            tracker.addListener(ingestor);

            // the servlet's settings first: the registry takes its leak grace from them
            TrackingServletConfig.Builder sb = TrackingServletConfig.builder(tracker,
                    b.authorizer != null ? b.authorizer : JwtAuthorizer.of(b.secret));
            b.servletConfig.accept(sb);
            TrackingServletConfig tuned = sb.build();
            Duration leakGrace = tuned.leakGrace();
            connectionRegistry = ConnectionRegistry.builder().resources(resources).clock(clock).leakGrace(leakGrace)
                    .repository(b.repository).build();
            tracker.addListener(connectionRegistry);

            StalenessMonitor.Builder mb = StalenessMonitor.builder(b.store, b.repository, b.bus);
            b.stalenessConfig.accept(mb);
            mb.resources(resources).clock(clock).classifier(b.classifier);
            if (b.scheduler != null) {
                mb.scheduler(b.scheduler);
            }
            stalenessMonitor = mb.build();
            closeOrder.push(stalenessMonitor);

            RestaurantPresenceMonitor.Builder pb = RestaurantPresenceMonitor.builder(b.repository, b.bus);
            b.presenceConfig.accept(pb);
            pb.resources(resources).clock(clock).connections(connectionRegistry);
            if (b.scheduler != null) {
                pb.scheduler(b.scheduler);
            }
            restaurantPresence = pb.build();
            closeOrder.push(restaurantPresence);

            StuckOrderWatchdog.Builder wb = StuckOrderWatchdog.builder(b.repository, b.bus);
            b.stuckConfig.accept(wb);
            wb.resources(resources).clock(clock);
            if (b.scheduler != null) {
                wb.scheduler(b.scheduler);
            }
            stuckOrders = wb.build();
            closeOrder.push(stuckOrders);

            if (tuned.trackingTokens() == null) { // an issuer from servletConfig wins, e.g. one that writes iss/aud
                sb.trackingTokens(JwtIssuer.of(b.secret));
            }
            sb.locationIngestor(ingestor)
                    .locationStore(b.store)
                    .stalenessClassifier(b.classifier)
                    .connectionRegistry(connectionRegistry)
                    .restaurantPresence(restaurantPresence)
                    .stuckOrders(stuckOrders)
                    .stalenessMonitor(stalenessMonitor)
                    .resources(resources);
            if (b.scheduler != null) {
                sb.scheduler(b.scheduler);
            }
            servlet = new NodeServlet(sb.build(), this);
            closeOrder.push(servlet);

            tracker.start();
            stalenessMonitor.start();
            restaurantPresence.start();
            stuckOrders.start();
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /**
     * Starts a builder for a node on the host's storage, bus and location store, authenticating callers
     * with HS256 JWTs signed with {@code jwtSecret} (at least 32 bytes) and minting the customers'
     * tracking tokens with it.
     */
    public static Builder builder(OrderRepository repository, EventBus bus, LocationStore store, byte[] jwtSecret) {
        return new Builder(repository, bus, store, jwtSecret);
    }

    /**
     * Returns the resources every piece of this node runs on: those given to
     * {@link Builder#resources(TrackingResources)}, or the node's own, which {@link #close()} closes.
     *
     * @since 0.1.0
     */
    public TrackingResources resources() {
        return resources;
    }

    /** Returns the started tracker. */
    public OrderTracker tracker() {
        return tracker;
    }

    /** Returns the location ingestor (a listener of the tracker). */
    public LocationIngestor locationIngestor() {
        return ingestor;
    }

    /** Returns the started staleness monitor. */
    public StalenessMonitor stalenessMonitor() {
        return stalenessMonitor;
    }

    /**
     * Returns the started monitor of restaurants that went dark.
     *
     * @since 0.1.0
     */
    public RestaurantPresenceMonitor restaurantPresence() {
        return restaurantPresence;
    }

    /**
     * Returns the started stuck-order watchdog.
     *
     * @since 0.1.0
     */
    public StuckOrderWatchdog stuckOrders() {
        return stuckOrders;
    }

    /** Returns the notification dispatcher, present when a {@link PushNotifier} was given. */
    public Optional<NotificationDispatcher> notificationDispatcher() {
        return Optional.ofNullable(notifications);
    }

    /** Returns the registry of this node's open streams and sockets. */
    public ConnectionRegistry connectionRegistry() {
        return connectionRegistry;
    }

    /**
     * Returns the servlet, for a host that registers it itself (with {@code asyncSupported = true}) rather
     * than through {@link #mount}; the driver socket is then {@code servlet().driverSocket(path)}.
     */
    public TrackingServlet servlet() {
        return servlet;
    }

    /**
     * Adds the servlet at {@code basePath + "/*"} (async supported, loaded on startup) and the driver
     * socket at {@code basePath + }{@value #DRIVER_SOCKET_PATH} to {@code context}. Loaded on startup, the
     * servlet is destroyed when the context stops even if it never served a request, and that closes
     * the node.
     *
     * <p>Call it while the context initializes — from a {@code ServletContainerInitializer}, or from a
     * {@code ServletContextListener} declared in {@code web.xml} or annotated {@code @WebListener} — and
     * after the container's WebSocket support has put its {@link ServerContainer} in the context:
     * on embedded Tomcat add {@code new WsSci()} as the context's first initializer
     * ({@code Tomcat.addWebapp} finds it by itself, {@code Tomcat.addContext} does not); on Jetty call
     * {@code JakartaWebSocketServletContainerInitializer.configure(context, null)} before adding the
     * initializer that mounts; in a WAR the container's initializers run before the application's.
     *
     * @param basePath {@code ""} for the context root, or a path such as {@code /tracking}: starting with
     *     {@code /}, not ending with it, without {@code *}
     * @throws ServletException if the context has no WebSocket {@link ServerContainer} (yet), or the
     *     container refuses the endpoint
     * @throws IllegalStateException if a servlet of the same name or a mapping for the path exists, or the
     *     context has already been initialized
     * @throws IllegalArgumentException if {@code basePath} is malformed
     */
    public void mount(ServletContext context, String basePath) throws ServletException {
        Objects.requireNonNull(context, "context must not be null");
        Objects.requireNonNull(basePath, "basePath must not be null");
        if (!basePath.isEmpty() && (!basePath.startsWith("/") || basePath.endsWith("/") || basePath.contains("*"))) {
            throw new IllegalArgumentException("basePath must be \"\" or start with '/', not end with '/' and "
                    + "contain no '*', but was '" + basePath + "'");
        }
        Object attribute = context.getAttribute(ServerContainer.class.getName());
        if (!(attribute instanceof ServerContainer container)) {
            throw new ServletException("the servlet context has no jakarta.websocket ServerContainer yet, so the "
                    + "driver socket cannot be added: the container's WebSocket initializer must run before mount. "
                    + "Embedded Tomcat: context.addServletContainerInitializer(new WsSci(), null) before the "
                    + "initializer that mounts (Tomcat.addContext runs no initializer by itself; Tomcat.addWebapp "
                    + "finds WsSci on the classpath). Jetty 12: JakartaWebSocketServletContainerInitializer"
                    + ".configure(context, null) before it. Check that the container's WebSocket module "
                    + "(tomcat-embed-websocket, jetty-ee10-websocket-jakarta-server) is on the classpath.");
        }
        String name = "tracking" + basePath;
        ServletRegistration.Dynamic registration = context.addServlet(name, servlet);
        if (registration == null) {
            throw new IllegalStateException("a servlet named '" + name + "' is already registered in this context");
        }
        registration.setAsyncSupported(true);
        // a container destroys only a servlet it initialized: loaded at startup, the servlet is always
        // destroyed when the context stops, and with it the node closes
        registration.setLoadOnStartup(1);
        Set<String> conflicts = registration.addMapping(basePath + "/*");
        if (!conflicts.isEmpty()) {
            throw new IllegalStateException("another servlet is already mapped to " + conflicts);
        }
        String socketPath = basePath + DRIVER_SOCKET_PATH;
        try {
            container.addEndpoint(servlet.driverSocket(socketPath));
        } catch (DeploymentException e) {
            throw new ServletException("the container refused the driver socket at " + socketPath + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Drains the node within the servlet's {@link TrackingServletConfig#drainWindow() drain window}; see
     * {@link #drain(Duration)}.
     *
     * @since 0.1.0
     */
    public CompletionStage<Void> drain() {
        return drain(servlet.config().drainWindow());
    }

    /**
     * Stops the node gracefully within {@code window}, for a scheduled restart or a UPS that signals
     * minutes of battery left; returns at once, and the stage completes when the node is closed:
     * <ol>
     *   <li>the servlet drains ({@link TrackingServlet#drain(Duration)}): no new stream, every open stream
     *       told when to come back and ended in waves, driver sockets closed with 1001, then the servlet
     *       closes;</li>
     *   <li>the tracker drains ({@link OrderTracker#drain(Duration)}) within what is left of the window, at
     *       least 1 s: it takes no more change, waits for the bus to accept what it was publishing and
     *       marks it published;</li>
     *   <li>the notification dispatcher, if any, sends what is pending within what is left, at least 1 s
     *       ({@link NotificationDispatcher#drain(Duration)});</li>
     *   <li>the node closes ({@link #close()}).</li>
     * </ol>
     * The servlet's shutdown hook (on by default) runs this drain when the JVM shuts down. Calling it again
     * returns a stage of the same drain; {@link #close()} during a drain closes at once.
     *
     * @param window positive
     * @throws IllegalArgumentException if {@code window} is zero or negative
     * @since 0.1.0
     */
    public CompletionStage<Void> drain(Duration window) {
        TrackingServlet.requireWindow(window);
        CompletableFuture<Void> existing = drained.get();
        if (existing != null) {
            return existing.minimalCompletionStage();
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        if (!drained.compareAndSet(null, mine)) {
            return drained.get().minimalCompletionStage();
        }
        long deadline = System.nanoTime() + window.toNanos();
        servlet.drainThenClose(window)
                .thenCompose(v -> tracker.drain(left(deadline)))
                .thenCompose(v -> notifications == null ? CompletableFuture.completedFuture(null)
                        : notifications.drain(left(deadline)))
                // closed on a thread of its own: the last step may complete on the node's scheduler, which
                // closing the node's resources waits for
                .whenCompleteAsync((v, failure) -> {
                    if (failure != null) {
                        LOG.warn("the node's drain failed; closing it", failure);
                    }
                    try {
                        close();
                    } finally {
                        mine.complete(null);
                    }
                }, task -> {
                    Thread closer = new Thread(task, "tracking-node-drain");
                    closer.setDaemon(true);
                    closer.start();
                });
        return mine.minimalCompletionStage();
    }

    /** What is left of the window until {@code deadline}, at least a second: the last steps are short. */
    private static Duration left(long deadlineNanos) {
        return Duration.ofNanos(Math.max(Duration.ofSeconds(1).toNanos(), deadlineNanos - System.nanoTime()));
    }

    /**
     * Closes what the node built, in order: the servlet first (every open stream ends with its final
     * chunk, every driver socket is closed, later requests get 503), then the staleness monitor, the
     * notification dispatcher and the tracker, and last the node's own {@link TrackingResources}: the
     * tasks already due on its scheduler (the streams' endings) run, waiting up to 5 seconds, then its
     * scheduler and delivery threads stop. Never closes the repository, bus, location store, push
     * notifier, scheduler or resources handed in. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        while (!closeOrder.isEmpty()) {
            AutoCloseable piece = closeOrder.pop();
            try {
                piece.close();
            } catch (Exception e) {
                LOG.warn("could not close {}", piece, e);
            }
        }
        if (ownsResources) {
            // gently: the servlet ended its streams with tasks on this scheduler, which still run
            resources.close();
        }
    }

    /**
     * The node's servlet: when the container destroys it, the whole node closes; its drain (and so its
     * shutdown hook) drains the whole node.
     */
    private static final class NodeServlet extends TrackingServlet {
        private static final long serialVersionUID = 1L;
        private final transient TrackingNode node;

        NodeServlet(TrackingServletConfig config, TrackingNode node) {
            super(config);
            this.node = node;
        }

        @Override
        public CompletionStage<Void> drain(Duration window) {
            return node.drain(window);
        }

        @Override
        public void destroy() {
            node.close();
            super.destroy();
        }
    }

    /**
     * Builds a {@link TrackingNode}. The {@code *Config} hooks tune a piece beyond the node's defaults
     * (time-outs, limits, intervals); the wiring between pieces — repository, bus, store, resources, clock,
     * scheduler, listeners, ingestor, registry, tokens — is set by the node after the hook runs and
     * cannot be overridden there. Not thread-safe.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private final OrderRepository repository;
        private final EventBus bus;
        private final LocationStore store;
        private final byte[] secret;
        private Authorizer authorizer;
        private InstantSource clock;
        private ScheduledExecutorService scheduler;
        private TrackingResources resources;
        private PushNotifier pushNotifier;
        private PowerSchedule powerSchedule;
        private StalenessClassifier classifier = StalenessClassifier.defaults();
        private Consumer<OrderTracker.Builder> trackerConfig = b -> { };
        private Consumer<LocationIngestor.Builder> ingestorConfig = b -> { };
        private Consumer<StalenessMonitor.Builder> stalenessConfig = b -> { };
        private Consumer<NotificationDispatcher.Builder> notificationConfig = b -> { };
        private Consumer<RestaurantPresenceMonitor.Builder> presenceConfig = b -> { };
        private Consumer<StuckOrderWatchdog.Builder> stuckConfig = b -> { };
        private Consumer<TrackingServletConfig.Builder> servletConfig = b -> { };

        private Builder(OrderRepository repository, EventBus bus, LocationStore store, byte[] secret) {
            this.repository = Objects.requireNonNull(repository, "repository must not be null");
            this.bus = Objects.requireNonNull(bus, "bus must not be null");
            this.store = Objects.requireNonNull(store, "store must not be null");
            Objects.requireNonNull(secret, "jwtSecret must not be null");
            JwtIssuer.of(secret); // rejects a short secret now, naming its length
            this.secret = secret.clone();
        }

        /**
         * Authenticates and authorizes callers with {@code authorizer} instead of a {@link JwtAuthorizer} on
         * the secret; the secret still signs the customers' tracking tokens.
         */
        public Builder authorizer(Authorizer authorizer) {
            this.authorizer = Objects.requireNonNull(authorizer, "authorizer must not be null");
            return this;
        }

        /**
         * Server time for every piece; wins over the {@link #resources resources'} clock. Default the
         * resources' clock, or the system clock when the node creates its own resources.
         */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * Runs the background work of every piece (tracker sweeps, staleness checks, notifications,
         * keep-alives, leak sweeps) on the caller's scheduler, which the node never shuts down; wins over
         * the {@link #resources resources'} scheduler. By default the pieces share the scheduler of the
         * resources (the node's own: {@link TrackingResources#DEFAULT_SCHEDULER_THREADS} daemon threads,
         * stopped by {@link TrackingNode#close()}).
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler must not be null");
            return this;
        }

        /**
         * Runs every piece on shared resources: their clock, scheduler and delivery threads, which the
         * node never closes (close them after the node). An explicit {@link #clock} or
         * {@link #scheduler} wins over theirs. Without it the node creates its own resources and closes
         * them last in {@link TrackingNode#close()}.
         *
         * @throws IllegalStateException if the resources are closed
         * @since 0.1.0
         */
        public Builder resources(TrackingResources resources) {
            Objects.requireNonNull(resources, "resources must not be null");
            if (resources.isClosed()) {
                throw new IllegalStateException("cannot build a TrackingNode on closed TrackingResources: " + resources);
            }
            this.resources = resources;
            return this;
        }

        /** Sends the five push notifications through {@code notifier}; without it none is sent. */
        public Builder pushNotifier(PushNotifier notifier) {
            this.pushNotifier = Objects.requireNonNull(notifier, "pushNotifier must not be null");
            return this;
        }

        /**
         * The scheduled power cuts: the tracker assesses each order against them, announces an at-risk
         * order once as {@code order_at_risk} (operations topic and the restaurant's board) and counts
         * them ({@code tracking.orders.at_risk}); order snapshots and the board carry {@code power_risk}
         * for the servlet's {@link TrackingServletConfig.Builder#powerRiskRoles power-risk roles}. Tune
         * the lead and the expected duration with {@code trackerConfig(b -> b.powerRiskPolicy(…))}.
         * Without it nothing is ever at risk. Never closed by the node.
         *
         * @since 0.1.0
         */
        public Builder powerSchedule(PowerSchedule schedule) {
            this.powerSchedule = Objects.requireNonNull(schedule, "powerSchedule must not be null");
            return this;
        }

        /**
         * The freshness bands of the {@code signal} events, shared by the staleness monitor and the
         * snapshots; default {@link StalenessClassifier#defaults()}.
         */
        public Builder stalenessClassifier(StalenessClassifier classifier) {
            this.classifier = Objects.requireNonNull(classifier, "stalenessClassifier must not be null");
            return this;
        }

        /**
         * Tunes the tracker (acceptance timeout, sweep interval, relay grace, state machine, retention
         * policy: {@code t -> t.retention(RetentionConfig.builder().maxAge(Duration.ofDays(90)).build())};
         * without it the repository's default applies, on in memory and off on JDBC).
         */
        public Builder trackerConfig(Consumer<OrderTracker.Builder> config) {
            this.trackerConfig = Objects.requireNonNull(config, "trackerConfig must not be null");
            return this;
        }

        /** Tunes the location ingestor ({@code LocationConfig}, ETA estimator). */
        public Builder ingestorConfig(Consumer<LocationIngestor.Builder> config) {
            this.ingestorConfig = Objects.requireNonNull(config, "ingestorConfig must not be null");
            return this;
        }

        /**
         * Tunes the monitor of restaurants that went dark (offline after, check interval, heartbeat interval).
         *
         * @since 0.1.0
         */
        public Builder presenceConfig(Consumer<RestaurantPresenceMonitor.Builder> config) {
            this.presenceConfig = Objects.requireNonNull(config, "presenceConfig must not be null");
            return this;
        }

        /**
         * Tunes the stuck-order watchdog (per-status limits, check interval).
         *
         * @since 0.1.0
         */
        public Builder stuckConfig(Consumer<StuckOrderWatchdog.Builder> config) {
            this.stuckConfig = Objects.requireNonNull(config, "stuckConfig must not be null");
            return this;
        }

        /** Tunes the staleness monitor (interval, maximum deliveries per check). */
        public Builder stalenessConfig(Consumer<StalenessMonitor.Builder> config) {
            this.stalenessConfig = Objects.requireNonNull(config, "stalenessConfig must not be null");
            return this;
        }

        /** Tunes the notification dispatcher (retries, arriving threshold); used with a push notifier. */
        public Builder notificationConfig(Consumer<NotificationDispatcher.Builder> config) {
            this.notificationConfig = Objects.requireNonNull(config, "notificationConfig must not be null");
            return this;
        }

        /**
         * Tunes the servlet (keep-alive, limits, buffers, leak grace and sweep, token TTL, meter
         * registry). Its {@code leakGrace} is also the connection registry's. A {@code trackingTokens}
         * issuer set here replaces the default {@code JwtIssuer.of(secret)}: set one that writes the
         * same {@code iss}/{@code aud} when the {@linkplain #authorizer authorizer} checks them.
         */
        public Builder servletConfig(Consumer<TrackingServletConfig.Builder> config) {
            this.servletConfig = Objects.requireNonNull(config, "servletConfig must not be null");
            return this;
        }

        /**
         * Builds the pieces, wires them, starts the tracker and the staleness monitor. If a piece fails to
         * build, those already built are closed and the failure is thrown.
         */
        public TrackingNode build() {
            return new TrackingNode(this);
        }
    }
}
