package org.ordertracking.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.spring.autoconfigure.TrackingLifecycle;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Shutdown of the example with a customer's stream open: the servlet drains — the stream is told with
 * {@code retry:} when to come back and ends cleanly (the client sees the end of the body, so it
 * reconnects) instead of holding the graceful shutdown —, the context closes, and the outbox holds
 * nothing unpublished afterwards.
 */
class GracefulShutdownIT {

    @Test
    void contextClose_endsOpenStreams_stopsTheTracker_andLeavesTheOutboxFlushed() throws Exception {
        Path database = Path.of("target", "graceful-" + UUID.randomUUID()).toAbsolutePath();
        String url = "jdbc:h2:file:" + database + ";DB_CLOSE_ON_EXIT=FALSE";
        ConfigurableApplicationContext context = new SpringApplication(RestaurantPlatformApplication.class).run(
                "--spring.profiles.active=it", "--server.port=0", "--spring.datasource.url=" + url,
                "--spring.lifecycle.timeout-per-shutdown-phase=60s", "--spring.main.banner-mode=off",
                "--tracking.servlet.drain-window=2s");
        int port = ((ServletWebServerApplicationContext) context).getWebServer().getPort();
        OrderTracker tracker = context.getBean(OrderTracker.class);
        TrackingLifecycle lifecycle = context.getBean(TrackingLifecycle.class);

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> placed = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/orders"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"restaurantId\":\"r-7\",\"customerId\":\"c-42\",\"lat\":33.8938,\"lon\":35.5018}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(placed.statusCode()).isEqualTo(201);
        String page = placed.body().replaceAll(".*\"trackingPage\":\"([^\"]*)\".*", "$1");
        String orderId = page.replaceAll(".*order=([^&]*)&.*", "$1");
        String token = page.replaceAll(".*token=", "");

        List<String> lines = new CopyOnWriteArrayList<>();
        HttpResponse<Stream<String>> stream = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/tracking/orders/" + orderId + "/stream"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(stream.statusCode()).isEqualTo(200);
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> stream.body().forEach(lines::add));
        await().atMost(10, TimeUnit.SECONDS).until(() -> lines.stream().anyMatch(l -> l.contains("\"received\"")));
        tracker.transition(orderId, org.ordertracking.core.OrderStatus.ACCEPTED);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
        // the stream ends because the servlet drains first, not because the graceful phase timed out
        reader.get(30, TimeUnit.SECONDS);
        closing.get(60, TimeUnit.SECONDS);
        // the drain's retry comes last: within the 1.33 s the 2 s window spreads the clients over
        List<String> retries = lines.stream().filter(l -> l.startsWith("retry:")).toList();
        assertThat(retries).as("the opening retry and the drain's").hasSize(2);
        assertThat(Long.parseLong(retries.get(1).substring(6).trim())).isBetween(0L, 1_332L);

        assertThat(context.isActive()).isFalse();
        assertThat(lifecycle.isRunning()).isFalse();
        assertThatThrownBy(() -> tracker.register(new NewOrder("o-late", "r-7", "c-42", new GeoPoint(33.9, 35.5))))
                .isInstanceOf(org.ordertracking.core.TrackerClosedException.class);
        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT COUNT(*), SUM(CASE WHEN published THEN 0 ELSE 1 END) FROM tracking_order_events"
                                + " WHERE order_id = '" + orderId + "'")) {
            rows.next();
            assertThat(rows.getLong(1)).as("events of the order").isEqualTo(2);
            assertThat(rows.getLong(2)).as("events left unpublished in the outbox").isZero();
        }
    }
}
