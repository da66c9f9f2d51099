package org.ordertracking.redis.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/** Argument checks of the Redis configs; messages always show the bad value. */
public final class RedisChecks {
    private RedisChecks() {
    }

    /**
     * Requires a key prefix of at most 64 printable ASCII characters without spaces or braces
     * (braces would turn it into a Cluster hash tag and pile every key into one slot); may be empty.
     */
    public static String requirePrefix(String prefix, String name) {
        Objects.requireNonNull(prefix, () -> name + " must not be null");
        if (prefix.length() > 64 || !prefix.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '{' && c != '}')) {
            throw new IllegalArgumentException(name
                    + " must be at most 64 printable ASCII characters without spaces or braces, but was '" + prefix + "'");
        }
        return prefix;
    }

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.\\-]{1,128}");

    /** Requires an id as tracking-core defines them: 1 to 128 characters of {@code [A-Za-z0-9_.-]}. */
    public static String requireId(String value, String name) {
        Objects.requireNonNull(value, () -> name + " must not be null");
        if (!ID.matcher(value).matches()) {
            String shown = value.length() > 64 ? value.substring(0, 64) + "…" : value;
            throw new IllegalArgumentException(name + " must be 1 to 128 characters of [A-Za-z0-9_.-], but was '"
                    + shown + "'");
        }
        return value;
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
