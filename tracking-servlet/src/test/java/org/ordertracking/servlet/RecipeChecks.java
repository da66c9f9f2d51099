package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.test.SettableClock;

/**
 * What every documented recipe must give a host, checked over the wire against a node mounted at
 * {@code /tracking}: an order registered, watched and moved to {@code picked_up}; a fix over the driver
 * socket acked and streamed to the customer; and, when the test holds the node's clock, the {@code signal}
 * event of the staleness monitor once the driver goes quiet.
 */
final class RecipeChecks {
    static final byte[] SECRET = Node.SECRET;
    static final JwtIssuer ISSUER = JwtIssuer.of(SECRET);

    /** Tomcat logs through java.util.logging; keep its start/stop lines out of the test output. */
    private static final java.util.logging.Logger TOMCAT_LOG = java.util.logging.Logger.getLogger("org.apache");

    static {
        TOMCAT_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private RecipeChecks() {
    }

    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * Runs the scenario on the node at {@code base} (e.g. {@code http://127.0.0.1:8080/tracking}) and returns the
     * customer's stream, still open. {@code clock} is the node's clock, or {@code null} if the test cannot move it.
     */
    static SseClient exercise(HttpClient http, URI base, String orderId, SettableClock clock) throws Exception {
        String operator = ISSUER.issue(Role.OPERATOR, "ops", Duration.ofHours(1));
        HttpResponse<String> created = post(http, base, "/orders", operator, "{\"order_id\":\"" + orderId
                + "\",\"restaurant_id\":\"r-1\",\"customer_id\":\"c-1\",\"destination\":{\"lat\":33.8938,\"lon\":35.5018}}");
        assertEquals(201, created.statusCode(), created.body());
        String trackingToken = JsonCodec.mapper().readTree(created.body()).get("tracking_token").asText();

        SseClient customer = SseClient.open(http, uri(base, "/orders/" + orderId + "/stream"), trackingToken, null);
        assertEquals(200, customer.status());
        customer.nextOfType("snapshot");
        for (String status : new String[] {"accepted", "preparing", "ready"}) {
            assertEquals(200, post(http, base, "/orders/" + orderId + "/transitions", operator,
                    "{\"status\":\"" + status + "\"}").statusCode());
        }
        assertEquals(200, post(http, base, "/orders/" + orderId + "/driver", operator, "{\"driver_id\":\"d-1\"}")
                .statusCode());
        assertEquals(200, post(http, base, "/orders/" + orderId + "/transitions", operator,
                "{\"status\":\"picked_up\"}").statusCode());

        LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        String socketUrl = base.toString().replace("http:", "ws:") + "/drivers/d-1/socket";
        WebSocket socket = http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + ISSUER.issue(Role.DRIVER, "d-1", Duration.ofHours(1)))
                .buildAsync(URI.create(socketUrl), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            frames.add(text.toString());
                            text.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(20, TimeUnit.SECONDS);
        try {
            String recordedAt = (clock != null ? clock.instant() : java.time.Instant.now()).toString();
            socket.sendText("{\"type\":\"location\",\"fix\":{\"lat\":33.8886,\"lon\":35.4955,\"accuracy\":8.0,"
                    + "\"recorded_at\":\"" + recordedAt + "\"}}", true).get(20, TimeUnit.SECONDS);
            // first the driver's current assignments (this order among them), then the ack
            boolean assignmentSeen = false;
            String frame = frames.poll(20, TimeUnit.SECONDS);
            while (frame != null && frame.contains("\"type\":\"assignment\"")) {
                assignmentSeen |= frame.equals("{\"type\":\"assignment\",\"order_id\":\"" + orderId + "\"}");
                frame = frames.poll(20, TimeUnit.SECONDS);
            }
            assertTrue(assignmentSeen, "the socket should first send the assignment of " + orderId);
            assertTrue(frame != null && frame.contains("\"type\":\"ack\""), "expected an ack, got " + frame);
            JsonNode location = JsonCodec.mapper().readTree(customer.nextOfType("location").data());
            assertEquals("d-1", location.get("driver_id").asText());
        } finally {
            socket.abort();
        }

        if (clock != null) {
            clock.advance(Duration.ofSeconds(45));   // past the low-coverage band of the default classifier
            // the monitor may have published connection_lost (no fix yet) and moving (the fix) before
            JsonNode signal;
            do {
                signal = JsonCodec.mapper().readTree(customer.nextOfType("signal").data());
            } while (!signal.get("state").asText().equals("low_coverage"));
        }
        return customer;
    }

    private static URI uri(URI base, String path) {
        return URI.create(base + path);
    }

    private static HttpResponse<String> post(HttpClient http, URI base, String path, String token, String json)
            throws Exception {
        return http.send(HttpRequest.newBuilder(uri(base, path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
