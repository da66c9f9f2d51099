package org.ordertracking.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;

/**
 * The demo's own shutdown (what its JVM shutdown hook runs) with a customer's stream open on its
 * embedded Jetty: the stream gets the drain's {@code retry:} and then the last chunk of its response, read
 * by the JDK HttpClient as a clean end — where stopping Jetty first used to wait out Jetty's 2 s stop
 * timeout and cut the stream.
 */
@Timeout(120)
class DemoShutdownIT {

    @Test
    void close_withAnOpenStream_drainsIt_retryThenACleanEnd() throws Exception {
        Path dataDir = Files.createTempDirectory("demo-shutdown");
        try {
            DemoApp app = DemoApp.start(new DemoOptions(0, dataDir, null, null, false,
                    "shutdown-test-secret-0123456789abcdef", Duration.ofSeconds(30), Duration.ofMinutes(2)));
            CompletableFuture<HttpResponse<Void>> exchange;
            List<String> lines = new CopyOnWriteArrayList<>();
            try {
                app.tracker().register(new NewOrder("shut-1", "r-1", "c-1", new GeoPoint(33.8938, 35.5018)));
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                exchange = http.sendAsync(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + app.port() + "/tracking/orders/shut-1/stream"))
                        .header("Authorization", "Bearer " + app.token("customer", "shut-1"))
                        .header("Accept", "text/event-stream").build(),
                        HttpResponse.BodyHandlers.fromLineSubscriber(new java.util.concurrent.Flow.Subscriber<String>() {
                            @Override
                            public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
                                subscription.request(Long.MAX_VALUE);
                            }

                            @Override
                            public void onNext(String line) {
                                lines.add(line);
                            }

                            @Override
                            public void onError(Throwable throwable) {
                            }

                            @Override
                            public void onComplete() {
                            }
                        }));
                Awaitility.await("the stream's snapshot").atMost(Duration.ofSeconds(30))
                        .until(() -> lines.contains("event: snapshot"));
            } finally {
                app.close(); // what the demo's shutdown hook runs
            }
            HttpResponse<Void> response = exchange.get(20, TimeUnit.SECONDS); // fails if the body was cut
            assertEquals(200, response.statusCode());
            List<String> retries = lines.stream().filter(l -> l.startsWith("retry:")).toList();
            assertEquals(2, retries.size(), "the opening retry and the drain's: " + lines);
            long drainRetry = Long.parseLong(retries.get(1).substring(6).trim());
            assertTrue(drainRetry >= 0 && drainRetry < DemoApp.DRAIN_WINDOW.toMillis(), "retry " + drainRetry);
        } finally {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
