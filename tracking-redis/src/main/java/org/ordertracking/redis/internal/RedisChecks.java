package org.ordertracking.redis.internal;

import java.util.Objects;

/** The Redis-specific argument check; the general ones are core's {@code Checks}. */
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
}
