package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.internal.JsonCodec;

/** Each role × each endpoint × own/other resource, through the real container. */
@org.junit.jupiter.api.Timeout(120)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class AuthorizationMatrixIT {
    /** The container of this run; the lifecycle methods below start it once for every test of the run. */
    @Parameter
    Container container;

    private static OrderTracker tracker;
    private static Node node;
    private static final AtomicInteger IDS = new AtomicInteger();

    /**
     * Who calls. "Own" means the resource the token is bound to; "other" a resource of someone else.
     * OPERATOR_QUERY sends a valid operator token as the {@code access_token} query parameter only, which
     * only the stream GETs accept; OPERATOR_RESPELLED sends a valid operator token whose signature has
     * the unused low bits of its last character flipped (the same bytes to a lenient decoder).
     */
    enum Who {
        CUSTOMER_OWN, CUSTOMER_OTHER, RESTAURANT_OWN, RESTAURANT_OTHER, DRIVER_OWN, DRIVER_OTHER, OPERATOR,
        NO_TOKEN, EXPIRED, TAMPERED, OPERATOR_QUERY, OPERATOR_RESPELLED
    }

    /** One endpoint, with the order state it needs. */
    enum Endpoint {
        WATCH_ORDER("GET", "/orders/{o}/stream", null, OrderStatus.ACCEPTED),
        READ_ORDER("GET", "/orders/{o}", null, OrderStatus.ACCEPTED),
        REGISTER_ORDER("POST", "/orders", "{\"restaurant_id\":\"r-1\",\"customer_id\":\"c-1\",\"destination\":{\"lat\":33.9,\"lon\":35.5}}", null),
        ACCEPT("POST", "/orders/{o}/transitions", "{\"status\":\"accepted\"}", OrderStatus.RECEIVED),
        REJECT("POST", "/orders/{o}/transitions", "{\"status\":\"failed\",\"reason\":\"closed\"}", OrderStatus.RECEIVED),
        PICK_UP("POST", "/orders/{o}/transitions", "{\"status\":\"picked_up\"}", OrderStatus.READY),
        DELIVERY_FAILED("POST", "/orders/{o}/transitions", "{\"status\":\"failed\"}", OrderStatus.PICKED_UP),
        ASSIGN_DRIVER("POST", "/orders/{o}/driver", "{\"driver_id\":\"d-1\"}", OrderStatus.ACCEPTED),
        UNASSIGN_DRIVER("DELETE", "/orders/{o}/driver", null, OrderStatus.ACCEPTED),
        WATCH_RESTAURANT("GET", "/restaurants/r-1/stream", null, null),
        LIST_RESTAURANT_ORDERS("GET", "/restaurants/r-1/orders", null, null),
        REPORT_LOCATIONS("POST", "/drivers/d-1/locations", "{\"fixes\":[]}", null),
        LIST_DRIVER_ORDERS("GET", "/drivers/d-1/orders", null, null),
        METRICS("GET", "/metrics", null, null),
        WATCH_OPERATIONS("GET", "/operations/stream", null, null);

        final String method;
        final String path;
        final String body;
        final OrderStatus state;

        Endpoint(String method, String path, String body, OrderStatus state) {
            this.method = method;
            this.path = path;
            this.body = body;
            this.state = state;
        }
    }

    // columns in Who order:     C-own C-oth R-own R-oth D-own D-oth OPER  none  exp   tamp  qry   respl
    private static final String[] TABLE = {
        "WATCH_ORDER             200   403   200   403   200   403   200   401   401   401   200   401",
        "READ_ORDER              200   403   200   403   200   403   200   401   401   401   401   401",
        "REGISTER_ORDER          403   403   201   403   403   403   201   401   401   401   401   401",
        "ACCEPT                  403   403   200   403   403   403   200   401   401   401   401   401",
        "REJECT                  403   403   200   403   403   403   200   401   401   401   401   401",
        "PICK_UP                 403   403   403   403   200   403   200   401   401   401   401   401",
        "DELIVERY_FAILED         403   403   403   403   200   403   200   401   401   401   401   401",
        "ASSIGN_DRIVER           403   403   403   403   403   403   200   401   401   401   401   401",
        "UNASSIGN_DRIVER         403   403   403   403   403   403   200   401   401   401   401   401",
        "WATCH_RESTAURANT        403   403   200   403   403   403   200   401   401   401   200   401",
        "LIST_RESTAURANT_ORDERS  403   403   200   403   403   403   200   401   401   401   401   401",
        "REPORT_LOCATIONS        403   403   403   403   200   403   403   401   401   401   401   401",
        "LIST_DRIVER_ORDERS      403   403   403   403   200   403   200   401   401   401   401   401",
        "METRICS                 403   403   403   403   403   403   200   401   401   401   401   401",
        "WATCH_OPERATIONS        403   403   403   403   403   403   200   401   401   401   200   401",
    };

    @BeforeParameterizedClassInvocation
    static void start(Container container) throws Exception {
        tracker = OrderTracker.builder().build();
        node = Node.start(container, tracker, b -> DriverFixtures.withLocationPipeline(tracker, b));
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        node.close();
        tracker.close();
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String row : TABLE) {
            String[] cells = row.trim().split("\\s+");
            Endpoint endpoint = Endpoint.valueOf(cells[0]);
            for (Who who : Who.values()) {
                cases.add(Arguments.of(endpoint, who, Integer.parseInt(cells[1 + who.ordinal()])));
            }
        }
        return cases.stream();
    }

    private static String prepareOrder(OrderStatus state) {
        String id = "am-" + IDS.incrementAndGet();
        tracker.register(new NewOrder(id, "r-1", "c-1", new GeoPoint(33.89, 35.50)));
        tracker.assignDriver(id, "d-1");
        OrderStatus[] path = {OrderStatus.ACCEPTED, OrderStatus.PREPARING, OrderStatus.READY, OrderStatus.PICKED_UP};
        for (OrderStatus step : path) {
            if (state == null || state == OrderStatus.RECEIVED || state.ordinal() < step.ordinal()) {
                break;
            }
            tracker.transition(id, step);
        }
        return id;
    }

    private static String token(Who who, String orderId) {
        return switch (who) {
            case CUSTOMER_OWN -> Node.token(Role.CUSTOMER, orderId);
            case CUSTOMER_OTHER -> Node.token(Role.CUSTOMER, "someone-elses-order");
            case RESTAURANT_OWN -> Node.token(Role.RESTAURANT, "r-1");
            case RESTAURANT_OTHER -> Node.token(Role.RESTAURANT, "r-2");
            case DRIVER_OWN -> Node.token(Role.DRIVER, "d-1");
            case DRIVER_OTHER -> Node.token(Role.DRIVER, "d-2");
            case OPERATOR -> Node.operator();
            case NO_TOKEN -> null;
            case OPERATOR_QUERY -> Node.operator();
            case OPERATOR_RESPELLED -> {
                String good = Node.operator();
                yield good.substring(0, good.length() - 1) + JwtAuthorizerTest.flipLowBit(good.charAt(good.length() - 1));
            }
            case EXPIRED -> Node.ISSUER.issue(Role.OPERATOR, "ops", Instant.now().minusSeconds(7200),
                    Instant.now().minusSeconds(3600));
            case TAMPERED -> {
                String good = Node.token(Role.CUSTOMER, orderId);
                String[] parts = good.split("\\.");
                String claims = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                        ("{\"sub\":\"ops\",\"role\":\"operator\",\"exp\":" + (Instant.now().getEpochSecond() + 3600) + "}")
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                yield parts[0] + "." + claims + "." + parts[2];
            }
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/orders", "/orders/{o}/transitions", "/orders/{o}/driver", "/drivers/d-1/locations"})
    void write_byCustomer_isRefusedWithoutWaitingForTheBody(String pattern) throws Exception {
        String orderId = prepareOrder(OrderStatus.RECEIVED);
        String path = node.uri(pattern.replace("{o}", orderId)).getRawPath();
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + Node.token(Role.CUSTOMER, orderId) + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + (512 * 1024) + "\r\n\r\n{\"status\":";   // the rest never comes
        try (Socket socket = new Socket(node.base.getHost(), node.base.getPort())) {
            socket.setSoTimeout(10_000);   // a server waiting for the body answers only after its idle timeout
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String status = in.readLine();
            assertEquals("HTTP/1.1 403", status == null ? null : status.substring(0, Math.min(12, status.length())), status);
        }
        assertEquals(1, tracker.order(orderId).seq(), "a refused request must not change the order");
        assertEquals("d-1", tracker.order(orderId).driverId(), "a refused assignment must not change the driver");
    }

    @ParameterizedTest(name = "{0} by {1} -> {2}")
    @MethodSource("cases")
    void endpoint_caller_isAnsweredPerTheAuthorizationTable(Endpoint endpoint, Who who, int expected) throws Exception {
        String orderId = endpoint.state == null ? null : prepareOrder(endpoint.state);
        String path = orderId == null ? endpoint.path : endpoint.path.replace("{o}", orderId);
        String token = token(who, orderId == null ? "none" : orderId);
        if (who == Who.OPERATOR_QUERY) {
            path += "?access_token=" + token;
            token = null;
        }
        long seqBefore = orderId == null ? 0 : tracker.order(orderId).seq();
        String driverBefore = orderId == null ? null : tracker.order(orderId).driverId();
        int status;
        String body;
        if (endpoint.path.endsWith("/stream")) {
            try (SseClient sse = node.stream(path, token)) {
                status = sse.status();
                body = status == 200 ? "" : String.join("\n", sse.lines);
            }
        } else {
            HttpRequest.Builder b = HttpRequest.newBuilder(node.uri(path)).timeout(Duration.ofSeconds(20));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            if (endpoint.method.equals("POST")) {
                b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(endpoint.body));
            } else if (endpoint.method.equals("DELETE")) {
                b.DELETE();
            }
            HttpResponse<String> r = node.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            status = r.statusCode();
            body = r.body();
            if (status >= 400) {
                assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse("")
                        .split(";")[0], body);
                JsonNode problem = JsonCodec.mapper().readTree(body);
                assertEquals(status, problem.get("status").asInt());
                assertEquals(status == 401 ? ProblemType.UNAUTHORIZED.uri().toString()
                        : ProblemType.FORBIDDEN.uri().toString(), problem.get("type").asText());
                if (who == Who.OPERATOR_QUERY) {
                    assertTrue(problem.get("detail").asText().contains("Authorization: Bearer"), body);
                }
            }
        }
        assertEquals(expected, status, () -> endpoint + " by " + who + ": " + body);
        if (status >= 400 && orderId != null) {
            assertEquals(seqBefore, tracker.order(orderId).seq(), "a refused request must not change the order");
            assertEquals(driverBefore, tracker.order(orderId).driverId(), "nor its driver");
        }
    }
}
