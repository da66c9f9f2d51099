package org.ordertracking.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.OrderRepository;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example end to end on a real port: checkout registers an order through the platform's own
 * controller, a customer follows it over SSE with the JDK client, a driver streams a fix over the
 * WebSocket, the order is delivered, and Actuator shows the meters and the health. Orders in the
 * real PostgreSQL, events and positions in the real Redis.
 *
 * <p>Runs twice (see the pom's Failsafe executions): on Tomcat, Spring Boot's default, and once on
 * Jetty with Tomcat off the classpath; {@code tracking.test.container} says which, and the test checks
 * the server really is that one.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("it")
@DirtiesContext
class RestaurantPlatformIT {
    static final String POSTGRES = System.getProperty("tracking.test.postgres",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    static final String REDIS = System.getProperty("tracking.test.redis", "redis://127.0.0.1:6379");
    static final String PREFIX = "sbx" + UUID.randomUUID().toString().replace("-", "").substring(0, 8)
            .toLowerCase(Locale.ROOT) + "_";
    static final ObjectMapper JSON = new ObjectMapper();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> POSTGRES);
        registry.add("tracking.jdbc.initialize-schema", () -> "always");
        registry.add("tracking.jdbc.table-prefix", () -> PREFIX);
        registry.add("tracking.redis.url", () -> REDIS);
        registry.add("tracking.redis.channel-prefix", () -> PREFIX + ":");
        registry.add("tracking.redis.key-prefix", () -> PREFIX + ":");
    }

    /** Drops this run's tables when the context closes: after the tracker stopped, so nothing reads them any more. */
    @TestConfiguration(proxyBeanMethods = false)
    static class DropTablesOnClose {
        @Bean
        DisposableBean trackingTestTables() {
            return () -> {
                try (Connection connection = DriverManager.getConnection(POSTGRES);
                        Statement statement = connection.createStatement()) {
                    for (String table : List.of("notifications", "order_events", "orders", "locks", "schema_version")) {
                        statement.execute("DROP TABLE IF EXISTS " + PREFIX + table + " CASCADE");
                    }
                }
            };
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    ServletWebServerApplicationContext context;

    @Autowired
    OrderRepository repository;

    @Autowired
    EventBus bus;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void runsOnTheContainerItWasToldTo_onRealPostgresAndRedis() {
        String container = System.getProperty("tracking.test.container", "tomcat");
        assertThat(context.getWebServer().getClass().getSimpleName().toLowerCase(Locale.ROOT)).startsWith(container);
        assertThat(repository.getClass().getSimpleName()).isEqualTo("JdbcOrderRepository");
        assertThat(bus.getClass().getSimpleName()).isEqualTo("RedisEventBus");
    }

    @Test
    void orderPlacedAtCheckout_isFollowedOverSse_toDelivered_withTheDriverOnTheSocket() throws Exception {
        JsonNode placed = post("/api/orders", null,
                "{\"restaurantId\":\"r-7\",\"customerId\":\"c-42\",\"lat\":33.8938,\"lon\":35.5018}", 201);
        String orderId = placed.get("orderId").asText();
        String customerToken = placed.get("trackingToken").asText();
        assertThat(placed.get("status").asText()).isEqualTo("received");

        // the customer's phone: the JDK client reading the SSE stream line by line
        List<String> lines = new CopyOnWriteArrayList<>();
        HttpRequest streamRequest = HttpRequest.newBuilder(uri(placed.get("streamUrl").asText()))
                .header("Authorization", "Bearer " + customerToken).header("Accept", "text/event-stream").build();
        CompletableFuture<HttpResponse<Stream<String>>> stream =
                http.sendAsync(streamRequest, HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> response = stream.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> response.body().forEach(lines::add));
        await().atMost(10, TimeUnit.SECONDS).until(() -> lines.contains("data: " + firstStatusData(lines)));

        for (String status : List.of("accepted", "preparing", "ready")) {
            post("/api/orders/" + orderId + "/status", null, "{\"status\":\"" + status + "\"}", 200);
        }
        JsonNode assigned = post("/api/orders/" + orderId + "/driver", null, "{\"driverId\":\"d-1\"}", 200);
        String driverToken = assigned.get("driverToken").asText();

        // the driver's app: the JDK WebSocket client on the driver socket of the embedded container
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        WebSocket socket = http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + assigned.get("socketPath").asText()
                        + "?access_token=" + driverToken), new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                frames.add(data.toString());
                                webSocket.request(1);
                                return null;
                            }
                        })
                .get(10, TimeUnit.SECONDS);
        post("/tracking/orders/" + orderId + "/transitions", driverToken, "{\"status\":\"picked_up\"}", 200);
        socket.sendText("{\"type\":\"location\",\"fix\":{\"lat\":33.8900,\"lon\":35.4990,\"accuracy\":8,"
                + "\"recorded_at\":\"" + Instant.now() + "\"}}", true).get(5, TimeUnit.SECONDS);
        String ack = null;
        for (String frame; (frame = frames.poll(10, TimeUnit.SECONDS)) != null; ) {
            if (frame.contains("\"ack\"")) {
                ack = frame;
                break;
            }
        }
        assertThat(ack).as("the socket acknowledges the fix").isNotNull();
        await().atMost(10, TimeUnit.SECONDS).until(() -> lines.contains("event: location"));

        post("/tracking/orders/" + orderId + "/transitions", driverToken, "{\"status\":\"delivered\"}", 200);
        reader.get(15, TimeUnit.SECONDS); // the stream ends after the terminal status
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "shift over").get(5, TimeUnit.SECONDS);

        List<String> statuses = lines.stream().filter(line -> line.startsWith("data: {") && line.contains("\"seq\""))
                .map(RestaurantPlatformIT::statusOf).toList();
        assertThat(statuses).containsExactly("received", "accepted", "preparing", "ready", "picked_up", "delivered");

        // Actuator: the tracking meters and health
        JsonNode events = get("/actuator/metrics/tracking.order.events?tag=status:delivered");
        assertThat(events.get("measurements").get(0).get("value").asDouble()).isGreaterThanOrEqualTo(1);
        assertThat(get("/actuator/metrics/tracking.connections.open").get("name").asText())
                .isEqualTo("tracking.connections.open");
        assertThat(get("/actuator/metrics/tracking.outbox.backlog").get("name").asText())
                .isEqualTo("tracking.outbox.backlog");
        assertThat(get("/actuator/metrics/tracking.deliveries.signal").get("availableTags").toString())
                .contains("connection_lost");
        JsonNode health = get("/actuator/health");
        JsonNode tracking = health.get("components").get("tracking");
        assertThat(tracking.get("status").asText()).isEqualTo("UP");
        assertThat(tracking.get("details").get("bus").asText()).isEqualTo("connected");
        assertThat(tracking.get("details").get("repository").asText()).isEqualTo("reachable");
    }

    @Test
    void trackingEndpoints_refuseACallWithoutAToken_withProblemJson() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/tracking/orders/o-x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    }

    private static String statusOf(String dataLine) {
        try {
            return JSON.readTree(dataLine.substring(6)).get("status").asText();
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + dataLine, e);
        }
    }

    private static String firstStatusData(List<String> lines) {
        return lines.stream().filter(line -> line.startsWith("data: {") && line.contains("\"received\""))
                .map(line -> line.substring(6)).findFirst().orElse("<none yet>");
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private JsonNode post(String path, String token, String body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(expected);
        return JSON.readTree(response.body());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
