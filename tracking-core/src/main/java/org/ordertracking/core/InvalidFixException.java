package org.ordertracking.core;

import java.util.Objects;

/**
 * Thrown when a location fix is refused; {@link #reason()} says why.
 *
 * @since 0.1.0
 */
public final class InvalidFixException extends TrackingException {
    private static final long serialVersionUID = 1L;

    private final FixRejection reason;

    public InvalidFixException(FixRejection reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason must not be null");
    }

    /** Returns why the fix was refused. */
    public FixRejection reason() {
        return reason;
    }
}
