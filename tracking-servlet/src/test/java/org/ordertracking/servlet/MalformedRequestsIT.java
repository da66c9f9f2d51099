package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.internal.JsonCodec;

/** Malformed and refused requests: each gets its status and problem type, never a 500, and changes nothing. */
@org.junit.jupiter.api.Timeout(120)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class MalformedRequestsIT {
    /** The container of this run; the lifecycle methods below start it once for every test of the run. */
    @Parameter
    Container container;

    private static final int MAX_BODY = 4096;
    private static OrderTracker tracker;
    private static Node node;

    @BeforeParameterizedClassInvocation
    static void start(Container container) throws Exception {
        tracker = OrderTracker.builder().build();
        tracker.register(new NewOrder("mr-1", "r-1", "c-1", new GeoPoint(33.89, 35.50)));
        node = Node.start(container, tracker, b -> DriverFixtures.withLocationPipeline(tracker, b).maxBodyBytes(MAX_BODY).maxBatchSize(3));
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        node.close();
        tracker.close();
    }

    record Req(String method, String path, String contentType, String encoding, byte[] body, String authorization,
            String lastEventId) {
    }

    private static final String OPS_TOKEN = Node.operator();
    private static final String OPS = "Bearer " + OPS_TOKEN;
    private static final String VALID_ORDER =
            "{\"restaurant_id\":\"r-1\",\"customer_id\":\"c-1\",\"destination\":{\"lat\":33.9,\"lon\":35.5}}";

    private static Req post(String path, String json) {
        return new Req("POST", path, "application/json", null, json.getBytes(StandardCharsets.UTF_8), OPS, null);
    }

    private static byte[] gzip(String s) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(s.getBytes(StandardCharsets.UTF_8));
            }
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static Stream<Arguments> cases() {
        String big = "{\"restaurant_id\":\"r-1\",\"customer_id\":\"c-1\",\"pad\":\"" + "x".repeat(MAX_BODY) + "\"}";
        String deep = "[".repeat(2000) + "]".repeat(2000);
        return Stream.of(
                Arguments.of("not JSON", post("/orders", "{not json"), ProblemType.MALFORMED_JSON),
                Arguments.of("JSON array instead of object", post("/orders", "[]"), ProblemType.MALFORMED_JSON),
                Arguments.of("empty body", post("/orders", ""), ProblemType.MALFORMED_JSON),
                Arguments.of("duplicate keys", post("/orders", "{\"restaurant_id\":\"r-1\",\"restaurant_id\":\"r-2\"}"),
                        ProblemType.MALFORMED_JSON),
                Arguments.of("trailing garbage", post("/orders", VALID_ORDER + " x"), ProblemType.MALFORMED_JSON),
                Arguments.of("deeply nested", post("/orders", deep), ProblemType.MALFORMED_JSON),
                Arguments.of("missing restaurant_id", post("/orders",
                        "{\"customer_id\":\"c-1\",\"destination\":{\"lat\":33.9,\"lon\":35.5}}"), ProblemType.INVALID_REQUEST),
                Arguments.of("restaurant_id is a number", post("/orders",
                        "{\"restaurant_id\":7,\"customer_id\":\"c-1\",\"destination\":{\"lat\":33.9,\"lon\":35.5}}"),
                        ProblemType.INVALID_REQUEST),
                Arguments.of("lat is a string", post("/orders",
                        "{\"restaurant_id\":\"r-1\",\"customer_id\":\"c-1\",\"destination\":{\"lat\":\"33.9\",\"lon\":35.5}}"),
                        ProblemType.INVALID_REQUEST),
                Arguments.of("lat out of range", post("/orders",
                        "{\"restaurant_id\":\"r-1\",\"customer_id\":\"c-1\",\"destination\":{\"lat\":95,\"lon\":35.5}}"),
                        ProblemType.INVALID_REQUEST),
                Arguments.of("lat overflows to infinity", post("/orders",
                        "{\"restaurant_id\":\"r-1\",\"customer_id\":\"c-1\",\"destination\":{\"lat\":1e400,\"lon\":35.5}}"),
                        ProblemType.INVALID_REQUEST),
                Arguments.of("destination missing", post("/orders", "{\"restaurant_id\":\"r-1\",\"customer_id\":\"c-1\"}"),
                        ProblemType.INVALID_REQUEST),
                Arguments.of("order_id with spaces", post("/orders", "{\"order_id\":\"bad id\",\"restaurant_id\":\"r-1\","
                        + "\"customer_id\":\"c-1\",\"destination\":{\"lat\":33.9,\"lon\":35.5}}"), ProblemType.INVALID_REQUEST),
                Arguments.of("duplicate order id", post("/orders", "{\"order_id\":\"mr-1\",\"restaurant_id\":\"r-1\","
                        + "\"customer_id\":\"c-1\",\"destination\":{\"lat\":33.9,\"lon\":35.5}}"), ProblemType.DUPLICATE_ORDER),
                Arguments.of("text/plain body", new Req("POST", "/orders", "text/plain", null,
                        VALID_ORDER.getBytes(StandardCharsets.UTF_8), OPS, null), ProblemType.UNSUPPORTED_MEDIA_TYPE),
                Arguments.of("no content type", new Req("POST", "/orders", null, null,
                        VALID_ORDER.getBytes(StandardCharsets.UTF_8), OPS, null), ProblemType.UNSUPPORTED_MEDIA_TYPE),
                Arguments.of("brotli encoding", new Req("POST", "/orders", "application/json", "br",
                        VALID_ORDER.getBytes(StandardCharsets.UTF_8), OPS, null), ProblemType.UNSUPPORTED_MEDIA_TYPE),
                Arguments.of("corrupt gzip", new Req("POST", "/orders", "application/json", "gzip",
                        "not gzip at all".getBytes(StandardCharsets.UTF_8), OPS, null), ProblemType.MALFORMED_JSON),
                Arguments.of("body too large", post("/orders", big), ProblemType.PAYLOAD_TOO_LARGE),
                Arguments.of("gzip bomb past the limit", new Req("POST", "/orders", "application/json", "gzip",
                        gzip(big), OPS, null), ProblemType.PAYLOAD_TOO_LARGE),
                Arguments.of("unknown status", post("/orders/mr-1/transitions", "{\"status\":\"cooking\"}"),
                        ProblemType.INVALID_REQUEST),
                Arguments.of("status is a number", post("/orders/mr-1/transitions", "{\"status\":5}"),
                        ProblemType.INVALID_REQUEST),
                Arguments.of("status missing", post("/orders/mr-1/transitions", "{\"reason\":\"x\"}"),
                        ProblemType.INVALID_REQUEST),
                Arguments.of("reason too long", post("/orders/mr-1/transitions",
                        "{\"status\":\"accepted\",\"reason\":\"" + "r".repeat(501) + "\"}"), ProblemType.INVALID_REQUEST),
                Arguments.of("reason is an object", post("/orders/mr-1/transitions",
                        "{\"status\":\"accepted\",\"reason\":{}}"), ProblemType.INVALID_REQUEST),
                Arguments.of("illegal edge", post("/orders/mr-1/transitions", "{\"status\":\"ready\"}"),
                        ProblemType.ILLEGAL_TRANSITION),
                Arguments.of("unknown order", post("/orders/nope/transitions", "{\"status\":\"accepted\"}"),
                        ProblemType.NOT_FOUND),
                Arguments.of("invalid order id in path", post("/orders/bad%20id/transitions", "{\"status\":\"accepted\"}"),
                        ProblemType.INVALID_REQUEST),
                Arguments.of("empty driver id", post("/orders/mr-1/driver", "{\"driver_id\":\"\"}"),
                        ProblemType.INVALID_REQUEST),
                Arguments.of("driver id is null", post("/orders/mr-1/driver", "{\"driver_id\":null}"),
                        ProblemType.INVALID_REQUEST),
                Arguments.of("non-numeric Last-Event-ID", new Req("GET", "/orders/mr-1/stream", null, null, null, OPS,
                        "abc"), ProblemType.INVALID_REQUEST),
                Arguments.of("negative Last-Event-ID", new Req("GET", "/orders/mr-1/stream", null, null, null, OPS,
                        "-1"), ProblemType.INVALID_REQUEST),
                Arguments.of("unknown order stream", new Req("GET", "/orders/nope/stream", null, null, null, OPS, null),
                        ProblemType.NOT_FOUND),
                Arguments.of("unknown endpoint", new Req("GET", "/nope", null, null, null, OPS, null),
                        ProblemType.NOT_FOUND),
                Arguments.of("wrong method", new Req("DELETE", "/orders/mr-1", null, null, null, OPS, null),
                        ProblemType.METHOD_NOT_ALLOWED),
                Arguments.of("basic auth instead of bearer", new Req("GET", "/orders/mr-1", null, null, null,
                        "Basic b3BzOm9wcw==", null), ProblemType.UNAUTHORIZED),
                Arguments.of("garbage token", new Req("GET", "/orders/mr-1", null, null, null, "Bearer a.b.c", null),
                        ProblemType.UNAUTHORIZED),
                Arguments.of("padded signature", new Req("GET", "/orders/mr-1", null, null, null, OPS + "=", null),
                        ProblemType.UNAUTHORIZED),
                Arguments.of("signature with its unused low bits flipped", new Req("GET", "/orders/mr-1", null, null,
                        null, "Bearer " + flipLastLowBit(OPS_TOKEN), null), ProblemType.UNAUTHORIZED),
                Arguments.of("padded header", new Req("GET", "/orders/mr-1", null, null, null,
                        "Bearer " + respellHeader(OPS_TOKEN), null), ProblemType.UNAUTHORIZED),
                Arguments.of("access_token query on a write", new Req("POST", "/orders/mr-1/transitions?access_token="
                        + OPS_TOKEN, "application/json", null, "{\"status\":\"accepted\"}".getBytes(StandardCharsets.UTF_8),
                        null, null), ProblemType.UNAUTHORIZED),
                Arguments.of("access_token query on a write beside a valid header", new Req("POST",
                        "/orders/mr-1/transitions?access_token=" + OPS_TOKEN, "application/json", null,
                        "{\"status\":\"accepted\"}".getBytes(StandardCharsets.UTF_8), OPS, null), ProblemType.UNAUTHORIZED),
                Arguments.of("access_token query on a register", new Req("POST", "/orders?access_token=" + OPS_TOKEN,
                        "application/json", null, VALID_ORDER.getBytes(StandardCharsets.UTF_8), null, null),
                        ProblemType.UNAUTHORIZED),
                Arguments.of("access_token query on a snapshot", new Req("GET", "/orders/mr-1?access_token=" + OPS_TOKEN,
                        null, null, null, null, null), ProblemType.UNAUTHORIZED),
                Arguments.of("fixes not an array", new Req("POST", "/drivers/d-1/locations", "application/json", null,
                        "{\"fixes\":{}}".getBytes(StandardCharsets.UTF_8), "Bearer " + Node.token(Role.DRIVER, "d-1"), null),
                        ProblemType.INVALID_REQUEST),
                Arguments.of("batch too large", new Req("POST", "/drivers/d-1/locations", "application/json", null,
                        "{\"fixes\":[{},{},{},{}]}".getBytes(StandardCharsets.UTF_8),
                        "Bearer " + Node.token(Role.DRIVER, "d-1"), null), ProblemType.BATCH_TOO_LARGE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void request_malformedOrRefused_getsProblemAndChangesNothing(String name, Req req, ProblemType expected)
            throws Exception {
        TrackedOrder before = tracker.order("mr-1");
        List<OrderEvent> historyBefore = tracker.history("mr-1");
        int activeBefore = tracker.activeOrdersOfRestaurant("r-1").size();

        HttpRequest.Builder b = HttpRequest.newBuilder(node.uri(req.path())).timeout(Duration.ofSeconds(20));
        if (req.contentType() != null) {
            b.header("Content-Type", req.contentType());
        }
        if (req.encoding() != null) {
            b.header("Content-Encoding", req.encoding());
        }
        if (req.authorization() != null) {
            b.header("Authorization", req.authorization());
        }
        if (req.lastEventId() != null) {
            b.header("Last-Event-ID", req.lastEventId());
        }
        b.method(req.method(), req.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(req.body()));
        HttpResponse<String> r = node.http.send(b.build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(expected.status(), r.statusCode(), () -> name + ": " + r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        JsonNode problem = JsonCodec.mapper().readTree(r.body());
        assertEquals(expected.uri().toString(), problem.get("type").asText(), r.body());
        assertEquals(expected.status(), problem.get("status").asInt());
        assertTrue(problem.get("title").isTextual() && problem.get("detail").isTextual(), r.body());

        assertEquals(before, tracker.order("mr-1"), "the order must not change");
        assertEquals(historyBefore, tracker.history("mr-1"), "no event may be written");
        assertEquals(activeBefore, tracker.activeOrdersOfRestaurant("r-1").size(), "no order may be registered");
    }

    /** The same token with the unused low bits of its signature's last character flipped. */
    private static String flipLastLowBit(String token) {
        return token.substring(0, token.length() - 1) + JwtAuthorizerTest.flipLowBit(token.charAt(token.length() - 1));
    }

    /**
     * The token with its header spelled with padding and signed over that spelling, as a holder of the
     * secret could: the signature matches, only the spelling is wrong.
     */
    private static String respellHeader(String token) {
        String header = java.util.Base64.getUrlEncoder().encodeToString("{\"alg\":\"HS256\"}  ".getBytes(StandardCharsets.UTF_8));
        String input = header + token.substring(token.indexOf('.'), token.lastIndexOf('.'));
        return input + "." + org.ordertracking.servlet.internal.Hs256.encode(
                new org.ordertracking.servlet.internal.Hs256(Node.SECRET).sign(input));
    }

    @Test
    void accessTokenQuery_onAWrite_isRefusedWithAProblemNamingTheAuthorizationHeader() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(node.uri("/orders/mr-1/transitions?access_token=" + OPS_TOKEN))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"accepted\"}")).build();
        HttpResponse<String> r = node.http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("Bearer realm=\"tracking\"", r.headers().firstValue("WWW-Authenticate").orElse(null));
        JsonNode problem = JsonCodec.mapper().readTree(r.body());
        assertTrue(problem.get("detail").asText().contains("Authorization: Bearer"), r.body());
        assertTrue(problem.get("detail").asText().contains("access_token"), r.body());
        assertEquals("received", tracker.order("mr-1").status().wireName());
    }

    @Test
    void respelledToken_thatAPaddedHeaderWouldSign_isOtherwiseValid() throws Exception {
        // the padded-header case above fails on its spelling alone: the canonical spelling of the same claims passes
        String canonical = respellHeader(OPS_TOKEN).replaceFirst("=+\\.", ".");
        String header = canonical.substring(0, canonical.indexOf('.'));
        String input = canonical.substring(0, canonical.lastIndexOf('.'));
        String resigned = input + "." + org.ordertracking.servlet.internal.Hs256.encode(
                new org.ordertracking.servlet.internal.Hs256(Node.SECRET).sign(input));
        assertTrue(!header.contains("="), header);
        assertEquals(200, node.get("/orders/mr-1", resigned).statusCode());
    }

    @Test
    void transition_illegalEdge_namesCurrentAndAllowedStatuses() throws Exception {
        HttpResponse<String> r = node.post("/orders/mr-1/transitions", Node.operator(), "{\"status\":\"delivered\"}");
        assertEquals(409, r.statusCode());
        JsonNode problem = JsonCodec.mapper().readTree(r.body());
        assertEquals("mr-1", problem.get("order_id").asText());
        assertEquals("received", problem.get("current").asText());
        assertEquals("delivered", problem.get("requested").asText());
        assertEquals("[\"accepted\",\"failed\"]", problem.get("allowed").toString());
    }

    @Test
    void registerOrder_unknownFields_areIgnored() throws Exception {
        HttpResponse<String> r = node.post("/orders", Node.operator(), "{\"order_id\":\"mr-extra\",\"restaurant_id\":\"r-9\","
                + "\"customer_id\":\"c-1\",\"destination\":{\"lat\":33.9,\"lon\":35.5,\"floor\":3},\"notes\":\"ring twice\"}");
        assertEquals(201, r.statusCode(), r.body());
    }
}
