package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.servlet.internal.Hs256;
import org.ordertracking.test.SettableClock;

/**
 * The optional token checks of {@link JwtAuthorizer} — issuer, audience, strict {@code nbf}, the
 * revocation SPI and its cache — through the real servlet and the driver socket, on each container.
 */
@org.junit.jupiter.api.Timeout(120)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class TokenChecksIT {
    @Parameter
    Container container;

    private static final String ISS = "https://auth.ordertracking.test";
    private static final String AUD = "tracking";
    private static final Duration REVOCATION_TTL = Duration.ofSeconds(30);

    private SettableClock clock;
    private JwtAuthorizerTest.DenyList denyList;
    private JwtIssuer issuer;
    private OrderTracker tracker;
    private Node node;

    @BeforeEach
    void start() throws Exception {
        clock = SettableClock.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        denyList = new JwtAuthorizerTest.DenyList();
        issuer = JwtIssuer.builder(Node.SECRET).clock(clock).issuer(ISS).audience(AUD).build();
        JwtAuthorizer authorizer = JwtAuthorizer.builder(Node.SECRET).clock(clock).issuer(ISS).audience(AUD)
                .revocation(denyList).revocationCacheTtl(REVOCATION_TTL).build();
        tracker = OrderTracker.builder().build();
        tracker.register(new NewOrder("tc-1", "r-1", "c-1", new GeoPoint(33.89, 35.50)));
        node = Node.start(container, tracker, authorizer, b -> DriverFixtures.withLocationPipeline(tracker, b));
    }

    @AfterEach
    void stop() throws Exception {
        node.close();
        tracker.close();
    }

    private static void assertUnauthorized(HttpResponse<String> r, String detailPart) throws Exception {
        assertEquals(401, r.statusCode(), r.body());
        JsonNode problem = JsonCodec.mapper().readTree(r.body());
        assertEquals(ProblemType.UNAUTHORIZED.uri().toString(), problem.get("type").asText(), r.body());
        assertTrue(problem.get("detail").asText().contains(detailPart), r.body());
    }

    @Test
    void revokedToken_isRefusedOnRequestsStreamsAndTheSocket_onceTheCachedAnswerExpires() throws Exception {
        String restaurant = issuer.issue(Role.RESTAURANT, "r-1", Duration.ofHours(1));
        String driver = issuer.issue(Role.DRIVER, "d-1", Duration.ofHours(1));
        assertEquals(200, node.get("/orders/tc-1", restaurant).statusCode());
        try (DriverSocketIT.Driver socket = new DriverSocketIT.Driver(node, "d-1", driver, true)) {
            assertOpen(socket);
        }
        int asked = denyList.asked.get();
        assertEquals(2, asked, "one question per jti");

        denyList.revoked.add(JwtAuthorizerTest.jti(restaurant));
        denyList.revoked.add(JwtAuthorizerTest.jti(driver));
        assertEquals(200, node.get("/orders/tc-1", restaurant).statusCode(), "the cached answer holds for its TTL");
        assertEquals(asked, denyList.asked.get());

        clock.advance(REVOCATION_TTL);
        assertUnauthorized(node.get("/orders/tc-1", restaurant), "revoked");
        try (SseClient sse = node.stream("/restaurants/r-1/stream?access_token=" + restaurant, null)) {
            assertEquals(401, sse.status());
        }
        try (DriverSocketIT.Driver socket = new DriverSocketIT.Driver(node, "d-1", driver, false)) {
            JsonNode error = socket.next();
            assertEquals("unauthorized", error.get("code").asText(), error.toString());
            assertEquals(1008, socket.closed.get(20, TimeUnit.SECONDS));
        }
        assertEquals(asked + 2, denyList.asked.get(), "the revoked answers are cached too");
        // a fresh token of the same restaurant is another jti and is still welcome
        assertEquals(200, node.get("/orders/tc-1", issuer.issue(Role.RESTAURANT, "r-1", Duration.ofHours(1))).statusCode());
    }

    @Test
    void tokenOfAnotherIssuerOrAudience_isRefused() throws Exception {
        JwtIssuer otherIssuer = JwtIssuer.builder(Node.SECRET).clock(clock).issuer("https://elsewhere.test").audience(AUD).build();
        JwtIssuer otherAudience = JwtIssuer.builder(Node.SECRET).clock(clock).issuer(ISS).audience("billing").build();
        assertUnauthorized(node.get("/orders/tc-1", otherIssuer.issue(Role.OPERATOR, "ops", Duration.ofHours(1))), "iss");
        assertUnauthorized(node.get("/orders/tc-1", otherAudience.issue(Role.OPERATOR, "ops", Duration.ofHours(1))), "aud");
        assertUnauthorized(node.get("/orders/tc-1", Node.operator()), "iss");
        assertEquals(200, node.get("/orders/tc-1", issuer.issue(Role.OPERATOR, "ops", Duration.ofHours(1))).statusCode());
        assertEquals(0 + 1, denyList.asked.get(), "only the token that passed every other check reaches the deny-list");
    }

    @Test
    void tokenWithNonNumericNbf_isRefused() throws Exception {
        long now = clock.instant().getEpochSecond();
        String claims = "{\"iss\":\"" + ISS + "\",\"aud\":\"" + AUD + "\",\"sub\":\"ops\",\"role\":\"operator\",\"exp\":"
                + (now + 3600) + ",\"nbf\":\"" + (now - 60) + "\"}";
        String input = b64("{\"alg\":\"HS256\"}") + "." + b64(claims);
        String token = input + "." + Hs256.encode(new Hs256(Node.SECRET).sign(input));
        assertUnauthorized(node.get("/orders/tc-1", token), "nbf");
        String numeric = claims.replace("\"nbf\":\"" + (now - 60) + "\"", "\"nbf\":" + (now - 60));
        String fixedInput = b64("{\"alg\":\"HS256\"}") + "." + b64(numeric);
        assertEquals(200, node.get("/orders/tc-1", fixedInput + "." + Hs256.encode(new Hs256(Node.SECRET).sign(fixedInput)))
                .statusCode());
    }

    @Test
    void accessTokenQuery_isAcceptedOnStreamsAndTheSocketHandshakeOnly() throws Exception {
        String operator = issuer.issue(Role.OPERATOR, "ops", Duration.ofHours(1));
        try (SseClient sse = node.stream("/orders/tc-1/stream?access_token=" + operator, null)) {
            assertEquals(200, sse.status());
            assertEquals("retry", sse.next().event());
        }
        try (DriverSocketIT.Driver socket = new DriverSocketIT.Driver(node, "d-1",
                issuer.issue(Role.DRIVER, "d-1", Duration.ofHours(1)), true)) {
            assertOpen(socket);
        }
        assertUnauthorized(node.get("/orders/tc-1?access_token=" + operator, null), "Authorization: Bearer");
        assertUnauthorized(node.get("/metrics?access_token=" + operator, null), "Authorization: Bearer");
    }

    /** The socket was accepted: it reads frames, and answers an unknown one with a malformed error. */
    private static void assertOpen(DriverSocketIT.Driver socket) throws Exception {
        socket.send("{\"type\":\"ping\"}");
        JsonNode error = socket.next();
        assertEquals("malformed", error.get("code").asText(), error.toString());
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
