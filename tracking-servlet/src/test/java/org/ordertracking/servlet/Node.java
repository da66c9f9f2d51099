package org.ordertracking.servlet;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.ordertracking.core.OrderTracker;

/** One embedded Jetty 12 (ee10) on port 0 serving a {@link TrackingServlet} at /tracking/* and the driver socket. */
final class Node implements AutoCloseable {
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef-test-secret".getBytes(StandardCharsets.UTF_8);
    static final JwtIssuer ISSUER = JwtIssuer.of(SECRET);

    final Server server;
    final TrackingServlet servlet;
    final OrderTracker tracker;
    final URI base;
    final HttpClient http;
    private final java.util.concurrent.ExecutorService clientThreads = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-http-client");
        t.setDaemon(true);
        return t;
    });

    private Node(OrderTracker tracker, TrackingServlet servlet) throws Exception {
        this.tracker = tracker;
        this.servlet = servlet;
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("jetty-test");
        server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(0);
        connector.setHost("127.0.0.1");
        connector.setAcceptQueueSize(2048);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/tracking/*");
        JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) ->
                container.addEndpoint(servlet.driverSocket("/tracking/drivers/{driver_id}/socket")));
        server.setHandler(context);
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/tracking");
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(clientThreads).connectTimeout(Duration.ofSeconds(10)).build();
    }

    static Node start(OrderTracker tracker) throws Exception {
        return start(tracker, b -> b);
    }

    static Node start(OrderTracker tracker, UnaryOperator<TrackingServletConfig.Builder> customize) throws Exception {
        TrackingServletConfig config = customize.apply(
                TrackingServletConfig.builder(tracker, JwtAuthorizer.of(SECRET)).trackingTokens(ISSUER)).build();
        return new Node(tracker, new TrackingServlet(config));
    }

    static String token(Role role, String subject) {
        return ISSUER.issue(role, subject, Duration.ofHours(1));
    }

    static String operator() {
        return token(Role.OPERATOR, "ops");
    }

    URI uri(String path) {
        return base.resolve(base.getPath() + path);
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String token, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    SseClient stream(String path, String token) throws Exception {
        return SseClient.open(http, uri(path), token, null);
    }

    SseClient stream(String path, String token, String lastEventId) throws Exception {
        return SseClient.open(http, uri(path), token, lastEventId);
    }

    @Override
    public void close() throws Exception {
        servlet.close();
        server.stop();
        clientThreads.shutdownNow();
    }
}
