package org.ordertracking.core;

/**
 * Base type of the exceptions this library throws for a request it refuses. Each subtype maps
 * to one stable problem type on the HTTP surface.
 *
 * @since 0.1.0
 */
public abstract class TrackingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected TrackingException(String message) {
        super(message);
    }

    protected TrackingException(String message, Throwable cause) {
        super(message, cause);
    }
}
