package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.Topic;
import org.ordertracking.core.WireCodec;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.test.SettableClock;

/**
 * Instructions a driver never misses, against the real servlet and socket: the current assignments
 * on open (also when one is made while the socket reads them), {@code unassigned} on reassignment and
 * on {@code DELETE /orders/{id}/driver}, {@code cancelled} when the order fails, and
 * {@code GET /drivers/{id}/orders}.
 */
@Timeout(120)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class DriverInstructionsIT {
    private static final GeoPoint HAMRA = new GeoPoint(33.8966, 35.4823);
    private static final Duration QUIET = Duration.ofMillis(300);

    @Parameter
    Container container;

    private SettableClock clock;
    private HookedRepository repository;
    private GapBus bus;
    private OrderTracker tracker;
    private Node node;

    @BeforeEach
    void start() throws Exception {
        clock = SettableClock.at("2026-11-24T10:00:00Z");
        repository = new HookedRepository();
        bus = new GapBus(EventBus.inMemory());
        tracker = OrderTracker.builder().repository(repository).eventBus(bus).clock(clock).build();
        node = Node.start(container, tracker);
    }

    @AfterEach
    void stop() throws Exception {
        node.close();
        tracker.close();
        bus.close();
    }

    private void register(String orderId) {
        tracker.register(new NewOrder(orderId, "r-1", "c-1", HAMRA));
        clock.advanceSeconds(1);
    }

    private DriverSocketIT.Driver open(String driverId) throws Exception {
        return new DriverSocketIT.Driver(node, driverId, Node.token(Role.DRIVER, driverId), false);
    }

    private static String frame(String type, String orderId) {
        return "{\"type\":\"" + type + "\",\"order_id\":\"" + orderId + "\"}";
    }

    private static String nextFrame(DriverSocketIT.Driver driver) throws Exception {
        String frame = driver.frames.poll(20, TimeUnit.SECONDS);
        if (frame == null) {
            throw new AssertionError("no frame within 20 s");
        }
        return frame;
    }

    /** Asserts that nothing more arrives: a ping-pong through the socket proves the server sent all it had. */
    private static void assertNothingMore(DriverSocketIT.Driver driver) throws Exception {
        driver.send("{\"type\":\"batch\",\"fixes\":[]}");
        String next = nextFrame(driver);
        assertFalse(next.contains("\"order_id\""), "expected no more instructions, got " + next);
        assertNull(driver.frames.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS));
    }

    private HttpResponse<String> delete(String path, String token) throws Exception {
        return node.http.send(HttpRequest.newBuilder(node.uri(path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void socketOpen_assignmentsMadeWhileOffline_arriveOldestFirstBeforeAnyLiveFrame() throws Exception {
        register("z-old");
        register("a-new");
        register("m-done");
        register("k-taken");
        tracker.assignDriver("a-new", "d-1");
        tracker.assignDriver("z-old", "d-1");
        tracker.assignDriver("m-done", "d-1");
        tracker.assignDriver("k-taken", "d-1");
        for (OrderStatus status : List.of(OrderStatus.ACCEPTED, OrderStatus.PREPARING, OrderStatus.READY,
                OrderStatus.PICKED_UP, OrderStatus.DELIVERED)) {
            tracker.transition("m-done", status);
        }
        tracker.unassignDriver("k-taken");

        try (DriverSocketIT.Driver driver = open("d-1")) {
            assertEquals(frame("assignment", "z-old"), nextFrame(driver), "oldest first, by creation");
            assertEquals(frame("assignment", "a-new"), nextFrame(driver));
            register("live");
            tracker.assignDriver("live", "d-1");
            assertEquals(frame("assignment", "live"), nextFrame(driver));
            assertNothingMore(driver);
        }
    }

    @Test
    void socketOpen_assignmentCommittedRightAfterTheRead_arrivesLiveAfterTheCurrentOnes() throws Exception {
        register("o-1");
        register("o-late");
        tracker.assignDriver("o-1", "d-1");
        // committed and published after the socket subscribed and read: only the subscription has it
        repository.afterNextDriverOrders.set(() -> tracker.assignDriver("o-late", "d-1"));

        try (DriverSocketIT.Driver driver = open("d-1")) {
            assertEquals(frame("assignment", "o-1"), nextFrame(driver));
            assertEquals(frame("assignment", "o-late"), nextFrame(driver));
            assertNothingMore(driver);
        }
        assertNull(repository.afterNextDriverOrders.get(), "the hook ran");
    }

    @Test
    void socketOpen_unassignCommittedRightAfterTheRead_endsWithUnassigned() throws Exception {
        register("o-1");
        tracker.assignDriver("o-1", "d-1");
        repository.afterNextDriverOrders.set(() -> tracker.unassignDriver("o-1"));

        try (DriverSocketIT.Driver driver = open("d-1")) {
            assertEquals(frame("assignment", "o-1"), nextFrame(driver), "what was read");
            assertEquals(frame("unassigned", "o-1"), nextFrame(driver), "then what changed since, in order");
            assertNothingMore(driver);
        }
    }

    @Test
    void busGap_assignmentLostOnTheBus_isSentWithTheCurrentAssignmentsAgain() throws Exception {
        register("o-1");
        register("o-2");
        tracker.assignDriver("o-1", "d-1");
        try (DriverSocketIT.Driver driver = open("d-1")) {
            assertEquals(frame("assignment", "o-1"), nextFrame(driver));
            bus.loseNextDriverPublishes.set(1);
            tracker.assignDriver("o-2", "d-1");
            assertNothingMore(driver);

            bus.signalGap(Topic.driver("d-1"));

            assertEquals(frame("assignment", "o-1"), nextFrame(driver));
            assertEquals(frame("assignment", "o-2"), nextFrame(driver));
            assertNothingMore(driver);
        }
    }

    @Test
    void reassign_overHttp_sendsUnassignedToTheOldDriverAndAssignmentToTheNewOne() throws Exception {
        register("o-1");
        tracker.assignDriver("o-1", "d-1");
        try (DriverSocketIT.Driver first = open("d-1"); DriverSocketIT.Driver second = open("d-2")) {
            assertEquals(frame("assignment", "o-1"), nextFrame(first));
            awaitSockets(2);

            HttpResponse<String> r = node.post("/orders/o-1/driver", Node.operator(), "{\"driver_id\":\"d-2\"}");

            assertEquals(200, r.statusCode(), r.body());
            assertEquals("d-2", JsonCodec.mapper().readTree(r.body()).get("driver_id").asText());
            assertEquals(frame("unassigned", "o-1"), nextFrame(first));
            assertEquals(frame("assignment", "o-1"), nextFrame(second));
            assertNothingMore(first);
            assertNothingMore(second);
        }
    }

    @Test
    void unassign_overHttp_answersTheOrderWithoutDriverAndSendsUnassigned() throws Exception {
        register("o-1");
        tracker.assignDriver("o-1", "d-1");
        try (DriverSocketIT.Driver driver = open("d-1")) {
            assertEquals(frame("assignment", "o-1"), nextFrame(driver));

            HttpResponse<String> r = delete("/orders/o-1/driver", Node.operator());

            assertEquals(200, r.statusCode(), r.body());
            JsonNode order = JsonCodec.mapper().readTree(r.body());
            assertEquals("o-1", order.get("order_id").asText());
            assertTrue(order.get("driver_id").isNull(), r.body());
            assertEquals(frame("unassigned", "o-1"), nextFrame(driver));

            HttpResponse<String> again = delete("/orders/o-1/driver", Node.operator());
            assertEquals(200, again.statusCode(), again.body());
            assertNothingMore(driver);
        }
        assertNull(tracker.order("o-1").driverId());
    }

    @Test
    void unassign_refusals_changeNothing() throws Exception {
        register("o-1");
        register("o-done");
        tracker.assignDriver("o-1", "d-1");
        tracker.assignDriver("o-done", "d-1");
        tracker.transition("o-done", OrderStatus.FAILED);

        assertEquals(403, delete("/orders/o-1/driver", Node.token(Role.RESTAURANT, "r-1")).statusCode());
        assertEquals(403, delete("/orders/o-1/driver", Node.token(Role.DRIVER, "d-1")).statusCode());
        assertEquals(401, node.http.send(HttpRequest.newBuilder(node.uri("/orders/o-1/driver")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(404, delete("/orders/o-404/driver", Node.operator()).statusCode());
        assertEquals(400, delete("/orders/o%20x/driver", Node.operator()).statusCode());
        HttpResponse<String> finished = delete("/orders/o-done/driver", Node.operator());
        assertEquals(409, finished.statusCode(), finished.body());
        JsonNode problem = JsonCodec.mapper().readTree(finished.body());
        assertEquals(ProblemType.ILLEGAL_TRANSITION.uri().toString(), problem.get("type").asText());
        assertEquals("failed", problem.get("current").asText());
        HttpResponse<String> wrongMethod = node.http.send(HttpRequest.newBuilder(node.uri("/drivers/d-1/orders"))
                .header("Authorization", "Bearer " + Node.operator()).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, wrongMethod.statusCode());

        assertEquals("d-1", tracker.order("o-1").driverId());
        assertEquals("d-1", tracker.order("o-done").driverId());
    }

    @Test
    void failure_ofTheDriversOrder_sendsCancelled() throws Exception {
        register("o-1");
        register("o-2");
        tracker.assignDriver("o-1", "d-1");
        tracker.transition("o-1", OrderStatus.ACCEPTED);
        try (DriverSocketIT.Driver driver = open("d-1")) {
            assertEquals(frame("assignment", "o-1"), nextFrame(driver));

            tracker.transition("o-2", OrderStatus.FAILED);
            HttpResponse<String> r = node.post("/orders/o-1/transitions", Node.operator(),
                    "{\"status\":\"failed\",\"reason\":\"customer_cancelled\"}");

            assertEquals(200, r.statusCode(), r.body());
            assertEquals(frame("cancelled", "o-1"), nextFrame(driver));
            assertNothingMore(driver);
        }
        try (DriverSocketIT.Driver reconnected = open("d-1")) {
            assertNothingMore(reconnected);
        }
    }

    @Test
    void driverOrders_answersTheCurrentAssignmentsLikeTheRestaurantList() throws Exception {
        register("o-1");
        register("o-2");
        register("o-other");
        tracker.assignDriver("o-2", "d-1");
        tracker.assignDriver("o-1", "d-1");
        tracker.assignDriver("o-other", "d-2");
        String token = Node.token(Role.DRIVER, "d-1");

        HttpResponse<String> r = node.get("/drivers/d-1/orders", token);

        assertEquals(200, r.statusCode(), r.body());
        JsonNode orders = JsonCodec.mapper().readTree(r.body());
        List<String> ids = new ArrayList<>();
        orders.forEach(order -> ids.add(order.get("order_id").asText()));
        assertEquals(List.of("o-1", "o-2"), ids);
        String restaurantList = node.get("/restaurants/r-1/orders", Node.token(Role.RESTAURANT, "r-1")).body();
        JsonNode sameShape = JsonCodec.mapper().readTree(restaurantList).get(0);
        assertEquals(WireCodec.toJson(tracker.order("o-1")), orders.get(0).toString());
        assertEquals(sameShape.toString(), orders.get(0).toString(), "the shape of GET /restaurants/{id}/orders");
        assertEquals(200, node.get("/drivers/d-1/orders", Node.operator()).statusCode());
        assertEquals(403, node.get("/drivers/d-1/orders", Node.token(Role.DRIVER, "d-2")).statusCode());
        assertEquals(403, node.get("/drivers/d-1/orders", Node.token(Role.RESTAURANT, "r-1")).statusCode());
        assertEquals("[]", node.get("/drivers/d-9/orders", Node.token(Role.DRIVER, "d-9")).body());
    }

    @Test
    void driverOrders_unchanged_answers304ToIfNoneMatch_andAChangeGivesANewEtag() throws Exception {
        register("o-1");
        tracker.assignDriver("o-1", "d-1");
        String token = Node.token(Role.DRIVER, "d-1");
        HttpResponse<String> first = node.get("/drivers/d-1/orders", token);
        String etag = first.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> same = node.http.send(HttpRequest.newBuilder(node.uri("/drivers/d-1/orders"))
                .header("Authorization", "Bearer " + token).header("If-None-Match", etag).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(304, same.statusCode());

        tracker.unassignDriver("o-1");
        HttpResponse<String> changed = node.http.send(HttpRequest.newBuilder(node.uri("/drivers/d-1/orders"))
                .header("Authorization", "Bearer " + token).header("If-None-Match", etag).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, changed.statusCode());
        assertEquals("[]", changed.body());
        assertFalse(etag.equals(changed.headers().firstValue("ETag").orElseThrow()));
    }

    /** Waits, with a deadline, until this node holds {@code count} driver sockets (they subscribe in onOpen). */
    private void awaitSockets(int count) {
        org.awaitility.Awaitility.await("the node holds " + count + " driver sockets")
                .atMost(java.time.Duration.ofSeconds(20)).pollInterval(java.time.Duration.ofMillis(10))
                .until(() -> Metrics.read(node).get("connections").get(DriverSocketIT.SOCKET_KIND).asInt() == count);
    }
}
