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

    // --- one spelling per token -------------------------------------------------------------

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Signs {@code header.payload} exactly as spelled, as only a holder of the secret could. */
    private static String signed(String headerSegment, String payloadSegment) {
        String input = headerSegment + "." + payloadSegment;
        return input + "." + org.ordertracking.servlet.internal.Hs256.encode(
                new org.ordertracking.servlet.internal.Hs256(SECRET).sign(input));
    }

    /** A JSON object padded with spaces to a byte length that is not a multiple of 3, so its base64 has a tail. */
    private static String withTail(String json) {
        while (json.length() % 3 == 0) {
            json = json.replace("{", "{ ");
        }
        return json;
    }

    /** The base64url character whose 6-bit value differs from {@code c}'s only in the lowest bit. */
    static char flipLowBit(char c) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return alphabet.charAt(alphabet.indexOf(c) ^ 1);
    }

    private String claims() {
        return "{\"sub\":\"ops\",\"role\":\"operator\",\"exp\":" + (clock.instant().getEpochSecond() + 300) + "}";
    }

    private void assertRefused(String token, String why) {
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> authorizer.authenticate(token));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void authenticate_paddedSignature_isRefused() throws Exception {
        String token = issuer.issue(Role.OPERATOR, "ops", Duration.ofMinutes(5));
        authorizer.authenticate(token);
        assertRefused(token + "=", "signature");
    }

    @Test
    void authenticate_signatureWithUnusedLowBitsFlipped_isRefusedEvenThoughItDecodesToTheSameBytes() throws Exception {
        String token = issuer.issue(Role.OPERATOR, "ops", Duration.ofMinutes(5));
        authorizer.authenticate(token); // remembered: the respelling must not ride on it
        String signature = token.substring(token.lastIndexOf('.') + 1);
        String respelled = token.substring(0, token.length() - 1) + flipLowBit(token.charAt(token.length() - 1));
        String respelledSignature = respelled.substring(respelled.lastIndexOf('.') + 1);
        assertTrue(java.util.Arrays.equals(Base64.getUrlDecoder().decode(signature),
                Base64.getUrlDecoder().decode(respelledSignature)), "the lenient decoder reads the same signature");
        assertRefused(respelled, "signature");
        assertRefused(respelled, "signature"); // and it is not remembered either
    }

    @Test
    void authenticate_paddedHeaderOrPayload_isRefusedThoughSignedOverThatSpelling() {
        String header = b64(withTail("{\"alg\":\"HS256\"}"));
        String payload = b64(withTail(claims()));
        String paddedHeader = Base64.getUrlEncoder().encodeToString(
                withTail("{\"alg\":\"HS256\"}").getBytes(StandardCharsets.UTF_8));
        String paddedPayload = Base64.getUrlEncoder().encodeToString(withTail(claims()).getBytes(StandardCharsets.UTF_8));
        assertTrue(paddedHeader.endsWith("=") && paddedPayload.endsWith("="));
        assertRefused(signed(paddedHeader, payload), "header is not canonical");
        assertRefused(signed(header, paddedPayload), "payload is not canonical");
    }

    @Test
    void authenticate_headerOrPayloadWithUnusedLowBitsFlipped_isRefusedThoughSignedOverThatSpelling() throws Exception {
        String header = b64(withTail("{\"alg\":\"HS256\"}"));
        String payload = b64(withTail(claims()));
        authorizer.authenticate(signed(header, payload)); // the canonical spelling passes
        String oddHeader = header.substring(0, header.length() - 1) + flipLowBit(header.charAt(header.length() - 1));
        String oddPayload = payload.substring(0, payload.length() - 1) + flipLowBit(payload.charAt(payload.length() - 1));
        assertRefused(signed(oddHeader, payload), "header is not canonical");
        assertRefused(signed(header, oddPayload), "payload is not canonical");
    }

    @Test
    void authenticate_standardAlphabetSegment_isRefused() {
        // a payload whose base64url holds '-' or '_': the standard alphabet spells it with '+' or '/'
        String json = claims().replace("}", ",\"pad\":\"\u00ff\u00fe\u00ff~~~>>>???\"}");
        String url = b64(json);
        String standard = Base64.getEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        assertFalse(url.equals(standard), "the test payload must differ between the alphabets");
        assertRefused(signed(b64("{\"alg\":\"HS256\"}"), standard), "payload is not canonical");
    }

    // --- nbf, iss, aud ----------------------------------------------------------------------

    @Test
    void authenticate_nonNumericNbf_isRefused() {
        String header = b64("{\"alg\":\"HS256\"}");
        for (String nbf : new String[] {"\"0\"", "null", "true", "{}", "[0]"}) {
            String token = signed(header, b64(claims().replace("}", ",\"nbf\":" + nbf + "}")));
            assertRefused(token, "nbf claim is not a number");
        }
    }

    @Test
    void authenticate_numericNbf_isHonoured() throws Exception {
        String header = b64("{\"alg\":\"HS256\"}");
        long now = clock.instant().getEpochSecond();
        assertEquals(Role.OPERATOR, authorizer.authenticate(
                signed(header, b64(claims().replace("}", ",\"nbf\":" + (now - 1) + "}")))).role());
        assertRefused(signed(header, b64(claims().replace("}", ",\"nbf\":" + (now + 60) + "}"))), "not valid yet");
    }

    @Test
    void authenticate_configuredIssuer_mustMatchIss() throws Exception {
        JwtAuthorizer strict = JwtAuthorizer.builder(SECRET).clock(clock).issuer("https://auth.example").build();
        JwtIssuer right = JwtIssuer.builder(SECRET).clock(clock).issuer("https://auth.example").build();
        JwtIssuer wrong = JwtIssuer.builder(SECRET).clock(clock).issuer("https://evil.example").build();
        assertEquals(new Caller(Role.DRIVER, "d-1"), strict.authenticate(right.issue(Role.DRIVER, "d-1", Duration.ofMinutes(5))));
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> strict.authenticate(wrong.issue(Role.DRIVER, "d-1", Duration.ofMinutes(5))));
        assertTrue(e.getMessage().contains("iss"), e.getMessage());
        assertThrows(AuthenticationException.class, () -> strict.authenticate(issuer.issue(Role.DRIVER, "d-1", Duration.ofMinutes(5))));
        // an authorizer without an issuer does not look at iss
        assertEquals(Role.DRIVER, authorizer.authenticate(wrong.issue(Role.DRIVER, "d-1", Duration.ofMinutes(5))).role());
    }

    @Test
    void authenticate_configuredAudience_mustBeTheAudOrInTheAudArray() throws Exception {
        JwtAuthorizer strict = JwtAuthorizer.builder(SECRET).clock(clock).audience("tracking").build();
        String header = b64("{\"alg\":\"HS256\"}");
        assertEquals(Role.OPERATOR, strict.authenticate(signed(header, b64(claims().replace("}", ",\"aud\":\"tracking\"}")))).role());
        assertEquals(Role.OPERATOR, strict.authenticate(
                signed(header, b64(claims().replace("}", ",\"aud\":[\"billing\",\"tracking\"]}")))).role());
        for (String aud : new String[] {"\"billing\"", "[\"billing\"]", "[]", "7", "null", "[[\"tracking\"]]"}) {
            String token = signed(header, b64(claims().replace("}", ",\"aud\":" + aud + "}")));
            AuthenticationException e = assertThrows(AuthenticationException.class, () -> strict.authenticate(token), aud);
            assertTrue(e.getMessage().contains("aud"), e.getMessage());
        }
        assertThrows(AuthenticationException.class, () -> strict.authenticate(signed(header, b64(claims()))));
        JwtIssuer scoped = JwtIssuer.builder(SECRET).clock(clock).audience("tracking").build();
        assertEquals(Role.CUSTOMER, strict.authenticate(scoped.issue(Role.CUSTOMER, "o-1", Duration.ofMinutes(5))).role());
    }

    @Test
    void issue_everyToken_hasItsOwnUrlSafeJti() throws Exception {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            String token = issuer.issue(Role.CUSTOMER, "o-1", Duration.ofMinutes(5));
            com.fasterxml.jackson.databind.JsonNode payload = org.ordertracking.core.internal.JsonCodec.mapper()
                    .readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
            String jti = payload.get("jti").asText();
            assertTrue(jti.matches("[A-Za-z0-9_-]{22}"), jti);
            assertTrue(ids.add(jti), "jti repeated: " + jti);
            assertFalse(payload.has("iss") || payload.has("aud"), payload.toString());
        }
    }

    @Test
    void builders_badValues_areRejectedShowingTheValue() {
        JwtAuthorizer.Builder b = JwtAuthorizer.builder(SECRET);
        assertEquals("clockSkew must not be negative, but was PT-1S",
                assertThrows(IllegalArgumentException.class, () -> b.clockSkew(Duration.ofSeconds(-1))).getMessage());
        assertEquals("revocationCacheTtl must not be negative, but was PT-0.001S",
                assertThrows(IllegalArgumentException.class, () -> b.revocationCacheTtl(Duration.ofMillis(-1))).getMessage());
        assertEquals("issuer must not be blank, but was ' '",
                assertThrows(IllegalArgumentException.class, () -> b.issuer(" ")).getMessage());
        assertEquals("audience must not be blank, but was ''",
                assertThrows(IllegalArgumentException.class, () -> b.audience("")).getMessage());
        assertThrows(NullPointerException.class, () -> b.revocation(null));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JwtAuthorizer.builder(new byte[31]))
                .getMessage().contains("31 bytes"));
        assertEquals("issuer must not be blank, but was ''",
                assertThrows(IllegalArgumentException.class, () -> JwtIssuer.builder(SECRET).issuer("")).getMessage());
    }

    // --- revocation -------------------------------------------------------------------------

    /** A deny-list in memory that counts how often it is asked: the kind of SPI a host writes. */
    static final class DenyList implements TokenRevocation {
        final java.util.Set<String> revoked = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        volatile RuntimeException failure;

        @Override
        public boolean isRevoked(String tokenId, Caller caller) {
            asked.incrementAndGet();
            if (failure != null) {
                throw failure;
            }
            return revoked.contains(tokenId);
        }
    }

    static String jti(String token) throws Exception {
        return org.ordertracking.core.internal.JsonCodec.mapper()
                .readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1])).get("jti").asText();
    }

    @Test
    void authenticate_revokedToken_isRefused() throws Exception {
        DenyList denyList = new DenyList();
        JwtAuthorizer revoking = JwtAuthorizer.builder(SECRET).clock(clock).revocation(denyList).build();
        String token = issuer.issue(Role.DRIVER, "d-1", Duration.ofMinutes(5));
        denyList.revoked.add(jti(token));
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> revoking.authenticate(token));
        assertEquals("the token has been revoked", e.getMessage());
        assertEquals(new Caller(Role.DRIVER, "d-1"), revoking.authenticate(issuer.issue(Role.DRIVER, "d-1", Duration.ofMinutes(5))));
    }

    @Test
    void revocation_isAskedOnlyAfterSignatureAndTimeChecksPass() {
        DenyList denyList = new DenyList();
        JwtAuthorizer revoking = JwtAuthorizer.builder(SECRET).clock(clock).revocation(denyList).build();
        String token = issuer.issue(Role.DRIVER, "d-1", Duration.ofMinutes(5));
        String badSignature = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BA" : "AA");
        assertThrows(AuthenticationException.class, () -> revoking.authenticate(badSignature));
        String notYet = signed(b64("{\"alg\":\"HS256\"}"), b64(claims().replace("}", ",\"jti\":\"x\",\"nbf\":"
                + (clock.instant().getEpochSecond() + 60) + "}")));
        assertThrows(AuthenticationException.class, () -> revoking.authenticate(notYet));
        clock.advance(Duration.ofMinutes(5));
        assertThrows(AuthenticationException.class, () -> revoking.authenticate(token));
        assertEquals(0, denyList.asked.get());
    }

    @Test
    void revocation_answerIsCachedPerJtiForTheConfiguredTime() throws Exception {
        DenyList denyList = new DenyList();
        JwtAuthorizer revoking = JwtAuthorizer.builder(SECRET).clock(clock).revocation(denyList)
                .revocationCacheTtl(Duration.ofSeconds(10)).build();
        String token = issuer.issue(Role.DRIVER, "d-1", Duration.ofMinutes(5));
        for (int i = 0; i < 50; i++) {
            revoking.authenticate(token);
        }
        assertEquals(1, denyList.asked.get());
        clock.advance(Duration.ofSeconds(9));
        revoking.authenticate(token);
        assertEquals(1, denyList.asked.get());
        clock.advance(Duration.ofSeconds(1));
        revoking.authenticate(token);
        assertEquals(2, denyList.asked.get());
        // a revoked answer is cached as well: a revoked token that keeps knocking does not reach the deny-list
        String other = issuer.issue(Role.DRIVER, "d-2", Duration.ofMinutes(5));
        denyList.revoked.add(jti(other));
        for (int i = 0; i < 20; i++) {
            assertThrows(AuthenticationException.class, () -> revoking.authenticate(other));
        }
        assertEquals(3, denyList.asked.get());
    }

    @Test
    void rememberedToken_revokedLater_isRefusedOnceTheCachedAnswerExpires() throws Exception {
        DenyList denyList = new DenyList();
        JwtAuthorizer revoking = JwtAuthorizer.builder(SECRET).clock(clock).revocation(denyList).build();
        String token = issuer.issue(Role.RESTAURANT, "r-1", Duration.ofHours(1));
        assertEquals(new Caller(Role.RESTAURANT, "r-1"), revoking.authenticate(token)); // verified and remembered
        denyList.revoked.add(jti(token));
        clock.advance(JwtAuthorizer.DEFAULT_REVOCATION_CACHE_TTL.minusSeconds(1));
        assertEquals(new Caller(Role.RESTAURANT, "r-1"), revoking.authenticate(token)); // the cached answer still holds
        clock.advance(Duration.ofSeconds(1));
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> revoking.authenticate(token));
        assertEquals("the token has been revoked", e.getMessage());
        clock.advance(Duration.ofMinutes(5));
        assertThrows(AuthenticationException.class, () -> revoking.authenticate(token));
    }

    @Test
    void revocation_zeroTtl_asksOnEveryRequest() throws Exception {
        DenyList denyList = new DenyList();
        JwtAuthorizer revoking = JwtAuthorizer.builder(SECRET).clock(clock).revocation(denyList)
                .revocationCacheTtl(Duration.ZERO).build();
        String token = issuer.issue(Role.DRIVER, "d-1", Duration.ofMinutes(5));
        revoking.authenticate(token);
        revoking.authenticate(token);
        denyList.revoked.add(jti(token));
        assertThrows(AuthenticationException.class, () -> revoking.authenticate(token));
        assertEquals(3, denyList.asked.get());
    }

    @Test
    void revocation_hugeTtl_remembersTheAnswerWithoutOverflowing() throws Exception {
        DenyList denyList = new DenyList();
        JwtAuthorizer revoking = JwtAuthorizer.builder(SECRET).clock(clock).revocation(denyList)
                .revocationCacheTtl(Duration.ofSeconds(Long.MAX_VALUE)).build();
        String token = issuer.issue(Role.DRIVER, "d-1", Duration.ofDays(3650));
        revoking.authenticate(token);
        clock.advance(Duration.ofDays(3000));
        revoking.authenticate(token);
        assertEquals(1, denyList.asked.get());
    }

    @Test
    void revocation_tokenWithoutJti_isAcceptedUnasked_unlessTokenIdIsRequired() throws Exception {
        DenyList denyList = new DenyList();
        String noJti = signed(b64("{\"alg\":\"HS256\"}"), b64(claims()));
        JwtAuthorizer lenient = JwtAuthorizer.builder(SECRET).clock(clock).revocation(denyList).build();
        assertEquals(Role.OPERATOR, lenient.authenticate(noJti).role());
        assertEquals(0, denyList.asked.get());
        JwtAuthorizer strict = JwtAuthorizer.builder(SECRET).clock(clock).revocation(denyList).requireTokenId(true).build();
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> strict.authenticate(noJti));
        assertEquals("the token has no jti claim", e.getMessage());
        String badJti = signed(b64("{\"alg\":\"HS256\"}"), b64(claims().replace("}", ",\"jti\":42}")));
        assertThrows(AuthenticationException.class, () -> lenient.authenticate(badJti));
    }

    @Test
    void revocation_thatThrows_refusesTheTokenAndIsAskedAgainNextTime() throws Exception {
        DenyList denyList = new DenyList();
        JwtAuthorizer revoking = JwtAuthorizer.builder(SECRET).clock(clock).revocation(denyList).build();
        String token = issuer.issue(Role.DRIVER, "d-1", Duration.ofMinutes(5));
        denyList.failure = new IllegalStateException("deny-list database is down");
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> revoking.authenticate(token));
        assertEquals("the token's revocation status could not be checked", e.getMessage());
        denyList.failure = null;
        assertEquals(new Caller(Role.DRIVER, "d-1"), revoking.authenticate(token));
        assertEquals(2, denyList.asked.get());
    }

    @Test
    void sameToken_comparesWholeStrings() {
        assertTrue(JwtAuthorizer.sameToken("a.b.c", "a.b.c"));
        assertFalse(JwtAuthorizer.sameToken("a.b.c", "a.b.d"));
        assertFalse(JwtAuthorizer.sameToken("a.b.c", "a.b.cd"));
    }
}
