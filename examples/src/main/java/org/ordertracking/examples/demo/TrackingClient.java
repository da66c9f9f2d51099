package org.ordertracking.examples.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.ordertracking.core.GeoPoint;

/**
 * The tracking HTTP API as a platform and a driver app call it, over real sockets: the simulator
 * uses exactly the protocol a real integration would. Thread-safe.
 */
public final class TrackingClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final URI base;

    /** @param base the adapters' base URL, e.g. {@code http://127.0.0.1:8080/tracking} */
    public TrackingClient(HttpClient http, URI base) {
        this.http = http;
        this.base = URI.create(base.toString().endsWith("/") ? base.toString() : base + "/");
    }

    /** A fix as a driver app sends it. */
    public record Fix(GeoPoint point, double accuracy, double heading, double speed, Instant recordedAt) {
        ObjectNode toJson() {
            ObjectNode node = JSON.createObjectNode();
            node.put("lat", Math.round(point.lat() * 1e6) / 1e6);
            node.put("lon", Math.round(point.lon() * 1e6) / 1e6);
            node.put("accuracy", accuracy);
            node.put("heading", Math.round(heading * 10) / 10.0);
            node.put("speed", Math.round(speed * 10) / 10.0);
            node.put("recorded_at", recordedAt.toString());
            return node;
        }
    }

    /** POST /orders; returns the 201 body. */
    public JsonNode registerOrder(String token, String orderId, String restaurantId, String customerId,
            GeoPoint destination) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("order_id", orderId);
        body.put("restaurant_id", restaurantId);
        body.put("customer_id", customerId);
        body.putObject("destination").put("lat", destination.lat()).put("lon", destination.lon());
        return post("orders", token, body, 201);
    }

    /** POST /orders/{id}/transitions; returns the event. */
    public JsonNode transition(String token, String orderId, String status, String reason)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("status", status);
        if (reason != null) {
            body.put("reason", reason);
        }
        return post("orders/" + orderId + "/transitions", token, body, 200);
    }

    /** GET /restaurants/{id}/orders, as a restaurant's board polls it (its heartbeat); returns the orders. */
    public JsonNode restaurantOrders(String token, String restaurantId) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("restaurants/" + restaurantId + "/orders"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET restaurants/" + restaurantId + "/orders answered " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }

    /** POST /orders/{id}/driver. */
    public JsonNode assignDriver(String token, String orderId, String driverId) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("driver_id", driverId);
        return post("orders/" + orderId + "/driver", token, body, 200);
    }

    /** POST /drivers/{id}/locations: flushes an offline buffer; returns {applied, rejected, up_to}. */
    public JsonNode sendBatch(String token, String driverId, List<Fix> fixes) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode array = body.putArray("fixes");
        fixes.forEach(fix -> array.add(fix.toJson()));
        return post("drivers/" + driverId + "/locations", token, body, 200);
    }

    /** Opens the driver socket; {@code onFrame} receives each JSON text frame from the server. */
    public CompletableFuture<WebSocket> openDriverSocket(String token, String driverId, Consumer<JsonNode> onFrame,
            Runnable onClose) {
        URI uri = URI.create(base.toString().replaceFirst("^http", "ws") + "drivers/" + driverId + "/socket?access_token="
                + token);
        return http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            try {
                                onFrame.accept(JSON.readTree(text.toString()));
                            } catch (IOException e) {
                                // a frame we cannot read is ignored, as an app would
                            }
                            text.setLength(0);
                        }
                        socket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
                        onClose.run();
                        return null;
                    }

                    @Override
                    public void onError(WebSocket socket, Throwable error) {
                        onClose.run();
                    }
                });
    }

    /** Sends one fix over an open driver socket. */
    public static CompletableFuture<WebSocket> sendFix(WebSocket socket, Fix fix) {
        ObjectNode frame = JSON.createObjectNode();
        frame.put("type", "location");
        frame.set("fix", fix.toJson());
        return socket.sendText(frame.toString(), true);
    }

    private JsonNode post(String path, String token, JsonNode body, int expected) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IOException("POST " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
