package org.ordertracking.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.servlet.JwtIssuer;
import org.ordertracking.servlet.Role;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * README.md's Spring Boot quick start, compiled and run: the starter dependency, the two properties
 * read from the README itself, and the controller below (identical to the README's copy). The
 * application's own DataSource is the test PostgreSQL.
 */
class SpringBootQuickStartIT {
    static final String POSTGRES = System.getProperty("tracking.test.postgres",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    static final Path README = Path.of("../../README.md");
    static final String MARKER = "<!-- spring-boot-quick-start: examples/spring-boot/src/test/java/org/ordertracking/"
            + "examples/quickstart/SpringBootQuickStartIT.java -->\n";

    // tag::spring-boot-quick-start[]
    @RestController
    static class CheckoutController {
        private final OrderTracker tracker;   // the starter's beans, injected like any other
        private final JwtIssuer tokens;

        CheckoutController(OrderTracker tracker, JwtIssuer tokens) {
            this.tracker = tracker;
            this.tokens = tokens;
        }

        /** Registers the order and returns the link the customer's page streams from. */
        @PostMapping("/checkout/{orderId}")
        String checkout(@PathVariable String orderId) {
            tracker.register(new NewOrder(orderId, "r-7", "c-42", new GeoPoint(33.8938, 35.5018)));
            return "/tracking/orders/" + orderId + "/stream?access_token="
                    + tokens.issue(Role.CUSTOMER, orderId, Duration.ofHours(24));
        }
    }
    // end::spring-boot-quick-start[]

    @SpringBootApplication
    static class QuickStartApp {
    }

    @Test
    void readme_quickStart_startsWithTheTwoProperties_andAnOrderIsFollowedOverSse() throws Exception {
        List<String> properties = readmeProperties();
        assertThat(properties).hasSize(2);
        String prefix = "qs" + UUID.randomUUID().toString().replace("-", "").substring(0, 8).toLowerCase(Locale.ROOT)
                + "_";
        List<String> args = new ArrayList<>();
        properties.forEach(line -> args.add("--" + line));
        // what the application already had: a DataSource (and a port of its own); nothing else
        args.addAll(List.of("--spring.config.name=readme-quick-start", "--spring.datasource.url=" + POSTGRES,
                "--server.port=0", "--server.address=127.0.0.1", "--tracking.jdbc.table-prefix=" + prefix,
                "--spring.main.banner-mode=off"));
        System.setProperty("TRACKING_JWT_SECRET", "test-only-quick-start-secret-0123456789abcdef");
        SpringApplication application = new SpringApplication(QuickStartApp.class, CheckoutController.class);
        try (ConfigurableApplicationContext context = application.run(args.toArray(String[]::new))) {
            int port = ((ServletWebServerApplicationContext) context).getWebServer().getPort();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> link = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/checkout/o-1001"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(link.statusCode()).isEqualTo(200);

            List<String> lines = new CopyOnWriteArrayList<>();
            http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + link.body())).build(),
                    HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> response.body().forEach(lines::add));
            await().atMost(10, TimeUnit.SECONDS).until(() -> lines.stream()
                    .anyMatch(line -> line.startsWith("data: ") && line.contains("\"status\":\"received\"")));
        } finally {
            System.clearProperty("TRACKING_JWT_SECRET");
            try (Connection connection = DriverManager.getConnection(POSTGRES);
                    Statement statement = connection.createStatement()) {
                for (String table : List.of("notifications", "order_events", "orders", "locks", "schema_version")) {
                    statement.execute("DROP TABLE IF EXISTS " + prefix + table + " CASCADE");
                }
            }
        }
    }

    @Test
    void readme_quickStartCode_isThisTestsController() throws IOException {
        String code = Files.readString(Path.of("src/test/java/org/ordertracking/examples/quickstart/"
                + "SpringBootQuickStartIT.java"));
        String sample = between(code, "// tag::spring-boot-quick-start[]\n", "    // end::spring-boot-quick-start[]");
        String readme = Files.readString(README);
        String section = readme.substring(readme.indexOf(MARKER));
        String block = between(section, "```java\n", "```");
        assertThat(block).as("README.md's Spring Boot controller differs from SpringBootQuickStartIT")
                .isEqualTo(sample.lines().map(line -> line.length() >= 4 ? line.substring(4) : line.strip())
                        .reduce("", (a, b) -> a + b + "\n"));
        String dependency = between(section, "```xml\n", "```");
        assertThat(dependency).contains("<artifactId>tracking-spring-boot-starter</artifactId>");
    }

    /** The {@code key=value} lines of the README's properties block. */
    static List<String> readmeProperties() throws IOException {
        String readme = Files.readString(README);
        assertThat(readme).contains(MARKER);
        String section = readme.substring(readme.indexOf(MARKER));
        return between(section, "```properties\n", "```").lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
    }

    private static String between(String text, String start, String end) {
        int from = text.indexOf(start);
        if (from < 0) {
            throw new AssertionError("marker not found: " + start);
        }
        from += start.length();
        int to = text.indexOf(end, from);
        if (to < 0) {
            throw new AssertionError("end marker not found: " + end);
        }
        return text.substring(from, to);
    }
}
