package org.ordertracking.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderStatus;

/**
 * What a browser's own {@code EventSource} (headless Chromium, no widget) does with a drain, which
 * docs/operations.md relies on: the drain's {@code retry:} and clean end make it reconnect, after that
 * delay, with {@code Last-Event-ID} set to the last status it saw; and a 503 — here from the drained node
 * itself, which is why the load balancer must send that reconnect elsewhere — closes it for good
 * ({@code readyState} 2), whatever {@code Retry-After} says.
 */
@Timeout(120)
class DrainBrowserIT {
    private static final String SECRET = "drain-browser-test-secret-0123456789abcdef";

    @Test
    void drain_browserEventSource_reconnectsWithLastEventIdAfterTheRetry_andA503ClosesIt() throws Exception {
        Path dataDir = Files.createTempDirectory("drain-browser");
        DemoApp app = DemoApp.start(new DemoOptions(0, dataDir, null, null, false, SECRET, Duration.ofSeconds(30),
                Duration.ofMinutes(2)));
        try (LossyProxy proxy = new LossyProxy(app.port(), Map.of("/es.html", new LossyProxy.Page(
                        "text/html; charset=utf-8", "<!doctype html><title>es</title>".getBytes(StandardCharsets.UTF_8))));
                HeadlessChromium browser = new HeadlessChromium()) {
            String order = "o-drain-browser";
            app.tracker().register(new NewOrder(order, "r-hamra", "c-1", new GeoPoint(33.8870, 35.5230)));
            app.tracker().transition(order, OrderStatus.ACCEPTED);
            browser.open("http://127.0.0.1:" + proxy.port() + "/es.html");
            browser.script("window.log = [];"
                    + "const es = new EventSource('/tracking/orders/" + order + "/stream?access_token="
                    + app.token("customer", order) + "'); window.es = es;"
                    + "es.addEventListener('status', e => log.push('status ' + e.lastEventId));"
                    + "es.addEventListener('snapshot', () => log.push('snapshot'));"
                    + "es.onerror = () => log.push('error ' + es.readyState); return true;");
            browser.await("window.log", log -> log.toString().contains("snapshot"), Duration.ofSeconds(30),
                    "the stream's snapshot in the browser");

            app.trackingServlet().drain(Duration.ofSeconds(2)).toCompletableFuture().get(20, TimeUnit.SECONDS);

            JsonNode state = browser.await("window.es.readyState", s -> s.asInt() == 2, Duration.ofSeconds(30),
                    "the EventSource closed for good");
            assertEquals(2, state.asInt());
            List<String> log = new ArrayList<>();
            browser.script("return window.log").forEach(e -> log.add(e.asText()));
            // the clean end: error with readyState 0 (CONNECTING, it will reconnect); the 503: readyState 2
            assertEquals(List.of("status 1", "status 2", "snapshot", "error 0", "error 2"), log);
            List<String> streamRequests = proxy.requests().stream().filter(r -> r.contains("/stream")).toList();
            assertEquals(2, streamRequests.size(), streamRequests.toString());
            assertTrue(!streamRequests.get(0).contains("Last-Event-ID"), streamRequests.get(0));
            assertTrue(streamRequests.get(1).endsWith(" Last-Event-ID=2"), "the reconnect: " + streamRequests.get(1));
        } finally {
            app.close();
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
