package org.ordertracking.servlet;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.servlet.internal.Hs256;

/**
 * Mints HS256 JSON Web Tokens with the claims {@link JwtAuthorizer} reads: {@code sub},
 * {@code role}, {@code iat} and {@code exp}. The servlet uses it for the customer
 * {@code tracking_token} of {@code POST /orders}; hosts and demos use it for any role.
 *
 * <pre>{@code
 * JwtIssuer issuer = JwtIssuer.of(secret);
 * String token = issuer.issue(Role.RESTAURANT, "r-17", Duration.ofHours(12));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class JwtIssuer {
    private static final String HEADER = Hs256.encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
            .getBytes(StandardCharsets.US_ASCII));

    private final Hs256 hs256;
    private final InstantSource clock;

    private JwtIssuer(byte[] secret, InstantSource clock) {
        this.hs256 = new Hs256(secret);
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /**
     * Returns an issuer signing with {@code secret} (at least 32 bytes) on the system clock.
     *
     * @throws IllegalArgumentException if the secret is shorter than 32 bytes
     */
    public static JwtIssuer of(byte[] secret) {
        return new JwtIssuer(secret, InstantSource.system());
    }

    /** Returns an issuer signing with {@code secret} whose {@code iat}/{@code exp} come from {@code clock}. */
    public static JwtIssuer of(byte[] secret, InstantSource clock) {
        return new JwtIssuer(secret, clock);
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

    /** Returns a signed token with explicit issue and expiry instants (tests of expiry use it). */
    public String issue(Role role, String subject, Instant issuedAt, Instant expiresAt) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JsonCodec.mapper().getFactory().createGenerator(out)) {
            g.writeStartObject();
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
}
