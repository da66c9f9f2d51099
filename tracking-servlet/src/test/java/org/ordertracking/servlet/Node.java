package org.ordertracking.servlet;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.ordertracking.core.OrderTracker;

/**
 * One embedded servlet container ({@link Container}: Jetty 12 or Tomcat 11) on port 0 serving a
 * {@link TrackingServlet} at /tracking/* and the driver socket.
 */
final class Node implements AutoCloseable {
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef-test-secret".getBytes(StandardCharsets.UTF_8);
    static final JwtIssuer ISSUER = JwtIssuer.of(SECRET);

    final Container container;
    final TrackingServlet servlet;
    final OrderTracker tracker;
    final URI base;
    final HttpClient http;
    private final Container.Running running;
    private final java.util.concurrent.ExecutorService clientThreads = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-http-client");
        t.setDaemon(true);
        return t;
    });

    private Node(Container container, OrderTracker tracker, TrackingServlet servlet) throws Exception {
        this.container = container;
        this.tracker = tracker;
        this.servlet = servlet;
        running = container.start(servlet);
        base = URI.create("http://127.0.0.1:" + running.port() + "/tracking");
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(clientThreads).connectTimeout(Duration.ofSeconds(10)).build();
    }

    static Node start(Container container, OrderTracker tracker) throws Exception {
        return start(container, tracker, b -> b);
    }

    static Node start(Container container, OrderTracker tracker, UnaryOperator<TrackingServletConfig.Builder> customize)
            throws Exception {
        return start(container, tracker, JwtAuthorizer.of(SECRET), customize);
    }

    /** A node whose servlet authenticates with {@code authorizer} instead of the default one on {@link #SECRET}. */
    static Node start(Container container, OrderTracker tracker, Authorizer authorizer,
            UnaryOperator<TrackingServletConfig.Builder> customize) throws Exception {
        // no shutdown hook: the test JVM's exit must not drain what a failed test left open
        // (ShutdownDrainIT tests the hook, in a JVM of its own)
        TrackingServletConfig config = customize.apply(
                TrackingServletConfig.builder(tracker, authorizer).trackingTokens(ISSUER).drainOnShutdown(false)).build();
        return new Node(container, tracker, new TrackingServlet(config));
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
        running.close();
        clientThreads.shutdownNow();
    }
}
