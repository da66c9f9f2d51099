package org.ordertracking.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ordertracking.core.GeoPoint;

/**
 * The demo's customer tracking page (the embeddable widget) in a real browser (Debian's headless Chromium): the status advances
 * live, "last seen" appears when the driver goes silent, and after the server is restarted in the
 * middle of the delivery the page reconnects and its timeline is intact — every step once. And the
 * operators' page: a restaurant gone dark and a stuck order appear live, and the dark restaurant's
 * customer sees why nothing moves.
 * Screenshots go to {@code target/screenshots/}.
 */
@Timeout(180)
class DemoBrowserIT {
    private static final String SECRET = "demo-browser-test-secret-0123456789abcdef";
    private static final Path SHOTS = Path.of("target/screenshots");

    private Path dataDir;
    private DemoApp app;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        dataDir = Files.createTempDirectory("demo-data");
        app = DemoApp.start(options(0));
    }

    private DemoOptions options(int port) {
        return new DemoOptions(port, dataDir, null, null, false, SECRET, Duration.ofSeconds(3), Duration.ofSeconds(8));
    }

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private TrackingClient client() {
        return new TrackingClient(http, URI.create("http://127.0.0.1:" + app.port() + "/tracking"));
    }

    private void fix(String driver, double lat, double lon) throws Exception {
        JsonNode reply = client().sendBatch(app.token("driver", driver), driver, List.of(new TrackingClient.Fix(
                new GeoPoint(lat, lon), 8, 90, 8, Instant.now().truncatedTo(ChronoUnit.MILLIS))));
        assertEquals(1, reply.path("applied").asInt(), reply.toString());
    }

    @Test
    void trackingPage_followsTheDelivery_showsStaleness_andSurvivesARestart() throws Exception {
        String order = "o-browser-1";
        String restaurant = app.token("restaurant", "r-hamra");
        String driver = app.token("driver", "d-1");
        String operator = app.token("operator", "ops");
        client().registerOrder(operator, order, "r-hamra", "c-7", new GeoPoint(33.8870, 35.5230));

        try (HeadlessChromium browser = new HeadlessChromium()) {
            browser.open("http://127.0.0.1:" + app.port() + "/track/" + order + "?access_token="
                    + app.token("customer", order) + "&lang=en");
            awaitStatus(browser, "received", Duration.ofSeconds(20), "the first status");

            client().transition(restaurant, order, "accepted", null);
            client().transition(restaurant, order, "preparing", null);
            awaitStatus(browser, "preparing", Duration.ofSeconds(10), "live status");
            client().transition(restaurant, order, "ready", null);
            client().assignDriver(operator, order, "d-1");
            client().transition(driver, order, "picked_up", null);
            fix("d-1", 33.8965, 35.4815);
            browser.awaitText(".otw-driver", s -> s.contains("on the way"), Duration.ofSeconds(10), "the live driver");
            browser.screenshot(SHOTS.resolve("1-on-the-way.png"));

            // the driver enters a dead zone: no fix for longer than the low-coverage threshold
            browser.awaitText(".otw-driver", s -> s.contains("last seen"), Duration.ofSeconds(20), "\"last seen\"");
            browser.screenshot(SHOTS.resolve("2-last-seen.png"));

            // power cut: the server stops mid-delivery and comes back on the same port and data
            int port = app.port();
            app.close();
            app = null;
            app = DemoApp.start(options(port));
            fix("d-1", 33.8930, 35.4930);
            client().transition(app.token("driver", "d-1"), order, "delivered", null);

            awaitStatus(browser, "delivered", Duration.ofSeconds(30),
                    "the delivery after the restart");
            browser.screenshot(SHOTS.resolve("3-delivered-after-restart.png"));
            JsonNode timeline = browser.script(
                    "return [...document.querySelectorAll('.otw-timeline li')].map(li => li.dataset.status + ':' "
                            + "+ li.className)");
            assertEquals(List.of("received:otw-done", "accepted:otw-done", "preparing:otw-done", "ready:otw-done",
                    "picked_up:otw-done", "delivered:otw-done"), toList(timeline), "every step exactly once, none missing");
            assertEquals(6, browser.script("return window.trackingWidget.state.lastSeq").asInt());
            assertEquals(6, browser.script("return window.trackingWidget.state.events.length").asInt(),
                    "no status applied twice");
            assertTrue(browser.text(".otw-driver").contains("Delivered"), browser.text(".otw-driver"));
        }
    }

    @Test
    void operatorsPage_showsARestaurantGoneDarkAndAStuckOrder_andTheCustomerSeesTheBanner() throws Exception {
        // stored facts from the past, as if the demo had run for a while: an order waiting 4 minutes on a
        // restaurant that never showed its board, and one accepted 11 minutes ago (the limit is 10)
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        org.ordertracking.core.OrderRepository repository = app.tracker().repository();
        String dark = "o-dark-1";
        String stuck = "o-stuck-1";
        repository.create(new org.ordertracking.core.NewOrder(dark, "r-verdun", "c-8", new GeoPoint(33.8760, 35.4790)),
                now.minus(Duration.ofMinutes(4)), "test");
        repository.create(new org.ordertracking.core.NewOrder(stuck, "r-gemmayzeh", "c-9",
                new GeoPoint(33.8870, 35.5230)), now.minus(Duration.ofMinutes(12)), "test");
        repository.transition(org.ordertracking.core.TransitionRequest.of(stuck,
                org.ordertracking.core.OrderStatus.ACCEPTED, null, "test", now.minus(Duration.ofMinutes(11))),
                org.ordertracking.core.OrderStateMachine.defaults());
        try (HeadlessChromium browser = new HeadlessChromium()) {
            browser.open("http://127.0.0.1:" + app.port() + "/operations");
            // the presence check runs every 15 s, the stuck-order check every 30 s: live events or the snapshot
            browser.awaitText("#offline", s -> s.contains("r-verdun"), Duration.ofSeconds(60), "r-verdun offline");
            browser.awaitText("#stuck", s -> s.contains(stuck), Duration.ofSeconds(60), "the stuck order");
            browser.awaitText("#figures", s -> s.contains("open operations streams"), Duration.ofSeconds(20),
                    "the node's figures, this page's own stream counted");
            browser.screenshot(SHOTS.resolve("4-operations.png"));
        }
        String customer = app.token("customer", dark);
        assertTrue(snapshot(dark, customer).path("restaurant_offline").asBoolean(), "the order's snapshot says so");
        try (HeadlessChromium browser = new HeadlessChromium()) {
            browser.open("http://127.0.0.1:" + app.port() + "/track/" + dark + "?access_token=" + customer + "&lang=en");
            browser.awaitText("#restaurant-dark", s -> s.contains("has not confirmed your order yet; it may be without"
                    + " power"), Duration.ofSeconds(20), "the banner");
            browser.screenshot(SHOTS.resolve("5-restaurant-dark.png"));
        }
    }

    @Test
    void landingPage_listsLiveOrdersWithWorkingLinks() throws Exception {
        client().registerOrder(app.token("operator", "ops"), "o-landing-1", "r-verdun", "c-9",
                new GeoPoint(33.8760, 35.4790));
        HttpResponse<String> landing = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.port() + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, landing.statusCode());
        assertTrue(landing.body().contains("/track/o-landing-1?access_token="), landing.body());
        assertTrue(landing.body().contains("/restaurant/r-verdun?access_token="), landing.body());
        HttpResponse<String> map = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.port() + "/demo/map.json")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(map.body().contains("\"Hamra Street\""), map.body());
    }

    /** The order's snapshot, as its customer reads it. */
    private JsonNode snapshot(String order, String token) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.port() + "/tracking/orders/" + order))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
    }

    /** Waits until the widget shows {@code status} (its {@code data-status}, the wire name). */
    private static void awaitStatus(HeadlessChromium browser, String status, Duration timeout, String what)
            throws Exception {
        browser.await("(document.querySelector('.otw') || {dataset: {}}).dataset.status || ''",
                v -> v.asText().equals(status), timeout, what);
    }

    private static List<String> toList(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
