package org.ordertracking.servlet;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.test.SettableClock;

/** The driver WebSocket and the batch endpoint, with the in-memory location pipeline behind them. */
@Timeout(120)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class DriverSocketIT {
    @Parameter
    Container container;

    static final String SOCKET_KIND = "driver_socket";

    private SettableClock clock;
    private OrderTracker tracker;
    private Node node;

    @BeforeEach
    void start() throws Exception {
        clock = SettableClock.at(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        tracker = OrderTracker.builder().clock(clock).build();
        node = Node.start(container, tracker, b -> DriverFixtures.withLocationPipeline(tracker, b).driverRateLimit(5, Duration.ofSeconds(10)));
        tracker.register(new NewOrder("ds-1", "r-1", "c-1", new GeoPoint(33.8938, 35.5018)));
        tracker.assignDriver("ds-1", "d-1");
        tracker.transition("ds-1", OrderStatus.ACCEPTED);
        tracker.transition("ds-1", OrderStatus.PREPARING);
        tracker.transition("ds-1", OrderStatus.READY);
        tracker.transition("ds-1", OrderStatus.PICKED_UP);
    }

    @AfterEach
    void stop() throws Exception {
        node.close();
        tracker.close();
    }

    /** A JDK WebSocket client collecting text frames. */
    static final class Driver implements AutoCloseable {
        final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final WebSocket socket;

        Driver(Node node, String driverId, String token, boolean inQuery) throws Exception {
            String url = node.base.toString().replace("http:", "ws:") + "/drivers/" + driverId + "/socket"
                    + (inQuery && token != null ? "?access_token=" + token : "");
            WebSocket.Builder b = node.http.newWebSocketBuilder();
            if (!inQuery && token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            socket = b.buildAsync(URI.create(url), new WebSocket.Listener() {
                private final StringBuilder text = new StringBuilder();

                @Override
                public void onOpen(WebSocket webSocket) {
                    webSocket.request(Long.MAX_VALUE);
                }

                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                        frames.add(text.toString());
                        text.setLength(0);
                    }
                    return null;
                }

                @Override
                public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                    closed.complete(statusCode);
                    return null;
                }

                @Override
                public void onError(WebSocket webSocket, Throwable error) {
                    closed.complete(-1);
                }
            }).get(20, TimeUnit.SECONDS);
        }

        JsonNode next() throws Exception {
            String frame = frames.poll(20, TimeUnit.SECONDS);
            if (frame == null) {
                throw new AssertionError("no frame within 20 s");
            }
            return JsonCodec.mapper().readTree(frame);
        }

        /** Takes the frame the socket sends first for {@code ds-1}, the order assigned to d-1 before it opened. */
        Driver afterCurrentAssignment(String orderId) throws Exception {
            String frame = frames.poll(20, TimeUnit.SECONDS);
            assertEquals("{\"type\":\"assignment\",\"order_id\":\"" + orderId + "\"}", frame,
                    "a socket first sends the driver's current assignments");
            return this;
        }

        void send(String text) throws Exception {
            socket.sendText(text, true).get(20, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            socket.abort();
        }
    }

    private String fix(double lat, double lon, Instant at) {
        return "{\"lat\":" + lat + ",\"lon\":" + lon + ",\"accuracy\":8.0,\"recorded_at\":\"" + at + "\"}";
    }

    @Test
    void socket_locationFrame_isAckedAndReachesTheCustomerStream() throws Exception {
        try (SseClient customer = node.stream("/orders/ds-1/stream", Node.token(Role.CUSTOMER, "ds-1"));
                Driver driver = new Driver(node, "d-1", Node.token(Role.DRIVER, "d-1"), false)
                        .afterCurrentAssignment("ds-1")) {
            customer.nextOfType("snapshot");
            Instant at = clock.instant().minusSeconds(1);
            driver.send("{\"type\":\"location\",\"fix\":" + fix(33.8886, 35.4955, at) + "}");
            JsonNode ack = driver.next();
            assertEquals("ack", ack.get("type").asText());
            assertEquals(at.toString(), ack.get("up_to").asText());
            JsonNode location = JsonCodec.mapper().readTree(customer.nextOfType("location").data());
            assertEquals("ds-1", location.get("order_id").asText());
            assertEquals("d-1", location.get("driver_id").asText());
            assertEquals(33.8886, location.get("lat").asDouble());
            assertTrue(location.get("eta_seconds").asLong() > 0, location.toString());

            JsonNode snapshot = JsonCodec.mapper().readTree(node.get("/orders/ds-1", Node.token(Role.CUSTOMER, "ds-1")).body());
            assertEquals(33.8886, snapshot.get("location").get("lat").asDouble(), snapshot.toString());
            assertEquals("moving", snapshot.get("signal").get("state").asText());
            assertTrue(snapshot.get("eta_seconds").asLong() > 0);
        }
    }

    @Test
    void socket_batchWithBadFixes_rejectsOnlyThoseAndAcksTheNewest() throws Exception {
        try (Driver driver = new Driver(node, "d-1", Node.token(Role.DRIVER, "d-1"), true).afterCurrentAssignment("ds-1")) {
            Instant t = clock.instant();
            driver.send("{\"type\":\"batch\",\"fixes\":[" + fix(33.8886, 35.4955, t.minusSeconds(20)) + ","
                    + fix(0, 0, t.minusSeconds(15)) + "," + fix(33.8890, 35.4960, t.minusSeconds(10)) + ",{\"lat\":\"x\"}]}");
            JsonNode first = driver.next();
            JsonNode second = driver.next();
            JsonNode ack = driver.next();
            assertEquals("error", first.get("type").asText());
            assertEquals("null_island", first.get("code").asText());
            assertEquals("error", second.get("type").asText());
            assertEquals("invalid_coordinates", second.get("code").asText());
            assertEquals("ack", ack.get("type").asText());
            assertEquals(t.minusSeconds(10).toString(), ack.get("up_to").asText());
        }
    }

    @Test
    void socket_malformedFrames_getErrorFramesAndTheSocketStaysOpen() throws Exception {
        try (Driver driver = new Driver(node, "d-1", Node.token(Role.DRIVER, "d-1"), false)
                .afterCurrentAssignment("ds-1")) {
            driver.send("not json");
            assertEquals("malformed", driver.next().get("code").asText());
            driver.send("{\"type\":\"teleport\"}");
            assertEquals("malformed", driver.next().get("code").asText());
            driver.send("{\"type\":\"location\"}");
            assertEquals("malformed", driver.next().get("code").asText());
            driver.send("{\"type\":\"location\",\"fix\":" + fix(33.8886, 35.4955, clock.instant()) + "}");
            assertEquals("ack", driver.next().get("type").asText());
        }
    }

    @Test
    void socket_otherDriversToken_isRefusedWithErrorAndPolicyClose() throws Exception {
        try (Driver driver = new Driver(node, "d-1", Node.token(Role.DRIVER, "d-2"), false)) {
            JsonNode error = driver.next();
            assertEquals("error", error.get("type").asText());
            assertEquals("forbidden", error.get("code").asText());
            assertEquals(1008, driver.closed.get(20, TimeUnit.SECONDS));
        }
        try (Driver driver = new Driver(node, "d-1", null, false)) {
            assertEquals("unauthorized", driver.next().get("code").asText());
            assertEquals(1008, driver.closed.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void socket_tooManyMessages_getsRateLimitedUntilTheWindowPasses() throws Exception {
        try (Driver driver = new Driver(node, "d-1", Node.token(Role.DRIVER, "d-1"), false)
                .afterCurrentAssignment("ds-1")) {
            for (int i = 0; i < 5; i++) {
                driver.send("{\"type\":\"location\",\"fix\":" + fix(33.8886, 35.4955, clock.instant()) + "}");
                assertEquals("ack", driver.next().get("type").asText());
            }
            driver.send("{\"type\":\"location\",\"fix\":" + fix(33.8886, 35.4955, clock.instant()) + "}");
            assertEquals("rate_limited", driver.next().get("code").asText());
            clock.advance(Duration.ofSeconds(10));
            driver.send("{\"type\":\"location\",\"fix\":" + fix(33.8886, 35.4955, clock.instant()) + "}");
            assertEquals("ack", driver.next().get("type").asText());
        }
    }

    @Test
    void batch_gzipBody_appliesGoodFixesAndReportsRejectedByIndex() throws Exception {
        Instant t = clock.instant();
        String body = "{\"fixes\":[" + fix(33.8886, 35.4955, t.minusSeconds(30)) + "," + fix(91, 35.4955, t.minusSeconds(25))
                + "," + fix(33.8890, 35.4960, t.minusSeconds(20)) + "," + fix(33.8890, 35.4960, t.plusSeconds(600)) + "]}";
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(body.getBytes(StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = node.http.send(HttpRequest.newBuilder(node.uri("/drivers/d-1/locations"))
                .header("Authorization", "Bearer " + Node.token(Role.DRIVER, "d-1"))
                .header("Content-Type", "application/json").header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gz.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode reply = JsonCodec.mapper().readTree(r.body());
        assertEquals(2, reply.get("applied").asInt());
        assertEquals("[{\"index\":1,\"reason\":\"invalid_coordinates\"},{\"index\":3,\"reason\":\"recorded_in_future\"}]",
                reply.get("rejected").toString());
        assertEquals(t.minusSeconds(20).toString(), reply.get("up_to").asText());
        JsonNode metrics = Metrics.read(node);
        assertEquals(2, metrics.get("fixes").get("applied").asInt());
        assertEquals(2, metrics.get("fixes").get("rejected").asInt());
    }

    @Test
    void batch_overRateLimit_gets429WithRetryAfterAndChangesNothing() throws Exception {
        String token = Node.token(Role.DRIVER, "d-1");
        for (int i = 0; i < 5; i++) {
            assertEquals(200, node.post("/drivers/d-1/locations", token, "{\"fixes\":[]}").statusCode());
        }
        HttpResponse<String> r = node.post("/drivers/d-1/locations", token,
                "{\"fixes\":[" + fix(33.8886, 35.4955, clock.instant()) + "]}");
        assertEquals(429, r.statusCode(), r.body());
        assertEquals(ProblemType.RATE_LIMITED.uri().toString(), JsonCodec.mapper().readTree(r.body()).get("type").asText());
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
        assertEquals(0, Metrics.read(node).get("fixes").get("applied").asInt());
    }

    @Test
    void metrics_openSocket_isCountedAndUncountedOnClose() throws Exception {
        Driver driver = new Driver(node, "d-1", Node.token(Role.DRIVER, "d-1"), false);
        await("the socket is counted").atMost(Metrics.WAIT).until(() -> Metrics.connections(node, SOCKET_KIND), equalTo(1));
        driver.socket.sendClose(1000, "bye").get(20, TimeUnit.SECONDS);
        driver.closed.get(20, TimeUnit.SECONDS);
        await("the closed socket is uncounted").atMost(Metrics.WAIT)
                .until(() -> Metrics.connections(node, SOCKET_KIND), equalTo(0));
    }
}
