package org.ordertracking.servlet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.internal.JsonCodec;

/**
 * {@link TrackingServlet#drain(Duration)} on one node, over the wire: what open streams, new streams,
 * driver sockets, meters and bad windows see. The two-node drain under load is {@link TwoNodeDrainIT}.
 */
@Timeout(120)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class DrainIT {
    /** Spread 2.67 s in 266 ms waves, leads up to 444 ms: twenty streams keep a drain going past its first wave. */
    private static final Duration WINDOW = Duration.ofSeconds(4);
    private static final int STREAMS = 20;

    @Parameter
    Container container;

    private OrderTracker tracker;
    private LocationStore store;
    private Node node;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<SseClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        tracker = OrderTracker.builder().build();
        store = LocationStore.inMemory(java.time.Instant::now);
        LocationIngestor ingestor = LocationIngestor.builder(store, tracker.repository(), tracker.eventBus()).build();
        node = Node.start(container, tracker, b -> b.drainWindow(WINDOW).drainOnShutdown(false)
                .locationIngestor(ingestor).locationStore(store));
        new TrackingMeterBinder(node.servlet).bindTo(meters);
        tracker.register(new NewOrder("dr-1", "r-1", "c-1", new GeoPoint(33.89, 35.50)));
        tracker.transition("dr-1", OrderStatus.ACCEPTED);
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(SseClient::close);
        node.close();
        tracker.close();
        store.close();
    }

    private List<SseClient> openStreams(int n) throws Exception {
        String token = Node.token(Role.CUSTOMER, "dr-1");
        for (int i = 0; i < n; i++) {
            clients.add(node.stream("/orders/dr-1/stream", token));
        }
        for (SseClient client : clients) {
            client.nextOfType("snapshot");
        }
        return clients;
    }

    private double gauge() {
        return meters.get("tracking.drain.active").gauge().value();
    }

    private double drainedCounter() {
        return meters.get("tracking.streams.drained").functionCounter().count();
    }

    @Test
    void drain_openStreams_eachGetsRetryWithinTheSpreadThenACleanEnd_andTheServletCloses() throws Exception {
        List<SseClient> streams = openStreams(STREAMS);
        assertEquals(0.0, gauge());

        CompletableFuture<Void> drained = node.servlet.drain(WINDOW).toCompletableFuture();
        assertTrue(node.servlet.isDraining());
        assertEquals(1.0, gauge(), "tracking.drain.active while draining");

        for (SseClient stream : streams) {
            // the stream's opening retry: went before its snapshot; the drain's comes last, just before the end
            long retry = Long.parseLong(stream.nextOfType("retry").data());
            assertTrue(retry >= 0 && retry < 444 + 266, "a retry within a lead and a wave: " + retry);
            stream.awaitCleanEnd(Duration.ofSeconds(20));
        }
        drained.get(20, TimeUnit.SECONDS);
        assertFalse(node.servlet.isDraining(), "closed once the drain is over");
        assertEquals(0.0, gauge());
        assertEquals(STREAMS, drainedCounter(), 0.0, "tracking.streams.drained");

        // closed: a stream is refused as by a servlet shutting down (the tracker is the host's, still open)
        HttpResponse<String> after = node.get("/orders/dr-1/stream", Node.token(Role.CUSTOMER, "dr-1"));
        assertEquals(503, after.statusCode());
        assertEquals(ProblemType.UNAVAILABLE.uri().toString(), JsonCodec.mapper().readTree(after.body()).get("type").asText());
    }

    @Test
    void drain_newStream_isRefusedWith503DrainingAndRetryAfter_whileOtherRequestsAreServed() throws Exception {
        openStreams(STREAMS);
        CompletableFuture<Void> drained = node.servlet.drain(WINDOW).toCompletableFuture();

        try (SseClient refused = node.stream("/orders/dr-1/stream", Node.token(Role.CUSTOMER, "dr-1"))) {
            assertEquals(503, refused.status());
            assertTrue(refused.header("Content-Type").startsWith("application/problem+json"), refused.header("Content-Type"));
            long retryAfter = Long.parseLong(refused.header("Retry-After"));
            assertTrue(retryAfter >= 1 && retryAfter <= 4, "Retry-After within the window: " + retryAfter);
        }
        HttpResponse<String> body = node.get("/restaurants/r-1/stream", Node.token(Role.RESTAURANT, "r-1"));
        assertEquals(503, body.statusCode(), body.body());
        JsonNode problem = JsonCodec.mapper().readTree(body.body());
        assertEquals("https://ordertracking.org/problems/draining", problem.get("type").asText());
        assertEquals(503, problem.get("status").asInt());
        assertNotNull(body.headers().firstValue("Retry-After").orElse(null));

        // a transition and a poll are still served while the streams go
        HttpResponse<String> moved = node.post("/orders/dr-1/transitions", Node.operator(), "{\"status\":\"preparing\"}");
        assertEquals(200, moved.statusCode(), moved.body());
        assertEquals(200, node.get("/orders/dr-1", Node.token(Role.CUSTOMER, "dr-1")).statusCode());
        assertTrue(node.servlet.isDraining(), "the twenty streams keep the drain going past these requests");
        drained.get(20, TimeUnit.SECONDS);
    }

    @Test
    void drain_driverSocket_isClosedWithGoingAway_andANewOneIsRefusedWithGoingAway() throws Exception {
        openStreams(STREAMS);
        try (DriverSocketIT.Driver driver = new DriverSocketIT.Driver(node, "d-1", Node.token(Role.DRIVER, "d-1"), false)) {
            await("the socket is open").atMost(Metrics.WAIT)
                    .until(() -> Metrics.connections(node, DriverSocketIT.SOCKET_KIND) == 1);
            CompletableFuture<Void> drained = node.servlet.drain(WINDOW).toCompletableFuture();
            try (DriverSocketIT.Driver late = new DriverSocketIT.Driver(node, "d-2", Node.token(Role.DRIVER, "d-2"), false)) {
                JsonNode error = late.next();
                assertEquals("error", error.get("type").asText());
                assertEquals("draining", error.get("code").asText());
                assertEquals(1001, late.closed.get(20, TimeUnit.SECONDS), "going away");
            }
            assertEquals(1001, driver.closed.get(20, TimeUnit.SECONDS), "going away");
            drained.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void drain_calledAgain_isTheSameDrain_andCloseDuringIt_endsItAtOnce() throws Exception {
        openStreams(STREAMS);
        CompletableFuture<Void> first = node.servlet.drain(WINDOW).toCompletableFuture();
        CompletableFuture<Void> again = node.servlet.drain(Duration.ofMinutes(5)).toCompletableFuture();
        CompletableFuture<Void> byDefault = node.servlet.drain().toCompletableFuture();
        assertFalse(first.isDone());
        node.servlet.close();
        first.get(20, TimeUnit.SECONDS);
        again.get(20, TimeUnit.SECONDS);
        byDefault.get(20, TimeUnit.SECONDS);
        for (SseClient stream : clients) {
            stream.awaitCleanEnd(Duration.ofSeconds(20)); // close ends the rest cleanly too, without a retry
        }
        node.servlet.drain(WINDOW).toCompletableFuture().get(20, TimeUnit.SECONDS); // closed: nothing to wait for
    }

    @Test
    void drain_badWindow_isRejectedShowingIt_andChangesNothing() throws Exception {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> node.servlet.drain(Duration.ZERO));
        assertEquals("window must be positive, but was PT0S", zero.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> node.servlet.drain(Duration.ofSeconds(-20)));
        assertEquals("window must be positive, but was PT-20S", negative.getMessage());
        NullPointerException none = assertThrows(NullPointerException.class, () -> node.servlet.drain(null));
        assertEquals("window must not be null", none.getMessage());
        assertFalse(node.servlet.isDraining());
        assertEquals(0.0, gauge());
        try (SseClient stream = node.stream("/orders/dr-1/stream", Node.token(Role.CUSTOMER, "dr-1"))) {
            assertEquals(200, stream.status());
            stream.nextOfType("snapshot");
        }
        IllegalArgumentException config = assertThrows(IllegalArgumentException.class,
                () -> TrackingServletConfig.builder(tracker, JwtAuthorizer.of(Node.SECRET)).drainWindow(Duration.ZERO));
        assertEquals("drainWindow must be positive, but was PT0S", config.getMessage());
    }
}
