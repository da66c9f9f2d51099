package org.ordertracking.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ordertracking.servlet.JwtIssuer;
import org.ordertracking.servlet.Role;

/**
 * A power cut, many times over: the demo runs as its own process on the embedded H2 default, 24
 * orders move through their lifecycle over HTTP while every customer watches on a real SSE stream,
 * and the process is killed with SIGKILL five times mid-flight and started again on the same data
 * directory. Every transition the demo acknowledged must still be there afterwards (a seq never
 * goes back), every stream must end at the terminal status, and no push notification may be sent
 * twice (the demo's notifier logs each one).
 *
 * <p>It once found, on H2, an order at seq N without its event N after a kill: H2 stored half of a
 * commit that was in flight while another session's commit wrote a chunk. {@code JdbcOrderRepository}
 * now writes to an H2 file one transaction at a time ({@code H2FileKillIT} proves the repository
 * alone against many more kills).
 */
@Timeout(240)
class DemoKillSoakIT {
    private static final String SECRET = "kill-soak-test-secret-0123456789abcdef";
    private static final int ORDERS = 24;
    private static final int KILLS = 5;
    private static final List<String> RESTAURANT_STEPS = List.of("accepted", "preparing", "ready");
    private static final List<String> DRIVER_STEPS = List.of("picked_up", "delivered");
    private static final List<String> ORDER = List.of("received", "accepted", "preparing", "ready", "picked_up",
            "delivered");
    private static final Pattern PUSH = Pattern.compile("push to customer \\S+ about order (o-soak-\\d+): (.*)$");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final JwtIssuer tokens = JwtIssuer.of(SECRET.getBytes(StandardCharsets.UTF_8));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private Path dataDir;
    private Path log;
    private int port;
    private volatile Process demo;

    /** (order, status) → the seq the demo acknowledged with 200. */
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    private final AtomicInteger acks = new AtomicInteger();
    /** order → what its customer's stream has seen so far, for the failure message. */
    private final Map<String, String> watching = new ConcurrentHashMap<>();

    @AfterEach
    void stop() throws IOException {
        pool.shutdownNow();
        if (demo != null) {
            demo.destroyForcibly();
        }
        if (log != null && Files.exists(log)) { // kept for a look after a failure
            Files.createDirectories(Path.of("target"));
            Files.copy(log, Path.of("target", "demo-kill-soak.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void killedFiveTimesMidFlight_keepsEveryAcknowledgedTransition_endsEveryStream_andNotifiesOnce()
            throws Exception {
        dataDir = Files.createTempDirectory("demo-kill-soak");
        log = dataDir.resolve("demo.log");
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort(); // the same port across restarts, as a real deployment has
        }
        startDemo();

        List<Future<?>> workers = new ArrayList<>();
        List<Future<List<Long>>> streams = new ArrayList<>();
        for (int i = 0; i < ORDERS; i++) {
            String order = "o-soak-" + i;
            int n = i;
            workers.add(pool.submit(() -> {
                drive(order, n);
                return null;
            }));
            streams.add(pool.submit(() -> watch(order)));
        }

        for (int kill = 0; kill < KILLS; kill++) {
            int before = acks.get();
            Awaitility.await("more transitions acknowledged before kill " + (kill + 1)).atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20)).until(() -> acks.get() >= before + 12
                            || workers.stream().allMatch(Future::isDone));
            demo.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no close, no flush
            assertTrue(demo.waitFor(10, TimeUnit.SECONDS), "the demo did not die");
            startDemo();
        }

        for (Future<?> worker : workers) {
            worker.get(150, TimeUnit.SECONDS);
        }
        Map<String, List<Long>> seen = new HashMap<>();
        for (int i = 0; i < ORDERS; i++) {
            try {
                seen.put("o-soak-" + i, streams.get(i).get(45, TimeUnit.SECONDS)); // every stream ends
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the stream of o-soak-" + i + " did not end; streams: " + watching, e);
            }
        }

        for (int i = 0; i < ORDERS; i++) {
            String order = "o-soak-" + i;
            JsonNode snapshot = snapshot(order);
            assertEquals("delivered", snapshot.path("order").path("status").asText(), order);
            Map<Long, String> events = new HashMap<>();
            for (JsonNode event : snapshot.path("events")) {
                events.put(event.path("seq").asLong(), event.path("status").asText());
            }
            for (String status : ORDER) {
                Long seq = acknowledged.get(order + "/" + status);
                if (seq != null) {
                    assertEquals(status, events.get(seq), order + ": acknowledged " + status + " at seq " + seq
                            + " but after the kills the history is " + events);
                }
            }
            List<Long> streamed = seen.get(order);
            assertEquals(events.keySet().stream().max(Long::compare).orElseThrow(), streamed.get(streamed.size() - 1),
                    order + ": the stream did not end at the terminal status: " + streamed);
        }
        assertTrue(acks.get() >= ORDERS * 5, "too few transitions acknowledged: " + acks.get());

        Map<String, Integer> pushes = new HashMap<>();
        for (String line : Files.readAllLines(log)) {
            Matcher push = PUSH.matcher(line);
            if (push.find()) {
                pushes.merge(push.group(1) + ": " + push.group(2), 1, Integer::sum);
            }
        }
        assertTrue(pushes.size() >= ORDERS, "the notifier logged too little: " + pushes.size());
        pushes.forEach((push, count) -> assertEquals(1, count, "sent " + count + " times: " + push));
    }

    /** Moves one order from placed to delivered, retrying through kills; records each 200. */
    private void drive(String order, int n) throws Exception {
        pause(n * 150L);
        String restaurant = "r-hamra";
        String driver = "d-soak-" + n;
        String operator = token(Role.OPERATOR, "soak");
        untilDone(() -> {
            HttpResponse<String> r = post("/orders", operator, "{\"order_id\":\"" + order + "\",\"restaurant_id\":\""
                    + restaurant + "\",\"customer_id\":\"c-" + n + "\",\"destination\":{\"lat\":33.887,\"lon\":35.523}}");
            return r.statusCode() == 201 || r.statusCode() == 409;
        });
        for (String status : RESTAURANT_STEPS) {
            pause(100 + ThreadLocalRandom.current().nextInt(300));
            transition(order, status, token(Role.RESTAURANT, restaurant));
        }
        untilDone(() -> {
            HttpResponse<String> r = post("/orders/" + order + "/driver", operator, "{\"driver_id\":\"" + driver + "\"}");
            LAST.set(order + " driver: " + r.statusCode() + " " + r.body());
            return r.statusCode() / 100 == 2 || driver.equals(snapshot(order).path("order").path("driver_id").asText());
        });
        for (String status : DRIVER_STEPS) {
            pause(100 + ThreadLocalRandom.current().nextInt(300));
            transition(order, status, token(Role.DRIVER, driver));
        }
    }

    private void transition(String order, String status, String token) throws Exception {
        untilDone(() -> {
            HttpResponse<String> r = post("/orders/" + order + "/transitions", token, "{\"status\":\"" + status + "\"}");
            LAST.set(order + " " + status + ": " + r.statusCode() + " " + r.body());
            if (r.statusCode() == 200) {
                acknowledged.put(order + "/" + status, MAPPER.readTree(r.body()).path("seq").asLong());
                acks.incrementAndGet();
                return true;
            }
            // a kill between commit and answer: the transition may be in; the order's status says
            return r.statusCode() == 409 && ORDER.indexOf(snapshot(order).path("order").path("status").asText())
                    >= ORDER.indexOf(status);
        });
    }

    /** A customer watching: reconnects with Last-Event-ID after each kill; returns the seqs received. */
    private List<Long> watch(String order) throws Exception {
        String token = token(Role.CUSTOMER, order); // a customer token names its order
        List<Long> seqs = new ArrayList<>();
        String status = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(200);
        while (!status.equals("delivered") && System.nanoTime() < deadline) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri("/orders/" + order + "/stream"))
                    .header("Authorization", "Bearer " + token);
            if (!seqs.isEmpty()) {
                request.header("Last-Event-ID", String.valueOf(seqs.get(seqs.size() - 1)));
            }
            try {
                HttpResponse<Stream<String>> response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
                watching.put(order, status + " " + seqs + " connected " + response.statusCode());
                if (response.statusCode() == 204) {
                    break;
                }
                if (response.statusCode() != 200) {
                    response.body().close();
                    pause(100); // not registered yet (404), or the demo is starting
                    continue;
                }
                String event = "";
                try (Stream<String> lines = response.body()) {
                    for (String line : (Iterable<String>) lines::iterator) {
                        if (line.startsWith("event:")) {
                            event = line.substring(6).trim();
                        } else if (line.startsWith("data:") && event.equals("status")) {
                            JsonNode data = MAPPER.readTree(line.substring(5));
                            long seq = data.path("seq").asLong();
                            assertTrue(seqs.isEmpty() || seq > seqs.get(seqs.size() - 1),
                                    order + ": seq " + seq + " after " + seqs);
                            seqs.add(seq);
                            status = data.path("status").asText();
                            watching.put(order, status + " " + seqs);
                        }
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                pause(100); // killed: reconnect
            }
        }
        assertEquals("delivered", status, order + ": the stream never showed the delivery; saw " + seqs);
        return seqs;
    }

    @FunctionalInterface
    private interface Attempt {
        boolean done() throws Exception;
    }

    private static final ThreadLocal<String> LAST = ThreadLocal.withInitial(() -> "nothing");

    /** Repeats {@code attempt} through connection failures (the demo is down) for at most 120 s (several restarts). */
    private static void untilDone(Attempt attempt) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                if (attempt.done()) {
                    return;
                }
            } catch (IOException e) {
                LAST.set(e.toString()); // the demo is down or restarting
            }
            pause(100);
        }
        throw new AssertionError("no answer within 120 s; last: " + LAST.get());
    }

    private void startDemo() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                DemoApp.class.getName(), "--port", String.valueOf(port), "--data-dir", dataDir.toString(),
                "--no-simulator");
        builder.environment().put("TRACKING_JWT_SECRET", SECRET);
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        demo = builder.start();
        Awaitility.await("the demo answers").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> {
                    if (!demo.isAlive()) {
                        throw new AssertionError("the demo exited: " + Files.readString(log));
                    }
                    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                });
    }

    private HttpResponse<String> post(String path, String token, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode snapshot(String order) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/orders/" + order))
                .header("Authorization", "Bearer " + token(Role.OPERATOR, "soak")).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("snapshot of " + order + " answered " + r.statusCode());
        }
        return MAPPER.readTree(r.body());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + "/tracking" + path);
    }

    private String token(Role role, String subject) {
        return tokens.issue(role, subject, Duration.ofHours(1));
    }

    private static void pause(long millis) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(millis);
    }
}
