package org.ordertracking.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.servlet.internal.Hs256;

/**
 * The default {@link Authorizer}: JSON Web Tokens signed HS256 with a shared secret, claims
 * {@code sub} (the id the token is bound to), {@code role} ({@code customer}, {@code restaurant},
 * {@code driver}, {@code operator}) and {@code exp} (seconds since the epoch, required). The
 * signature is compared in constant time; a token whose header is not {@code {"alg":"HS256"}}, whose
 * signature does not match, whose {@code exp} has passed (beyond {@link #DEFAULT_CLOCK_SKEW}) or
 * whose {@code nbf} lies ahead is refused. Authorization follows {@link Authorizer#defaultRules}.
 *
 * <p>A client sends the same token with every request, so the authorizer remembers the last
 * {@value #VERIFIED_CACHE_SIZE} tokens whose signature and claims it verified (a fixed-size table; a
 * new token takes the slot of an old one). A token is found there only if it is the very same string,
 * signature included, compared in constant time; its {@code exp} and {@code nbf} are still checked
 * against the clock on every use, so a remembered token expires exactly when it would otherwise.
 *
 * <p>Thread-safe; apart from that table of verified tokens it holds no state.
 *
 * @since 0.1.0
 */
public final class JwtAuthorizer implements Authorizer {

    /** Default leeway when checking {@code exp} and {@code nbf}: none. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ZERO;

    /** Longest accepted token, in characters; longer ones are refused unread. */
    public static final int MAX_TOKEN_LENGTH = 4096;

    /** How many verified tokens are remembered. */
    static final int VERIFIED_CACHE_SIZE = 1024;

    private final Hs256 hs256;
    private final InstantSource clock;
    private final long skewSeconds;
    /** Direct-mapped: slot from the token's hash mixed with {@link #seed}. Racy on purpose; entries are immutable. */
    private final Verified[] verified = new Verified[VERIFIED_CACHE_SIZE];
    private final int seed = new java.security.SecureRandom().nextInt();

    /** A token that passed every check, and the time claims to check again on each use. */
    private record Verified(String token, Caller caller, long exp, long nbf) {
    }

    private JwtAuthorizer(byte[] secret, InstantSource clock, Duration skew) {
        this.hs256 = new Hs256(secret);
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        Objects.requireNonNull(skew, "clockSkew must not be null");
        if (skew.isNegative()) {
            throw new IllegalArgumentException("clockSkew must not be negative, but was " + skew);
        }
        this.skewSeconds = skew.getSeconds();
    }

    /** Returns an authorizer verifying with {@code secret} (at least 32 bytes) on the system clock. */
    public static JwtAuthorizer of(byte[] secret) {
        return new JwtAuthorizer(secret, InstantSource.system(), DEFAULT_CLOCK_SKEW);
    }

    /** Returns an authorizer verifying with {@code secret}, judging expiry on {@code clock} with {@code clockSkew} leeway. */
    public static JwtAuthorizer of(byte[] secret, InstantSource clock, Duration clockSkew) {
        return new JwtAuthorizer(secret, clock, clockSkew);
    }

    @Override
    public Caller authenticate(String token) throws AuthenticationException {
        if (token == null || token.isEmpty()) {
            throw new AuthenticationException("a bearer token is required (Authorization header or access_token)");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new AuthenticationException("the token is longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        int slot = slot(token);
        Verified known = verified[slot];
        if (known != null && sameToken(known.token, token)) {
            checkTimes(known.exp, known.nbf);
            return known.caller;
        }
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) {
            throw new AuthenticationException("the token is not a compact JWS (header.payload.signature)");
        }
        String input = token.substring(0, second);
        JsonNode header = parsePart(token.substring(0, first), "header");
        if (!"HS256".equals(header.path("alg").asText(null))) {
            throw new AuthenticationException("the token must be signed HS256");
        }
        if (!hs256.verify(input, token.substring(second + 1))) {
            throw new AuthenticationException("the token signature does not match");
        }
        JsonNode claims = parsePart(token.substring(first + 1, second), "payload");
        JsonNode exp = claims.get("exp");
        if (exp == null || !exp.canConvertToLong()) {
            throw new AuthenticationException("the token has no numeric exp claim");
        }
        JsonNode nbfClaim = claims.get("nbf");
        long nbf = nbfClaim != null && nbfClaim.canConvertToLong() ? nbfClaim.asLong() : Long.MIN_VALUE;
        checkTimes(exp.asLong(), nbf);
        JsonNode sub = claims.get("sub");
        JsonNode role = claims.get("role");
        if (sub == null || !sub.isTextual() || sub.asText().isEmpty() || role == null || !role.isTextual()) {
            throw new AuthenticationException("the token needs string claims sub and role");
        }
        Caller caller;
        try {
            caller = new Caller(Role.fromWireName(role.asText()), sub.asText());
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException("the token's role is not one of customer, restaurant, driver, operator");
        }
        verified[slot] = new Verified(token, caller, exp.asLong(), nbf);
        return caller;
    }

    private void checkTimes(long exp, long nbf) throws AuthenticationException {
        long now = clock.instant().getEpochSecond();
        if (now >= exp + skewSeconds) {
            throw new AuthenticationException("the token has expired");
        }
        if (nbf != Long.MIN_VALUE && now + skewSeconds < nbf) {
            throw new AuthenticationException("the token is not valid yet");
        }
    }

    private int slot(String token) {
        int h = (token.hashCode() ^ seed) * 0x9E3779B9;
        return (h ^ (h >>> 16)) & (VERIFIED_CACHE_SIZE - 1);
    }

    /** Equality that reads every character whatever differs, so its time tells nothing of the remembered token. */
    static boolean sameToken(String remembered, String given) {
        if (remembered.length() != given.length()) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < given.length(); i++) {
            diff |= remembered.charAt(i) ^ given.charAt(i);
        }
        return diff == 0;
    }

    private static JsonNode parsePart(String part, String name) throws AuthenticationException {
        try {
            JsonNode node = JsonCodec.mapper().readTree(Hs256.decode(part));
            if (node == null || !node.isObject()) {
                throw new AuthenticationException("the token " + name + " is not a JSON object");
            }
            return node;
        } catch (IOException | IllegalArgumentException e) {
            throw new AuthenticationException("the token " + name + " is not base64url JSON");
        }
    }

    @Override
    public String toString() {
        return "JwtAuthorizer[HS256]";
    }
}
