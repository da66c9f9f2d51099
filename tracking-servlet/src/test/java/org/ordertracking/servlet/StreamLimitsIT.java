package org.ordertracking.servlet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.test.SettableClock;

/**
 * The caps on open streams and sockets and the stream open rate, through the real container and
 * real clients: each refusal is 429 problem+json with Retry-After, is counted, costs no order read,
 * and a stream its client closes gives its place back.
 */
@Timeout(120)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class StreamLimitsIT {
    @Parameter
    Container container;

    private final SettableClock clock = SettableClock.at("2026-12-02T03:00:00Z");
    private final List<AutoCloseable> open = new ArrayList<>();
    private OrderTracker tracker;
    private Node node;

    private void start(UnaryOperator<TrackingServletConfig.Builder> limits) throws Exception {
        tracker = OrderTracker.builder().clock(clock).build();
        for (String id : List.of("sl-1", "sl-2", "sl-3", "sl-4")) {
            tracker.register(new NewOrder(id, "r-1", "c-1", new GeoPoint(33.9, 35.5)));
        }
        tracker.assignDriver("sl-1", "d-1");
        // keep-alives every 50 ms: a stream whose client went away is noticed at its next write
        node = Node.start(container, tracker, b -> limits.apply(DriverFixtures.withLocationPipeline(tracker, b)
                .keepAlive(Duration.ofMillis(50))));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (node != null) {
            node.close();
        }
        if (tracker != null) {
            tracker.close();
        }
    }

    private SseClient stream(String path, String token) throws Exception {
        SseClient sse = node.stream(path, token);
        open.add(sse);
        return sse;
    }

    private static String customer(String orderId) {
        return Node.token(Role.CUSTOMER, orderId);
    }

    /** Asserts a 429 problem of {@code type} with a Retry-After of at least one second; returns the problem. */
    private static JsonNode assertRefused(SseClient sse, ProblemType type) throws Exception {
        assertEquals(429, sse.status(), () -> String.join("\n", sse.lines));
        assertEquals("application/problem+json", sse.header("Content-Type").split(";")[0]);
        assertTrue(Long.parseLong(sse.header("Retry-After")) >= 1, sse.header("Retry-After"));
        await("the problem body").atMost(Duration.ofSeconds(20)).until(() -> !sse.lines.isEmpty());
        JsonNode problem = JsonCodec.mapper().readTree(String.join("", sse.lines));
        assertEquals(type.uri().toString(), problem.get("type").asText());
        assertEquals(429, problem.get("status").asInt());
        return problem;
    }

    private long refused(String limit) throws Exception {
        return Metrics.read(node).get("streams_refused").get(limit).asLong();
    }

    @Test
    void streams_beyondThePerSubjectCap_areRefusedWith429AndRetryAfterAndCounted() throws Exception {
        start(b -> b.maxStreamsPerSubject(2));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (TrackingMeterBinder binder = new TrackingMeterBinder(node.servlet)) {
            binder.bindTo(meters);
            stream("/orders/sl-1/stream", customer("sl-1")).nextOfType("snapshot");
            stream("/orders/sl-1/stream", customer("sl-1")).nextOfType("snapshot");
            JsonNode problem = assertRefused(stream("/orders/sl-1/stream", customer("sl-1")), ProblemType.TOO_MANY_STREAMS);
            assertEquals("streams_per_subject", problem.get("limit").asText());
            assertEquals(2, problem.get("max").asInt());
            assertEquals(1, refused("per_subject"));
            assertEquals(1.0, meters.get("tracking.streams.refused").tag("limit", "per_subject").functionCounter().count());
            // another subject from the same address is not affected
            stream("/orders/sl-2/stream", customer("sl-2")).nextOfType("snapshot");
            assertEquals(3, Metrics.connections(node, "customer_stream"));
        }
    }

    @Test
    void stream_closedByItsClient_freesItsSlot() throws Exception {
        start(b -> b.maxStreamsPerSubject(1));
        SseClient first = stream("/orders/sl-1/stream", customer("sl-1"));
        first.nextOfType("snapshot");
        assertRefused(stream("/orders/sl-1/stream", customer("sl-1")), ProblemType.TOO_MANY_STREAMS);

        first.close();   // the client goes away; the server notices at its next keep-alive
        await("the closed stream's slot is free").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> Metrics.connections(node, "customer_stream") == 0);
        stream("/orders/sl-1/stream", customer("sl-1")).nextOfType("snapshot");
    }

    @Test
    void stream_refusedOrNotFound_holdsNoSlot() throws Exception {
        start(b -> b.maxStreamsPerSubject(1));
        String operator = Node.operator();
        for (int i = 0; i < 3; i++) {
            try (SseClient missing = node.stream("/orders/nope/stream", operator)) {
                assertEquals(404, missing.status());
            }
            try (SseClient forbidden = node.stream("/orders/sl-2/stream", customer("sl-1"))) {
                assertEquals(403, forbidden.status());
            }
        }
        stream("/orders/sl-1/stream", operator).nextOfType("snapshot");
        stream("/orders/sl-1/stream", customer("sl-1")).nextOfType("snapshot");
        assertEquals(0, refused("per_subject"), "a 404 or 403 gives its slot back at once");
    }

    @Test
    void streams_beyondThePerAddressCap_areRefusedWith429() throws Exception {
        start(b -> b.maxStreamsPerAddress(3));
        stream("/orders/sl-1/stream", customer("sl-1")).nextOfType("snapshot");
        stream("/orders/sl-2/stream", customer("sl-2")).nextOfType("snapshot");
        stream("/restaurants/r-1/stream", Node.token(Role.RESTAURANT, "r-1")).nextOfType("snapshot");
        JsonNode problem = assertRefused(stream("/orders/sl-3/stream", customer("sl-3")), ProblemType.TOO_MANY_STREAMS);
        assertEquals("streams_per_address", problem.get("limit").asText());
        assertEquals(1, refused("per_address"));
        assertEquals(0, refused("per_subject"));
    }

    @Test
    void streamOpens_fasterThanTheOpenRate_areRefusedWith429UntilTheClockRefills() throws Exception {
        start(b -> b.streamOpenRate(2, Duration.ofMinutes(1)));   // the tracker's clock stands still
        stream("/orders/sl-1/stream", customer("sl-1")).nextOfType("snapshot");
        stream("/orders/sl-2/stream", customer("sl-2")).nextOfType("snapshot");
        SseClient third = stream("/orders/sl-3/stream", customer("sl-3"));
        JsonNode problem = assertRefused(third, ProblemType.RATE_LIMITED);
        assertEquals("stream_open_rate", problem.get("limit").asText());
        assertEquals("30", third.header("Retry-After"), "one open comes back every 30 s");
        assertEquals(1, refused("open_rate"));

        clock.advance(Duration.ofSeconds(30));
        stream("/orders/sl-3/stream", customer("sl-3")).nextOfType("snapshot");
    }

    @Test
    void driverSocket_beyondThePerSubjectCap_isClosedWithTryAgainLaterAndCounted() throws Exception {
        start(b -> b.maxStreamsPerSubject(2));
        String driver = Node.token(Role.DRIVER, "d-1");
        stream("/orders/sl-1/stream", driver).nextOfType("snapshot");   // the driver's streams count too
        DriverSocketIT.Driver first = new DriverSocketIT.Driver(node, "d-1", driver, false);
        open.add(first);
        await("the first socket is registered").atMost(Duration.ofSeconds(20))
                .until(() -> Metrics.connections(node, "driver_socket") == 1);

        try (DriverSocketIT.Driver second = new DriverSocketIT.Driver(node, "d-1", driver, false)) {
            JsonNode error = second.next();
            assertEquals("too_many_streams", error.get("code").asText(), error.toString());
            assertEquals(1013, second.closed.get(20, TimeUnit.SECONDS), "try again later");
        }
        assertEquals(1, refused("per_subject"));

        first.close();
        await("the closed socket's slot is free").atMost(Duration.ofSeconds(20))
                .until(() -> Metrics.connections(node, "driver_socket") == 0);
        DriverSocketIT.Driver again = new DriverSocketIT.Driver(node, "d-1", driver, false);
        open.add(again);
        await("the new socket is registered").atMost(Duration.ofSeconds(20))
                .until(() -> Metrics.connections(node, "driver_socket") == 1);
        assertEquals(1, refused("per_subject"), "the new socket was admitted");
    }
}
