package org.ordertracking.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.servlet.WidgetAssets;

/**
 * The embeddable tracking widget in a real browser (Debian's headless Chromium through chromedriver),
 * between the browser and the demo a {@link LossyProxy} that delays, throttles, holds or breaks
 * traffic. Most tests use a test host page ({@code /harness.html}, served by the proxy with a strict
 * Content-Security-Policy) that embeds the widget with short timings: staleness bands 3 s / 8 s as
 * the demo here, stream retry 0.5 s, polling every 1 s, stream probe every 2 s, a stream silent for
 * 3 s counts as failed. Screenshots go to
 * {@code target/screenshots/}.
 */
@Timeout(300)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WidgetBrowserIT {
    private static final String SECRET = "widget-browser-test-secret-0123456789abcdef";
    private static final Path SHOTS = Path.of("target/screenshots");
    private static final List<String> ALL = List.of("received#1", "accepted#2", "preparing#3", "ready#4",
            "picked_up#5", "delivered#6");

    private Path dataDir;
    private DemoApp app;
    private LossyProxy proxy;
    private HeadlessChromium browser;
    private final HttpClient http = HttpClient.newHttpClient();
    private int orders;

    @BeforeAll
    void start() throws Exception {
        dataDir = Files.createTempDirectory("widget-data");
        app = DemoApp.start(new DemoOptions(0, dataDir, null, null, false, SECRET, Duration.ofSeconds(3),
                Duration.ofSeconds(8)));
        String html = "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                + "content=\"width=device-width, initial-scale=1\"><title>host</title><link rel=\"stylesheet\" "
                + "href=\"/tracking/widget/" + WidgetAssets.VERSION + "/tracking-widget.css\"></head><body data-widget="
                + "\"/tracking/widget/" + WidgetAssets.VERSION + "/tracking-widget.js\"><div id=\"w\"></div>"
                + "<script src=\"/tracking/widget/" + WidgetAssets.VERSION + "/tracking-widget.classic.js\"></script>"
                + "<script type=\"module\" src=\"/harness.js\"></script></body></html>";
        byte[] js;
        try (InputStream in = WidgetBrowserIT.class.getResourceAsStream("/widget-harness/harness.js")) {
            js = in.readAllBytes();
        }
        proxy = new LossyProxy(app.port(), Map.of(
                "/harness.html", new LossyProxy.Page("text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8)),
                "/harness.js", new LossyProxy.Page("text/javascript; charset=utf-8", js)));
        browser = new HeadlessChromium();
    }

    @AfterEach
    void healTheLink() throws Exception {
        proxy.shape(Duration.ZERO, 0);
        proxy.hold(false);
        proxy.failStreams(false);
        proxy.bufferStreams(false);
        browser.offline(false);
        browser.windowSize(1280, 900);
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (app != null) {
            app.close();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    // ---- helpers

    private TrackingClient client() {
        return new TrackingClient(http, URI.create("http://127.0.0.1:" + app.port() + "/tracking"));
    }

    private String newOrder() throws Exception {
        String order = "o-widget-" + (++orders);
        client().registerOrder(app.token("operator", "ops"), order, "r-hamra", "c-1", new GeoPoint(33.8870, 35.5230));
        return order;
    }

    private void advance(String order, String... statuses) throws Exception {
        for (String status : statuses) {
            String actor = switch (status) {
                case "picked_up", "delivered" -> app.token("driver", "d-1");
                default -> app.token("restaurant", "r-hamra");
            };
            if (status.equals("picked_up")) {
                client().assignDriver(app.token("operator", "ops"), order, "d-1");
            }
            client().transition(actor, order, status, null);
        }
    }

    private void fix() throws Exception {
        JsonNode reply = client().sendBatch(app.token("driver", "d-1"), "d-1", List.of(new TrackingClient.Fix(
                new GeoPoint(33.8965, 35.4815), 8, 90, 8, Instant.now().truncatedTo(ChronoUnit.MILLIS))));
        assertEquals(1, reply.path("applied").asInt(), reply.toString());
    }

    private String base() {
        return "http://127.0.0.1:" + proxy.port();
    }

    private void openHarness(String order, String query) throws Exception {
        browser.open(base() + "/harness.html?order=" + order + "&token=" + app.token("customer", order) + query);
    }

    private String attr(String name) throws Exception {
        return browser.script("const e = document.querySelector('.otw'); return e ? (e.dataset." + name
                + " || '') : ''").asText();
    }

    private void awaitAttr(String name, String value, Duration timeout) throws Exception {
        browser.await("(document.querySelector('.otw') || {dataset: {}}).dataset." + name + " || ''",
                v -> v.asText().equals(value), timeout, "data-" + name + "=" + value);
    }

    private List<String> log(String name) throws Exception {
        JsonNode array = browser.script("return window.widgetLog." + name);
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private void assertNoCspViolation() throws Exception {
        assertEquals(List.of(), log("violations"), "the widget works under a strict Content-Security-Policy");
    }

    // ---- tests

    @Test
    void eachLanguage_rendersOnTheDemoPage_arabicRightToLeft() throws Exception {
        String order = newOrder();
        Map<String, String> received = Map.of("ar", "تم استلام الطلب", "en", "Order received", "fr", "Commande reçue");
        for (String lang : List.of("ar", "en", "fr")) {
            browser.open(base() + "/track/" + order + "?access_token=" + app.token("customer", order) + "&lang=" + lang);
            browser.awaitText(".otw-status", s -> s.equals(received.get(lang)), Duration.ofSeconds(20),
                    lang + " status");
            JsonNode looks = browser.script("const w = document.querySelector('.otw'); return {dir: "
                    + "getComputedStyle(w).direction, lang: w.lang, page: document.documentElement.dir, "
                    + "id: getComputedStyle(w.querySelector('.otw-id')).direction, "
                    + "title: w.querySelector('.otw-title').textContent}");
            assertEquals(lang.equals("ar") ? "rtl" : "ltr", looks.path("dir").asText(), lang + ": " + looks);
            assertEquals(lang.equals("ar") ? "rtl" : "ltr", looks.path("page").asText(), lang + ": " + looks);
            assertEquals(lang, looks.path("lang").asText());
            assertEquals("ltr", looks.path("id").asText(), "an order id reads left to right in any language");
            browser.screenshot(SHOTS.resolve("widget-" + lang + ".png"));
        }
        assertEquals("طلبك", browser.script("return 'طلبك'").asText()); // the driver passes UTF-8 intact
    }

    @Test
    void arabicDigitsAndTimeZone_followTheHostsChoice() throws Exception {
        String order = newOrder();
        openHarness(order, "&lang=ar&digits=arab&tz=Asia/Beirut");
        browser.awaitText(".otw-timeline time", s -> !s.isEmpty(), Duration.ofSeconds(20), "the first time");
        String time = browser.text(".otw-timeline time");
        assertTrue(time.matches("[٠-٩]{2}:[٠-٩]{2}\\D*") && !time.matches(".*[0-9].*"), "Arabic-Indic digits: " + time);
        JsonNode expected = browser.script("const at = document.querySelector('.otw-timeline time').dateTime; return "
                + "new Intl.DateTimeFormat('ar-u-nu-arab', {hour: '2-digit', minute: '2-digit', timeZone: "
                + "'Asia/Beirut'}).format(new Date(at))");
        assertEquals(expected.asText(), time, "the time is in the customer's zone");
        assertNoCspViolation();
    }

    @Test
    void narrowScreen_320px_hasNoHorizontalScroll() throws Exception {
        String order = newOrder();
        advance(order, "accepted", "preparing", "ready", "picked_up");
        fix();
        browser.windowSize(320, 800);
        openHarness(order, "&lang=fr");
        awaitAttr("band", "moving", Duration.ofSeconds(20));
        JsonNode widths = browser.script("return [document.documentElement.scrollWidth, window.innerWidth]");
        assertTrue(widths.get(0).asInt() <= widths.get(1).asInt(), "page wider than the screen: " + widths);
        browser.screenshot(SHOTS.resolve("widget-fr-320px.png"));
    }

    @Test
    void statusChange_isAnnouncedInTheLiveRegion() throws Exception {
        String order = newOrder();
        openHarness(order, "&lang=en");
        awaitAttr("status", "received", Duration.ofSeconds(20));
        JsonNode region = browser.script("const r = document.querySelector('.otw [aria-live]'); return {live: "
                + "r.getAttribute('aria-live'), role: r.getAttribute('role'), atomic: r.getAttribute('aria-atomic')}");
        assertEquals("polite", region.path("live").asText());
        assertEquals("status", region.path("role").asText());
        advance(order, "accepted");
        browser.awaitText(".otw [aria-live]", s -> s.equals("Order status: Accepted by the restaurant"),
                Duration.ofSeconds(10), "the announcement");
        assertEquals("step", browser.script("return document.querySelector('.otw-timeline li[data-status=accepted]')"
                + ".getAttribute('aria-current')").asText());
        assertNoCspViolation();
    }

    @Test
    void stalledStream_agesTheBandOnItsOwn_andNeverShowsAnOldPositionAsCurrent() throws Exception {
        String order = newOrder();
        advance(order, "accepted", "preparing", "ready", "picked_up");
        openHarness(order, "&lang=en");
        awaitAttr("status", "picked_up", Duration.ofSeconds(20));
        fix();
        awaitAttr("band", "moving", Duration.ofSeconds(10));
        proxy.hold(true); // a dead zone: the stream stays open, nothing arrives
        awaitAttr("band", "low_coverage", Duration.ofSeconds(10));
        assertTrue(browser.text(".otw-driver").startsWith("Driver last seen"), browser.text(".otw-driver"));
        awaitAttr("band", "connection_lost", Duration.ofSeconds(15));
        assertEquals("", browser.text(".otw-position"), "no position once the driver counts as lost");
        assertEquals("—", browser.text(".otw-eta strong"));
        List<String> signals = log("signals");
        assertTrue(signals.contains("low_coverage:local") && signals.contains("connection_lost:local"),
                "aged by the page's own timer, not by server signals: " + signals);
        proxy.hold(false);
        fix();
        awaitAttr("band", "moving", Duration.ofSeconds(10));
    }

    @Test
    void failingStream_fallsBackToPollingWithEtag_andHandsBackWhenItRecovers() throws Exception {
        String order = newOrder();
        openHarness(order, "&lang=en");
        awaitAttr("connection", "live", Duration.ofSeconds(20));
        proxy.failStreams(true);
        awaitAttr("connection", "polling", Duration.ofSeconds(20));
        assertTrue(browser.text(".otw-notice").contains("Checking for news every 1 s"), browser.text(".otw-notice"));
        advance(order, "accepted");
        awaitAttr("status", "accepted", Duration.ofSeconds(10));
        assertEquals("polling", attr("connection"), "the status came by polling");
        String snapshot = "GET /tracking/orders/" + order + " HTTP/1.1 Authorization";
        long conditional = proxy.requests().stream().filter(r -> r.equals(snapshot + " If-None-Match")).count();
        assertTrue(conditional >= 1, "polls are conditional on the ETag, with the token in a header: "
                + proxy.requests().stream().filter(r -> r.contains(order)).toList());
        proxy.failStreams(false);
        awaitAttr("connection", "live", Duration.ofSeconds(15));
        advance(order, "preparing");
        awaitAttr("status", "preparing", Duration.ofSeconds(10));
        assertEquals(List.of("received#1", "accepted#2", "preparing#3"), log("statuses"));
        assertTrue(log("connections").containsAll(List.of("live", "polling")), log("connections").toString());
        assertNoCspViolation();
    }

    @Test
    void bufferingProxy_silentStreamCountsAsFailed_andPollingTakesOver() throws Exception {
        String order = newOrder();
        proxy.bufferStreams(true); // headers and events never reach the page while the stream is open
        openHarness(order, "&lang=en");
        awaitAttr("connection", "polling", Duration.ofSeconds(25));
        awaitAttr("status", "received", Duration.ofSeconds(5));
        advance(order, "accepted");
        awaitAttr("status", "accepted", Duration.ofSeconds(10));
        assertEquals(List.of("received#1", "accepted#2"), log("statuses"));
        proxy.bufferStreams(false);
        awaitAttr("connection", "live", Duration.ofSeconds(15));
        assertEquals(List.of("received#1", "accepted#2"), log("statuses"), "the hand-back replays nothing twice");
    }

    @Test
    void offlineThenOnline_pausesAndResumesFromTheLastStatus() throws Exception {
        String order = newOrder();
        openHarness(order, "&lang=fr");
        awaitAttr("connection", "live", Duration.ofSeconds(20));
        browser.offline(true);
        awaitAttr("connection", "offline", Duration.ofSeconds(10));
        assertTrue(browser.text(".otw-notice").startsWith("Vous êtes hors ligne"), browser.text(".otw-notice"));
        advance(order, "accepted", "preparing");
        browser.offline(false);
        awaitAttr("status", "preparing", Duration.ofSeconds(15));
        awaitAttr("connection", "live", Duration.ofSeconds(10));
        assertEquals(List.of("received#1", "accepted#2", "preparing#3"), log("statuses"));
        assertEquals(3, browser.script("return document.querySelectorAll('.otw-timeline li.otw-done').length").asInt());
    }

    @Test
    void slowLossyLink_everyStatusReachesThePageOnceInOrder() throws Exception {
        proxy.shape(Duration.ofMillis(300), 384_000);
        String order = newOrder();
        openHarness(order, "&lang=ar");
        awaitAttr("status", "received", Duration.ofSeconds(30));
        advance(order, "accepted");
        proxy.hold(true);                // a short dead zone while the kitchen works
        advance(order, "preparing");
        Thread.sleep(2_000);             // the dead zone's length (the scenario, not a wait for a result)
        proxy.hold(false);
        advance(order, "ready", "picked_up");
        fix();
        proxy.hold(true);                // a longer one, past the low-coverage band
        Thread.sleep(5_000);
        advance(order, "delivered");
        proxy.hold(false);
        awaitAttr("status", "delivered", Duration.ofSeconds(30));
        assertEquals(ALL, log("statuses"), "every status once, in order");
        JsonNode timeline = browser.script("return [...document.querySelectorAll('.otw-timeline li')]"
                + ".map(li => li.dataset.status + ':' + li.className)");
        List<String> items = new ArrayList<>();
        timeline.forEach(n -> items.add(n.asText()));
        assertEquals(List.of("received:otw-done", "accepted:otw-done", "preparing:otw-done", "ready:otw-done",
                "picked_up:otw-done", "delivered:otw-done"), items);
        awaitAttr("connection", "closed", Duration.ofSeconds(5));
        assertEquals("تم التوصيل. صحتين وعافية!", browser.text(".otw-driver"));
        assertEquals(Boolean.TRUE, browser.script("return document.querySelector('.otw-eta').hidden").asBoolean());
        browser.screenshot(SHOTS.resolve("widget-ar-delivered-lossy-link.png"));
        assertNoCspViolation();
    }

    @Test
    void eventApiAlone_reportsStatusLocationSignalAndConnection_withoutRenderingAnything() throws Exception {
        String order = newOrder();
        openHarness(order, "&headless=1");
        browser.await("window.widgetLog ? window.widgetLog.connections.join() : ''",
                v -> v.asText().equals("connecting,live"), Duration.ofSeconds(20), "the connection events");
        advance(order, "accepted", "preparing", "ready", "picked_up");
        fix();
        browser.await("(window.widgetLog.locations || []).join()", v -> v.asText().equals("33.8965,35.4815"),
                Duration.ofSeconds(10), "the driver's position");
        assertEquals(List.of("received#1", "accepted#2", "preparing#3", "ready#4", "picked_up#5"), log("statuses"));
        assertTrue(log("signals").contains("moving:server"), log("signals").toString());
        assertEquals(0, browser.script("return document.querySelectorAll('.otw').length").asInt(),
                "createTracker draws nothing");
        browser.script("window.widget.stop(); return null");
        assertEquals("closed", browser.script("return window.widget.state.connection").asText());
    }

    @Test
    void classicBuild_rendersLikeTheModule() throws Exception {
        String order = newOrder();
        openHarness(order, "&lang=en&classic=1");
        awaitAttr("status", "received", Duration.ofSeconds(20));
        assertEquals("function", browser.script("return typeof OrderTrackingWidget.mount").asText());
        assertEquals(WidgetAssets.VERSION, browser.script("return OrderTrackingWidget.VERSION").asText());
        assertNoCspViolation();
    }
}
