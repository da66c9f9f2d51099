package org.ordertracking.spring.autoconfigure;

/**
 * Thrown at startup when {@code tracking.jwt.secret} is missing or shorter than
 * {@value TrackingProperties#MIN_SECRET_BYTES} bytes; {@link TrackingSecretFailureAnalyzer} turns it
 * into a message saying what to set. The message never contains the secret.
 *
 * <p>Immutable.
 *
 * @since 0.1.0
 */
public class TrackingSecretException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final int actualBytes;

    /**
     * @param actualBytes the length of the configured secret in UTF-8 bytes, 0 when it is unset
     */
    public TrackingSecretException(int actualBytes) {
        super(actualBytes == 0 ? "tracking.jwt.secret is not set"
                : "tracking.jwt.secret is " + actualBytes + " bytes long, shorter than the "
                        + TrackingProperties.MIN_SECRET_BYTES + " bytes HS256 needs");
        this.actualBytes = actualBytes;
    }

    /** The length of the configured secret in UTF-8 bytes; 0 when it is unset. */
    public int actualBytes() {
        return actualBytes;
    }

    /** Checks a configured secret and returns its bytes. */
    static byte[] requireSecret(TrackingProperties.Jwt jwt) {
        int length = jwt.secretBytes();
        if (length < TrackingProperties.MIN_SECRET_BYTES) {
            throw new TrackingSecretException(length);
        }
        return jwt.getSecret().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
