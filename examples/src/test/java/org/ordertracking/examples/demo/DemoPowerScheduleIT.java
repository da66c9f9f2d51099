package org.ordertracking.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ordertracking.core.PowerCut;
import org.ordertracking.core.PowerPlan;

/**
 * {@code --power-schedule}: the demo loads its shipped schedule (a two-minute cut every six minutes in
 * each area, the areas two minutes apart) into its database, and the operator's order snapshot and
 * the restaurant boards flag orders at risk. Orders placed at the same moment at the three restaurants
 * cover every area's next cut, so at least one of them is at risk whatever the wall clock says.
 */
@Timeout(120)
class DemoPowerScheduleIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shippedSchedule_coversTheDemosRestaurants_withACutEverySixMinutes() throws Exception {
        PowerPlan plan = DemoApp.demoPowerPlan();
        assertEquals(DemoSimulator.RESTAURANTS.keySet(), plan.restaurants().keySet());
        Instant from = Instant.parse("2026-12-02T10:00:00Z");
        for (String restaurant : DemoSimulator.RESTAURANTS.keySet()) {
            var cuts = plan.cutsOfRestaurant(restaurant, from, from.plus(Duration.ofHours(1)).minusMillis(1));
            assertEquals(10, cuts.size(), restaurant);
            for (PowerCut cut : cuts) {
                assertEquals(Duration.ofMinutes(2), Duration.between(cut.start(), cut.end()), restaurant);
            }
        }
    }

    @Test
    void withPowerSchedule_operatorsAndBoardsSeeAtRiskOrders() throws Exception {
        Path dataDir = Files.createTempDirectory("demo-power");
        DemoOptions options = DemoOptions.parse(new String[] {"--power-schedule", "--no-simulator", "--port", "0",
                "--data-dir", dataDir.toString()}, Map.of("TRACKING_JWT_SECRET", "power-test-secret-0123456789abcdef"));
        HttpClient http = HttpClient.newHttpClient();
        try (DemoApp app = DemoApp.start(options)) {
            assertTrue(app.banner().contains("Power cuts:          demo schedule"), app.banner());
            URI base = URI.create("http://127.0.0.1:" + app.port() + "/tracking");
            String operator = app.token("operator", "power-test");
            int atRisk = 0;
            for (String restaurant : DemoSimulator.RESTAURANTS.keySet()) {
                String orderId = "pw-" + restaurant;
                HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/orders"))
                        .header("Authorization", "Bearer " + operator).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"order_id\":\"" + orderId + "\",\"restaurant_id\":\""
                                + restaurant + "\",\"customer_id\":\"c-1\",\"destination\":{\"lat\":33.89,\"lon\":35.5}}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(201, created.statusCode(), created.body());
                JsonNode snapshot = get(http, base + "/orders/" + orderId, operator);
                JsonNode risk = snapshot.get("power_risk");
                assertTrue(snapshot.has("power_risk"), snapshot.toString());
                JsonNode list = get(http, base + "/restaurants/" + restaurant + "/orders",
                        app.token("restaurant", restaurant));
                assertTrue(list.get(0).has("power_risk"), list.toString());
                JsonNode forCustomer = get(http, base + "/orders/" + orderId, app.token("customer", orderId));
                assertFalse(forCustomer.has("power_risk"), "not on the customer's snapshot");
                if (!risk.isNull()) {
                    atRisk++;
                    Instant placed = Instant.parse(snapshot.get("order").get("created_at").asText());
                    Instant start = Instant.parse(risk.get("cut_start").asText());
                    assertFalse(start.isBefore(placed), risk.toString());
                    assertFalse(start.isAfter(placed.plus(Duration.ofMinutes(3))), risk.toString());
                    assertEquals(DemoApp.demoPowerPlan().areaOf(restaurant).orElseThrow(), risk.get("area").asText());
                }
            }
            assertTrue(atRisk >= 1, "cuts start every two minutes across the areas, the window is three");
            assertEquals(atRisk, app.tracker().sweepPowerRisk());
        } finally {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void restaurantBoard_marksTheAtRiskOrder_inTheBrowser() throws Exception {
        Path dataDir = Files.createTempDirectory("demo-power-board");
        DemoOptions options = DemoOptions.parse(new String[] {"--power-schedule", "--no-simulator", "--port", "0",
                "--data-dir", dataDir.toString()}, Map.of("TRACKING_JWT_SECRET", "power-test-secret-0123456789abcdef"));
        HttpClient http = HttpClient.newHttpClient();
        try (DemoApp app = DemoApp.start(options); HeadlessChromium browser = new HeadlessChromium()) {
            URI base = URI.create("http://127.0.0.1:" + app.port() + "/tracking");
            String operator = app.token("operator", "power-board");
            Map<String, Boolean> atRisk = new java.util.TreeMap<>();
            for (String restaurant : DemoSimulator.RESTAURANTS.keySet()) {
                String orderId = "pb-" + restaurant;
                HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/orders"))
                        .header("Authorization", "Bearer " + operator).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"order_id\":\"" + orderId + "\",\"restaurant_id\":\""
                                + restaurant + "\",\"customer_id\":\"c-1\",\"destination\":{\"lat\":33.89,\"lon\":35.5}}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(201, created.statusCode(), created.body());
                atRisk.put(restaurant, !get(http, base + "/orders/" + orderId, operator).get("power_risk").isNull());
            }
            assertTrue(atRisk.containsValue(true), atRisk.toString());
            for (Map.Entry<String, Boolean> board : atRisk.entrySet()) {
                String restaurant = board.getKey();
                browser.open("http://127.0.0.1:" + app.port() + "/restaurant/" + restaurant + "?access_token="
                        + app.token("restaurant", restaurant));
                String card = "document.querySelector('.order[data-order-id=\"pb-" + restaurant + "\"]')";
                JsonNode shown = browser.await("(" + card + " || {className: 'missing'}).className",
                        v -> !v.asText().equals("missing"), Duration.ofSeconds(20), "the order's card on " + restaurant);
                if (board.getValue()) {
                    assertTrue(shown.asText().contains("at-risk"), restaurant + ": " + shown.asText());
                    String text = browser.text(".order.at-risk .risk");
                    assertTrue(text.contains("Power cut"), text);
                    browser.screenshot(Path.of("target/screenshots/board-power-risk.png"));
                } else {
                    assertFalse(shown.asText().contains("at-risk"), restaurant + ": " + shown.asText());
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static JsonNode get(HttpClient http, String uri, String token) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(uri))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }
}
