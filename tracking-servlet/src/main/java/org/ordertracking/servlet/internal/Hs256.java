package org.ordertracking.servlet.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 signing and constant-time checking of compact JWS strings. Thread-safe. */
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

    /** Returns whether {@code signature} (base64url) is the signature of {@code signingInput}, in constant time. */
    public boolean verify(String signingInput, String signature) {
        byte[] given;
        try {
            given = DECODER.decode(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(sign(signingInput), given);
    }

    public static String encode(byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }

    public static byte[] decode(String text) {
        return DECODER.decode(text);
    }
}
