package org.ordertracking.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.servlet.JwtAuthorizer;
import org.ordertracking.servlet.JwtIssuer;
import org.ordertracking.servlet.Role;
import org.ordertracking.servlet.TrackingServlet;
import org.ordertracking.servlet.TrackingServletConfig;

/**
 * The real tracking servlet on an embedded Jetty 12 (ee10), the way tracking-servlet's ITs start it:
 * an in-memory tracker and location pipeline behind {@code /tracking/*} and the driver socket. The HTTP
 * side can be stopped and started again on the same port (a server restart; the tracker and store
 * survive, as a database and Redis would).
 *
 * <p>Every fix the servlet processed — a batch request it answered 200, a socket frame handed to its
 * handler — is logged by {@code recorded_at} in {@link #processed}, so tests can prove that nothing was
 * lost and count repeats. The log is written before the servlet answers (a batch it then refuses is
 * taken out again), so a test that saw the client's acknowledgement sees the log.
 */
final class TestServer implements AutoCloseable {
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef-client-test".getBytes(StandardCharsets.UTF_8);
    static final JwtIssuer ISSUER = JwtIssuer.of(SECRET);
    private static final ObjectMapper JSON = new ObjectMapper();

    final OrderTracker tracker;
    final LocationStore store;
    final LocationIngestor ingestor;
    /** recorded_at → how many times the server processed a fix with it. */
    final Map<Instant, AtomicInteger> processed = new ConcurrentHashMap<>();
    final AtomicInteger batchRequests = new AtomicInteger();
    final AtomicInteger socketFrames = new AtomicInteger();
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private final int maxBatchSize;
    private Server server;
    private TrackingServlet servlet;
    private int port;

    TestServer(OrderTracker tracker, int maxBatchSize) throws Exception {
        this.tracker = tracker;
        this.maxBatchSize = maxBatchSize;
        this.store = LocationStore.inMemory(tracker.clock());
        this.ingestor = LocationIngestor.builder(store, tracker.repository(), tracker.eventBus())
                .clock(tracker.clock()).build();
        tracker.addListener(ingestor);
        start();
    }

    static String driverToken(String driverId) {
        return ISSUER.issue(Role.DRIVER, driverId, Duration.ofHours(1));
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + port + "/tracking");
    }

    int port() {
        return port;
    }

    synchronized void start() throws Exception {
        TrackingServletConfig config = TrackingServletConfig.builder(tracker, JwtAuthorizer.of(SECRET))
                .trackingTokens(ISSUER).locationIngestor(ingestor).locationStore(store)
                .maxBatchSize(maxBatchSize).driverRateLimit(100_000, Duration.ofSeconds(10)).build();
        servlet = new TrackingServlet(config);
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("jetty-client-it");
        server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port); // 0 the first time, the same port after a restart
        connector.setReuseAddress(true);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        FilterHolder filter = new FilterHolder(new BatchLog());
        filter.setAsyncSupported(true);
        context.addFilter(filter, "/tracking/drivers/*", EnumSet.of(DispatcherType.REQUEST));
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/tracking/*");
        ServerEndpointConfig real = servlet.driverSocket("/tracking/drivers/{driver_id}/socket");
        JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) ->
                container.addEndpoint(logged(real)));
        server.setHandler(context);
        server.start();
        port = connector.getLocalPort();
    }

    /** Stops the HTTP side (connections refused from now on); the tracker and store live on. */
    synchronized void stop() throws Exception {
        servlet.close();
        server.stop();
        server.join();
    }

    @Override
    public synchronized void close() throws Exception {
        if (server.isStarted()) {
            stop();
        }
    }

    /** How many times the server processed a fix recorded at that instant (a repeat counts again). */
    int processedCount(Instant recordedAt) {
        AtomicInteger n = processed.get(recordedAt);
        return n == null ? 0 : n.get();
    }

    private void log(JsonNode fixes, int delta) {
        for (JsonNode fix : fixes) {
            processed.computeIfAbsent(Instant.parse(fix.get("recorded_at").asText()), k -> new AtomicInteger())
                    .addAndGet(delta);
        }
    }

    /** Logs the fixes of every batch request the servlet answered 200. */
    private final class BatchLog implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
                throws IOException, ServletException {
            HttpServletRequest request = (HttpServletRequest) req;
            if (!"POST".equals(request.getMethod()) || !request.getRequestURI().endsWith("/locations")) {
                chain.doFilter(req, res);
                return;
            }
            byte[] body = request.getInputStream().readAllBytes();
            InputStream in = new ByteArrayInputStream(body);
            if ("gzip".equalsIgnoreCase(request.getHeader("Content-Encoding"))) {
                in = new GZIPInputStream(in);
            }
            JsonNode fixes = JSON.readTree(in).get("fixes");
            // logged before the servlet answers: the client may act on the answer before this filter resumes
            log(fixes, 1);
            batchSizes.add(fixes.size());
            batchRequests.incrementAndGet();
            chain.doFilter(new Replayed(request, body), res);
            if (((HttpServletResponse) res).getStatus() != 200) {
                log(fixes, -1);
                batchSizes.remove(batchSizes.size() - 1);
                batchRequests.decrementAndGet();
            }
        }
    }

    private static final class Replayed extends HttpServletRequestWrapper {
        private final byte[] body;

        Replayed(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }
    }

    /** The servlet's socket endpoint, with its text handler wrapped to log the fixes of each handled frame. */
    private ServerEndpointConfig logged(ServerEndpointConfig real) {
        ServerEndpointConfig.Configurator realConfigurator = real.getConfigurator();
        return ServerEndpointConfig.Builder.create(Endpoint.class, real.getPath())
                .configurator(new ServerEndpointConfig.Configurator() {
                    @Override
                    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request,
                            HandshakeResponse response) {
                        realConfigurator.modifyHandshake(sec, request, response);
                    }

                    @Override
                    public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
                        Endpoint inner = realConfigurator.getEndpointInstance(Endpoint.class);
                        return endpointClass.cast(new LoggedEndpoint(inner));
                    }
                }).build();
    }

    private final class LoggedEndpoint extends Endpoint {
        private final Endpoint inner;

        LoggedEndpoint(Endpoint inner) {
            this.inner = inner;
        }

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            InvocationHandler h = (proxy, method, args) -> {
                if (method.getName().equals("addMessageHandler") && args.length == 2
                        && args[1] instanceof MessageHandler.Whole<?> whole) {
                    @SuppressWarnings("unchecked")
                    MessageHandler.Whole<String> text = (MessageHandler.Whole<String>) whole;
                    MessageHandler.Whole<String> wrapped = frame -> {
                        logFrame(frame); // before: the ack goes out inside onMessage
                        text.onMessage(frame);
                    };
                    session.addMessageHandler(String.class, wrapped);
                    return null;
                }
                try {
                    return method.invoke(session, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            };
            Session proxied = (Session) Proxy.newProxyInstance(Session.class.getClassLoader(),
                    new Class<?>[] {Session.class}, h);
            inner.onOpen(proxied, config);
        }

        private void logFrame(String frame) {
            try {
                JsonNode node = JSON.readTree(frame);
                List<JsonNode> fixes = new ArrayList<>();
                if ("location".equals(node.path("type").asText())) {
                    fixes.add(node.get("fix"));
                } else if ("batch".equals(node.path("type").asText())) {
                    node.get("fixes").forEach(fixes::add);
                }
                log(JSON.valueToTree(fixes), 1);
                socketFrames.incrementAndGet();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void onClose(Session session, CloseReason closeReason) {
            inner.onClose(session, closeReason);
        }

        @Override
        public void onError(Session session, Throwable thr) {
            inner.onError(session, thr);
        }
    }
}
