package org.ordertracking.core.internal;

import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the value types and builders; messages always show the bad value. */
public final class Checks {
    private Checks() {
    }

    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9_.\\-]{1,128}");

    /**
     * Requires an id of 1 to 128 characters from {@code [A-Za-z0-9_.-]}, so that it is safe in a
     * URL path segment, a Redis key or channel name and a SQL column without escaping.
     */
    public static String requireId(String value, String name) {
        Objects.requireNonNull(value, () -> name + " must not be null");
        if (!ID.matcher(value).matches()) {
            String shown = value.length() > 64 ? value.substring(0, 64) + "…" : value;
            throw new IllegalArgumentException(name + " must be 1 to 128 characters of [A-Za-z0-9_.-], but was '"
                    + shown + "'");
        }
        return value;
    }

    /** Returns whether {@code value} is a valid id (see {@link #requireId}). */
    public static boolean isValidId(String value) {
        return value != null && ID.matcher(value).matches();
    }

    public static Duration requirePositive(Duration value, String name) {
        Objects.requireNonNull(value, () -> name + " must not be null");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, but was " + value);
        }
        return value;
    }

    public static int requirePositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, but was " + value);
        }
        return value;
    }
}
