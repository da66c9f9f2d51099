package org.ordertracking.core;

import java.util.Locale;

/**
 * Why a location fix was refused. Each reason has a stable {@linkplain #code() code} that
 * clients can rely on (batch replies, WebSocket {@code error} frames, problem details).
 *
 * @since 0.1.0
 */
public enum FixRejection {
    /** The fix is not a JSON object of the documented shape, or a field has the wrong type. */
    MALFORMED,
    /** Latitude or longitude is missing, not finite, or out of range. */
    INVALID_COORDINATES,
    /** Exactly (0, 0): the classic "no fix" placeholder of GPS stacks. */
    NULL_ISLAND,
    /** Accuracy is negative, not finite, or implausibly large. */
    INVALID_ACCURACY,
    /** Heading is not finite or outside [0, 360). */
    INVALID_HEADING,
    /** Speed is negative, not finite, or implausibly large. */
    INVALID_SPEED,
    /** {@code recorded_at} lies more than the allowed skew in the future. */
    RECORDED_IN_FUTURE,
    /** {@code recorded_at} is older than the configured horizon. */
    TOO_OLD,
    /** The fix implies a speed above the configured maximum from the previous accepted fix. */
    GPS_JUMP;

    private final String code = name().toLowerCase(Locale.ROOT);

    /** Returns the stable snake_case code, e.g. {@code "gps_jump"}. */
    public String code() {
        return code;
    }
}
