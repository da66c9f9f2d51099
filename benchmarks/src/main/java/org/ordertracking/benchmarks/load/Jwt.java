package org.ordertracking.benchmarks.load;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints HS256 tokens with the claims the servlet's default authorizer reads ({@code sub},
 * {@code role}, {@code iat}, {@code exp}), so the harness talks to any server that shares its
 * secret without linking the servlet module. Thread-safe.
 */
final class Jwt {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private final byte[] secret;

    Jwt(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    String issue(String role, String subject, long ttlSeconds) {
        long now = System.currentTimeMillis() / 1000;
        String header = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = B64.encodeToString(("{\"sub\":\"" + subject + "\",\"role\":\"" + role + "\",\"iat\":" + now
                + ",\"exp\":" + (now + ttlSeconds) + "}").getBytes(StandardCharsets.UTF_8));
        String input = header + '.' + claims;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return input + '.' + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
