package org.ordertracking.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a missing or short {@code tracking.jwt.secret} at startup and says what to set. The
 * library never generates a secret: tokens signed with a random one would stop working at the next
 * restart and differ between nodes.
 *
 * <p>Registered in {@code META-INF/spring.factories}; stateless and thread-safe.
 *
 * @since 0.1.0
 */
public class TrackingSecretFailureAnalyzer extends AbstractFailureAnalyzer<TrackingSecretException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, TrackingSecretException cause) {
        String description = (cause.actualBytes() == 0
                ? "The property tracking.jwt.secret is not set."
                : "The property tracking.jwt.secret is " + cause.actualBytes() + " bytes long; at least "
                        + TrackingProperties.MIN_SECRET_BYTES + " are needed.")
                + " The order tracking endpoints sign and check every token (HS256) with it, and none is"
                + " generated: a random secret would invalidate every token at the next restart and differ"
                + " between nodes.";
        String action = "Set tracking.jwt.secret to a random value of at least " + TrackingProperties.MIN_SECRET_BYTES
                + " bytes, the same on every node, from the environment rather than a committed file, e.g.\n"
                + "    export TRACKING_JWT_SECRET=$(openssl rand -base64 48)\n"
                + "or set tracking.servlet.enabled=false if this application serves no tracking endpoints.";
        return new FailureAnalysis(description, action, cause);
    }
}
