package org.ordertracking.servlet;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.servlet.internal.Hs256;

/**
 * Mints HS256 JSON Web Tokens with the claims {@link JwtAuthorizer} reads: {@code sub},
 * {@code role}, {@code iat}, {@code exp}, a random {@code jti} (22 URL-safe characters, 128 bits
 * from {@link SecureRandom}) that a {@link TokenRevocation} deny-list can name, and, when
 * {@linkplain Builder configured}, {@code iss} and {@code aud}, so its tokens pass the authorizer
 * built with the same issuer and audience. The servlet uses it for the customer
 * {@code tracking_token} of {@code POST /orders}; hosts and demos use it for any role.
 *
 * <pre>{@code
 * JwtIssuer issuer = JwtIssuer.of(secret);
 * String token = issuer.issue(Role.RESTAURANT, "r-17", Duration.ofHours(12));
 *
 * JwtIssuer scoped = JwtIssuer.builder(secret).issuer("https://auth.example.com").audience("tracking").build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class JwtIssuer {
    private static final String HEADER = Hs256.encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
            .getBytes(StandardCharsets.US_ASCII));

    /** Random bytes in a {@code jti}: 128 bits, 22 base64url characters. */
    private static final int JTI_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Hs256 hs256;
    private final InstantSource clock;
    private final String issuer;
    private final String audience;

    private JwtIssuer(Builder b) {
        this.hs256 = b.hs256;
        this.clock = b.clock;
        this.issuer = b.issuer;
        this.audience = b.audience;
    }

    /**
     * Returns a builder signing with {@code secret} (at least 32 bytes); by default on the system
     * clock, without {@code iss} and {@code aud}.
     *
     * @throws IllegalArgumentException if the secret is shorter than 32 bytes, showing its length
     * @since 0.1.0
     */
    public static Builder builder(byte[] secret) {
        return new Builder(secret);
    }

    /**
     * Returns an issuer signing with {@code secret} (at least 32 bytes) on the system clock.
     *
     * @throws IllegalArgumentException if the secret is shorter than 32 bytes
     */
    public static JwtIssuer of(byte[] secret) {
        return builder(secret).build();
    }

    /** Returns an issuer signing with {@code secret} whose {@code iat}/{@code exp} come from {@code clock}. */
    public static JwtIssuer of(byte[] secret, InstantSource clock) {
        return builder(secret).clock(clock).build();
    }

    /**
     * Returns a signed token for {@code role} bound to {@code subject}, valid for {@code ttl}.
     *
     * @throws IllegalArgumentException if {@code ttl} is not positive
     */
    public String issue(Role role, String subject, Duration ttl) {
        Objects.requireNonNull(role, "role must not be null");
        Objects.requireNonNull(subject, "subject must not be null");
        Objects.requireNonNull(ttl, "ttl must not be null");
        if (ttl.isZero() || ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must be positive, but was " + ttl);
        }
        Instant now = clock.instant();
        return issue(role, subject, now, now.plus(ttl));
    }

    /** Returns a signed token with explicit issue and expiry instants (tests of expiry use it); a new {@code jti} each call. */
    public String issue(Role role, String subject, Instant issuedAt, Instant expiresAt) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JsonCodec.mapper().getFactory().createGenerator(out)) {
            g.writeStartObject();
            if (issuer != null) {
                g.writeStringField("iss", issuer);
            }
            if (audience != null) {
                g.writeStringField("aud", audience);
            }
            g.writeStringField("jti", newTokenId());
            g.writeStringField("sub", subject);
            g.writeStringField("role", role.wireName());
            g.writeNumberField("iat", issuedAt.getEpochSecond());
            g.writeNumberField("exp", expiresAt.getEpochSecond());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String input = HEADER + '.' + Hs256.encode(out.toString().getBytes(StandardCharsets.UTF_8));
        return input + '.' + Hs256.encode(hs256.sign(input));
    }

    private static String newTokenId() {
        byte[] bytes = new byte[JTI_BYTES];
        RANDOM.nextBytes(bytes);
        return Hs256.encode(bytes);
    }

    /**
     * Builds a {@link JwtIssuer}; a bad value is refused when set, with a message showing it. Not
     * thread-safe; the issuer it builds is.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private final Hs256 hs256;
        private InstantSource clock = InstantSource.system();
        private String issuer;
        private String audience;

        private Builder(byte[] secret) {
            this.hs256 = new Hs256(secret);
        }

        /** The clock {@code iat} and {@code exp} come from; default the system clock. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** Writes {@code iss} into every token; default none. */
        public Builder issuer(String issuer) {
            this.issuer = requireText(issuer, "issuer");
            return this;
        }

        /** Writes {@code aud} (a string) into every token; default none. */
        public Builder audience(String audience) {
            this.audience = requireText(audience, "audience");
            return this;
        }

        public JwtIssuer build() {
            return new JwtIssuer(this);
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
