package org.ordertracking.servlet.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 signing and constant-time checking of compact JWS strings, and the one strict
 * base64url decoder of token segments. Thread-safe.
 */
public final class Hs256 {
    /** Shortest accepted secret, in bytes (RFC 7518 §3.2: at least the hash size). */
    public static final int MIN_SECRET_BYTES = 32;

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;
    /** A keyed Mac per thread: Mac.getInstance + init cost more than the HMAC of a token. */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    public Hs256(byte[] secret) {
        if (secret == null || secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the HS256 secret must be at least " + MIN_SECRET_BYTES
                    + " bytes, but was " + (secret == null ? "null" : secret.length + " bytes"));
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        newMac(); // fail now, not on the first request, if HmacSHA256 is missing
    }

    public byte[] sign(String signingInput) {
        // doFinal resets the Mac to its initial keyed state, so each thread keeps one
        return macs.get().doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * Returns whether {@code signature} is the canonical base64url spelling (see {@link #decode}) of the
     * signature of {@code signingInput}; the bytes are compared in constant time.
     */
    public boolean verify(String signingInput, String signature) {
        byte[] given;
        try {
            given = decode(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(sign(signingInput), given);
    }

    /** Base64url without padding: the one spelling {@link #decode} accepts. */
    public static String encode(byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }

    /**
     * Decodes the canonical base64url spelling of some bytes, the one {@link #encode} writes, and
     * nothing else: only the URL alphabet {@code A-Z a-z 0-9 - _}, no {@code =} padding, no whitespace,
     * no length that leaves a single character over, and the unused low bits of the last character
     * zero. The lenient decoder of the JDK accepts several spellings of the same bytes (padded, or with
     * those low bits set); a token segment must have exactly one, so that a deny-list or a per-token
     * limit keyed by the token string cannot be sidestepped by respelling it.
     *
     * @throws IllegalArgumentException naming the first rule the text breaks
     */
    public static byte[] decode(String text) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            if (value(text.charAt(i)) < 0) {
                throw new IllegalArgumentException(text.charAt(i) == '='
                        ? "base64url padding '=' is not allowed" : "not a base64url character at index " + i);
            }
        }
        int tail = n % 4;
        if (tail == 1) {
            throw new IllegalArgumentException("a base64url text cannot be " + n + " characters long");
        }
        if (tail != 0) {
            // 2 characters carry 12 bits for 8 (4 unused), 3 carry 18 for 16 (2 unused)
            int unused = tail == 2 ? 0x0F : 0x03;
            if ((value(text.charAt(n - 1)) & unused) != 0) {
                throw new IllegalArgumentException("the unused low bits of the last base64url character are not zero");
            }
        }
        return DECODER.decode(text);
    }

    /** The 6-bit value of a base64url character, or -1. */
    private static int value(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        if (c == '-') {
            return 62;
        }
        return c == '_' ? 63 : -1;
    }
}
