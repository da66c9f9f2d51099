package org.ordertracking.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.servlet.internal.Hs256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link Authorizer}: JSON Web Tokens signed HS256 with a shared secret, claims
 * {@code sub} (the id the token is bound to), {@code role} ({@code customer}, {@code restaurant},
 * {@code driver}, {@code operator}) and {@code exp} (seconds since the epoch, required). A token is
 * refused unless:
 * <ul>
 *   <li>each of its three segments is the canonical base64url spelling of its bytes (no padding, the
 *       URL alphabet only, the unused low bits of the last character zero), so that a token has one
 *       spelling only;</li>
 *   <li>its header says {@code "alg":"HS256"} and its signature matches (compared in constant time);</li>
 *   <li>its {@code exp} is a number and has not passed, and its {@code nbf}, if present, is a number
 *       that has passed (both with {@linkplain Builder#clockSkew clock skew} leeway, default
 *       {@link #DEFAULT_CLOCK_SKEW});</li>
 *   <li>{@code sub} and {@code role} are strings and {@code jti}, if present, a non-empty string;</li>
 *   <li>when {@linkplain Builder#issuer configured}, {@code iss} equals the issuer, and
 *       {@code aud} (a string or an array of strings) names the {@linkplain Builder#audience audience};</li>
 *   <li>when a {@link TokenRevocation} is {@linkplain Builder#revocation configured}, it does not
 *       call the token revoked. It is asked last, and its answer is remembered per {@code jti} for
 *       {@linkplain Builder#revocationCacheTtl a while} (default {@link #DEFAULT_REVOCATION_CACHE_TTL}).</li>
 * </ul>
 * Authorization follows {@link Authorizer#defaultRules}.
 *
 * <pre>{@code
 * JwtAuthorizer authorizer = JwtAuthorizer.builder(secret)
 *         .issuer("https://auth.example.com")
 *         .audience("tracking")
 *         .revocation((jti, caller) -> denyList.contains(jti))
 *         .build();
 * }</pre>
 *
 * <p>A client sends the same token with every request, so the authorizer remembers the last
 * {@value #VERIFIED_CACHE_SIZE} tokens whose signature and claims it verified (a fixed-size table; a
 * new token takes the slot of an old one). A token is found there only if it is the very same string,
 * signature included, compared in constant time; its {@code exp} and {@code nbf} are still checked
 * against the clock on every use, so a remembered token expires exactly when it would otherwise, and
 * its revocation is looked up on every use too, so a remembered token is refused as soon as the
 * remembered revocation answer is renewed and says revoked.
 *
 * <p>Thread-safe; apart from those two tables it holds no state.
 *
 * @since 0.1.0
 */
public final class JwtAuthorizer implements Authorizer {
    private static final Logger LOG = LoggerFactory.getLogger(JwtAuthorizer.class);

    /** Default leeway when checking {@code exp} and {@code nbf}: none. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ZERO;

    /**
     * Default time a {@link TokenRevocation} answer is remembered for a {@code jti}: 30 seconds.
     *
     * @since 0.1.0
     */
    public static final Duration DEFAULT_REVOCATION_CACHE_TTL = Duration.ofSeconds(30);

    /** Longest accepted token, in characters; longer ones are refused unread. */
    public static final int MAX_TOKEN_LENGTH = 4096;

    /** How many verified tokens are remembered. */
    static final int VERIFIED_CACHE_SIZE = 1024;

    /** How many revocation answers are remembered. */
    static final int REVOCATION_CACHE_SIZE = 1024;

    private final Hs256 hs256;
    private final InstantSource clock;
    private final long skewSeconds;
    private final String issuer;
    private final String audience;
    private final TokenRevocation revocation;
    private final long revocationTtlMillis;
    private final boolean requireTokenId;
    /** Direct-mapped: slot from the token's hash mixed with {@link #seed}. Racy on purpose; entries are immutable. */
    private final Verified[] verified = new Verified[VERIFIED_CACHE_SIZE];
    /** Direct-mapped by jti, the same way. Racy on purpose; entries are immutable. */
    private final Answer[] answers = new Answer[REVOCATION_CACHE_SIZE];
    private final int seed = new java.security.SecureRandom().nextInt();

    /** A token that passed every check but revocation, and what to check again on each use. */
    private record Verified(String token, Caller caller, long exp, long nbf, String jti) {
    }

    /** What the revocation SPI said about a jti, valid until {@code untilMillis} on the clock. */
    private record Answer(String jti, boolean revoked, long untilMillis) {
    }

    private JwtAuthorizer(Builder b) {
        this.hs256 = b.hs256;
        this.clock = b.clock;
        this.skewSeconds = b.clockSkew.getSeconds();
        this.issuer = b.issuer;
        this.audience = b.audience;
        this.revocation = b.revocation;
        long ttl;
        try {
            ttl = b.revocationCacheTtl.toMillis();
        } catch (ArithmeticException e) {
            ttl = Long.MAX_VALUE; // longer than any clock will run
        }
        this.revocationTtlMillis = ttl;
        this.requireTokenId = b.requireTokenId;
    }

    /**
     * Returns a builder verifying with {@code secret} (at least 32 bytes); by default on the system
     * clock, without skew, without {@code iss}/{@code aud} checks and without revocation.
     *
     * @throws IllegalArgumentException if the secret is shorter than 32 bytes, showing its length
     * @since 0.1.0
     */
    public static Builder builder(byte[] secret) {
        return new Builder(secret);
    }

    /** Returns an authorizer verifying with {@code secret} (at least 32 bytes) on the system clock. */
    public static JwtAuthorizer of(byte[] secret) {
        return builder(secret).build();
    }

    /** Returns an authorizer verifying with {@code secret}, judging expiry on {@code clock} with {@code clockSkew} leeway. */
    public static JwtAuthorizer of(byte[] secret, InstantSource clock, Duration clockSkew) {
        return builder(secret).clock(clock).clockSkew(clockSkew).build();
    }

    @Override
    public Caller authenticate(String token) throws AuthenticationException {
        if (token == null || token.isEmpty()) {
            throw new AuthenticationException("a bearer token is required (Authorization: Bearer <token>)");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new AuthenticationException("the token is longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        int slot = slot(token, VERIFIED_CACHE_SIZE);
        Verified known = verified[slot];
        if (known != null && sameToken(known.token, token)) {
            checkTimes(known.exp, known.nbf);
            checkRevocation(known.jti, known.caller);
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
            throw new AuthenticationException("the token signature does not match or is not canonical base64url");
        }
        JsonNode claims = parsePart(token.substring(first + 1, second), "payload");
        JsonNode exp = claims.get("exp");
        if (exp == null || !exp.isNumber() || !exp.canConvertToLong()) {
            throw new AuthenticationException("the token has no numeric exp claim");
        }
        JsonNode nbfClaim = claims.get("nbf");
        if (nbfClaim != null && (!nbfClaim.isNumber() || !nbfClaim.canConvertToLong())) {
            throw new AuthenticationException("the token's nbf claim is not a number");
        }
        long nbf = nbfClaim == null ? Long.MIN_VALUE : nbfClaim.asLong();
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
        if (issuer != null && !issuer.equals(claims.path("iss").textValue())) {
            throw new AuthenticationException("the token was not issued by the expected issuer (iss)");
        }
        if (audience != null && !namesAudience(claims.get("aud"))) {
            throw new AuthenticationException("the token is not meant for this audience (aud)");
        }
        JsonNode jtiClaim = claims.get("jti");
        if (jtiClaim != null && (!jtiClaim.isTextual() || jtiClaim.asText().isEmpty())) {
            throw new AuthenticationException("the token's jti claim is not a non-empty string");
        }
        String jti = jtiClaim == null ? null : jtiClaim.asText();
        if (jti == null && requireTokenId) {
            throw new AuthenticationException("the token has no jti claim");
        }
        checkRevocation(jti, caller);
        verified[slot] = new Verified(token, caller, exp.asLong(), nbf, jti);
        return caller;
    }

    private boolean namesAudience(JsonNode aud) {
        if (aud == null) {
            return false;
        }
        if (aud.isTextual()) {
            return audience.equals(aud.asText());
        }
        if (aud.isArray()) {
            for (JsonNode one : aud) {
                if (one.isTextual() && audience.equals(one.asText())) {
                    return true;
                }
            }
        }
        return false;
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

    /** Asks the revocation SPI, or the answer it gave for {@code jti} less than the cache TTL ago. */
    private void checkRevocation(String jti, Caller caller) throws AuthenticationException {
        if (revocation == null || jti == null) {
            return;
        }
        long now = clock.millis();
        int slot = slot(jti, REVOCATION_CACHE_SIZE);
        Answer answer = answers[slot];
        if (answer == null || now >= answer.untilMillis || !answer.jti.equals(jti)) {
            boolean revoked;
            try {
                revoked = revocation.isRevoked(jti, caller);
            } catch (RuntimeException e) {
                LOG.warn("token revocation {} threw for a token of {}; refusing the token", revocation, caller.actor(), e);
                throw new AuthenticationException("the token's revocation status could not be checked");
            }
            long until = now > Long.MAX_VALUE - revocationTtlMillis ? Long.MAX_VALUE : now + revocationTtlMillis;
            answer = new Answer(jti, revoked, until);
            answers[slot] = answer;
        }
        if (answer.revoked) {
            throw new AuthenticationException("the token has been revoked");
        }
    }

    private int slot(String key, int size) {
        int h = (key.hashCode() ^ seed) * 0x9E3779B9;
        return (h ^ (h >>> 16)) & (size - 1);
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
        byte[] json;
        try {
            json = Hs256.decode(part);
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException("the token " + name + " is not canonical base64url");
        }
        try {
            JsonNode node = JsonCodec.mapper().readTree(json);
            if (node == null || !node.isObject()) {
                throw new AuthenticationException("the token " + name + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new AuthenticationException("the token " + name + " is not base64url JSON");
        }
    }

    @Override
    public String toString() {
        return "JwtAuthorizer[HS256" + (issuer == null ? "" : ", iss=" + issuer)
                + (audience == null ? "" : ", aud=" + audience)
                + (revocation == null ? "" : ", revocation=" + revocation) + "]";
    }

    /**
     * Builds a {@link JwtAuthorizer}; every setting is checked when set, and a bad value is refused
     * with a message showing it. Not thread-safe; the authorizer it builds is.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private final Hs256 hs256;
        private InstantSource clock = InstantSource.system();
        private Duration clockSkew = DEFAULT_CLOCK_SKEW;
        private String issuer;
        private String audience;
        private TokenRevocation revocation;
        private Duration revocationCacheTtl = DEFAULT_REVOCATION_CACHE_TTL;
        private boolean requireTokenId;

        private Builder(byte[] secret) {
            this.hs256 = new Hs256(secret);
        }

        /** The clock {@code exp}, {@code nbf} and the revocation cache are judged on; default the system clock. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** Leeway for {@code exp} and {@code nbf}, whole seconds; default {@link #DEFAULT_CLOCK_SKEW}. */
        public Builder clockSkew(Duration clockSkew) {
            Objects.requireNonNull(clockSkew, "clockSkew must not be null");
            if (clockSkew.isNegative()) {
                throw new IllegalArgumentException("clockSkew must not be negative, but was " + clockSkew);
            }
            this.clockSkew = clockSkew;
            return this;
        }

        /** Requires the {@code iss} claim to equal {@code issuer}; default: {@code iss} is not checked. */
        public Builder issuer(String issuer) {
            this.issuer = requireText(issuer, "issuer");
            return this;
        }

        /**
         * Requires the {@code aud} claim to name {@code audience}: equal to it, or an array holding it;
         * default: {@code aud} is not checked.
         */
        public Builder audience(String audience) {
            this.audience = requireText(audience, "audience");
            return this;
        }

        /** The deny-list asked about each token's {@code jti} after every other check passed; default none. */
        public Builder revocation(TokenRevocation revocation) {
            this.revocation = Objects.requireNonNull(revocation, "revocation must not be null");
            return this;
        }

        /**
         * How long an answer of the {@linkplain #revocation revocation} is remembered per {@code jti};
         * zero asks on every request. Default {@link #DEFAULT_REVOCATION_CACHE_TTL}.
         */
        public Builder revocationCacheTtl(Duration ttl) {
            Objects.requireNonNull(ttl, "revocationCacheTtl must not be null");
            if (ttl.isNegative()) {
                throw new IllegalArgumentException("revocationCacheTtl must not be negative, but was " + ttl);
            }
            this.revocationCacheTtl = ttl;
            return this;
        }

        /**
         * Whether a token without a {@code jti} is refused; default {@code false}: such a token is
         * accepted, and no {@link TokenRevocation} is asked about it, since nothing names it.
         */
        public Builder requireTokenId(boolean required) {
            this.requireTokenId = required;
            return this;
        }

        public JwtAuthorizer build() {
            return new JwtAuthorizer(this);
        }

        private static String requireText(String value, String name) {
            Objects.requireNonNull(value, name + " must not be null");
            if (value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be blank, but was '" + value + "'");
            }
            return value;
        }
    }
}
