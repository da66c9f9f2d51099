package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.test.SettableClock;

class JwtAuthorizerTest {
    private static final byte[] SECRET = "an-hs256-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
    private final SettableClock clock = SettableClock.at("2026-11-24T10:00:00Z");
    private final JwtIssuer issuer = JwtIssuer.of(SECRET, clock);
    private final JwtAuthorizer authorizer = JwtAuthorizer.of(SECRET, clock, Duration.ZERO);

    @Test
    void authenticate_validToken_returnsRoleAndSubject() throws Exception {
        Caller caller = authorizer.authenticate(issuer.issue(Role.RESTAURANT, "r-17", Duration.ofMinutes(5)));
        assertEquals(new Caller(Role.RESTAURANT, "r-17"), caller);
        assertEquals("restaurant:r-17", caller.actor());
    }

    @Test
    void authenticate_expiredToken_isRefused() {
        String token = issuer.issue(Role.CUSTOMER, "o-1", Duration.ofMinutes(5));
        clock.advance(Duration.ofMinutes(5));
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> authorizer.authenticate(token));
        assertTrue(e.getMessage().contains("expired"), e.getMessage());
    }

    @Test
    void authenticate_tamperedClaims_areRefused() {
        String[] parts = issuer.issue(Role.CUSTOMER, "o-1", Duration.ofMinutes(5)).split("\\.");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"sub\":\"o-1\",\"role\":\"operator\",\"exp\":9999999999}".getBytes(StandardCharsets.UTF_8));
        assertThrows(AuthenticationException.class, () -> authorizer.authenticate(parts[0] + "." + forged + "." + parts[2]));
    }

    @Test
    void authenticate_tokenSignedWithAnotherSecret_isRefused() {
        JwtIssuer other = JwtIssuer.of("another-secret-that-is-32-bytes-long!!".getBytes(StandardCharsets.UTF_8), clock);
        assertThrows(AuthenticationException.class,
                () -> authorizer.authenticate(other.issue(Role.OPERATOR, "ops", Duration.ofMinutes(5))));
    }

    @Test
    void authenticate_algNone_isRefused() {
        String header = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        String claims = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"sub\":\"ops\",\"role\":\"operator\",\"exp\":9999999999}".getBytes(StandardCharsets.UTF_8));
        assertThrows(AuthenticationException.class, () -> authorizer.authenticate(header + "." + claims + "."));
    }

    @Test
    void authenticate_missingOrGarbageToken_isRefused() {
        assertThrows(AuthenticationException.class, () -> authorizer.authenticate(null));
        assertThrows(AuthenticationException.class, () -> authorizer.authenticate(""));
        assertThrows(AuthenticationException.class, () -> authorizer.authenticate("a.b"));
        assertThrows(AuthenticationException.class, () -> authorizer.authenticate("%%%.%%%.%%%"));
        assertThrows(AuthenticationException.class, () -> authorizer.authenticate("x".repeat(5000)));
    }

    @Test
    void authenticate_unknownRole_isRefused() {
        String header = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8));
        String claims = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"sub\":\"x\",\"role\":\"admin\",\"exp\":9999999999}".getBytes(StandardCharsets.UTF_8));
        String input = header + "." + claims;
        String sig = Base64.getUrlEncoder().withoutPadding().encodeToString(
                new org.ordertracking.servlet.internal.Hs256(SECRET).sign(input));
        assertThrows(AuthenticationException.class, () -> authorizer.authenticate(input + "." + sig));
    }

    @Test
    void jwt_shortSecret_isRejectedWithItsLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JwtIssuer.of(new byte[8]));
        assertTrue(e.getMessage().contains("8 bytes"), e.getMessage());
    }

    @Test
    void defaultRules_restaurantMayNotFailAnOrderOnItsWay() {
        TrackedOrder pickedUp = new TrackedOrder("o-1", "r-1", "c-1", "d-1", new GeoPoint(33.9, 35.5),
                OrderStatus.PICKED_UP, 5, Instant.EPOCH, Instant.EPOCH);
        Caller restaurant = new Caller(Role.RESTAURANT, "r-1");
        Caller driver = new Caller(Role.DRIVER, "d-1");
        assertFalse(Authorizer.defaultRules(restaurant, Access.transition(pickedUp, OrderStatus.FAILED)));
        assertTrue(Authorizer.defaultRules(driver, Access.transition(pickedUp, OrderStatus.FAILED)));
        assertTrue(Authorizer.defaultRules(driver, Access.transition(pickedUp, OrderStatus.DELIVERED)));
        assertFalse(Authorizer.defaultRules(driver, Access.transition(pickedUp, OrderStatus.ACCEPTED)));
    }

    @Test
    void config_badValues_areRejectedShowingTheValue() {
        TrackingServletConfig.Builder b = TrackingServletConfig.builder(
                org.ordertracking.core.OrderTracker.builder().build(), authorizer);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.keepAlive(Duration.ofSeconds(-1)));
        assertEquals("keepAlive must be positive, but was PT-1S", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.maxBatchSize(0));
        assertEquals("maxBatchSize must be positive, but was 0", e.getMessage());
    }

    @Test
    void authenticate_rememberedToken_stillExpiresOnTime() throws Exception {
        String token = issuer.issue(Role.CUSTOMER, "o-1", Duration.ofMinutes(5));
        assertEquals(new Caller(Role.CUSTOMER, "o-1"), authorizer.authenticate(token)); // verified, remembered
        clock.advance(Duration.ofMinutes(5).minusSeconds(1));
        assertEquals(new Caller(Role.CUSTOMER, "o-1"), authorizer.authenticate(token));
        clock.advance(Duration.ofSeconds(1));
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> authorizer.authenticate(token));
        assertTrue(e.getMessage().contains("expired"), e.getMessage());
    }

    @Test
    void authenticate_rememberedTokenWithAlteredSignature_isRefused() throws Exception {
        String token = issuer.issue(Role.OPERATOR, "ops", Duration.ofMinutes(5));
        authorizer.authenticate(token);
        char last = token.charAt(token.length() - 1);
        String altered = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertThrows(AuthenticationException.class, () -> authorizer.authenticate(altered));
        String truncated = token.substring(0, token.length() - 1);
        assertThrows(AuthenticationException.class, () -> authorizer.authenticate(truncated));
    }

    @Test
    void authenticate_moreTokensThanRemembered_eachGetsItsOwnCaller() throws Exception {
        int n = JwtAuthorizer.VERIFIED_CACHE_SIZE * 3;
        String[] tokens = new String[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = issuer.issue(Role.DRIVER, "d-" + i, Duration.ofMinutes(5));
        }
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < n; i++) {
                assertEquals(new Caller(Role.DRIVER, "d-" + i), authorizer.authenticate(tokens[i]));
            }
        }
    }

    @Test
    void authenticate_concurrentCallersWithDistinctTokens_eachGetsItsOwnCaller() throws Exception {
        int n = 4096;
        String[] tokens = new String[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = issuer.issue(Role.CUSTOMER, "o-" + i, Duration.ofMinutes(5));
        }
        int threads = 4;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int offset = t * 97;
                results.add(pool.submit(() -> {
                    start.await();
                    int wrong = 0;
                    for (int k = 0; k < 5 * n; k++) {
                        int i = (offset + k * 31) % n;
                        if (!authorizer.authenticate(tokens[i]).equals(new Caller(Role.CUSTOMER, "o-" + i))) {
                            wrong++;
                        }
                    }
                    return wrong;
                }));
            }
            start.countDown();
            for (java.util.concurrent.Future<Integer> result : results) {
                assertEquals(0, result.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void sameToken_comparesWholeStrings() {
        assertTrue(JwtAuthorizer.sameToken("a.b.c", "a.b.c"));
        assertFalse(JwtAuthorizer.sameToken("a.b.c", "a.b.d"));
        assertFalse(JwtAuthorizer.sameToken("a.b.c", "a.b.cd"));
    }
}
