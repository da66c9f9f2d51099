package org.ordertracking.jdbc.internal;

import java.util.Objects;
import java.util.regex.Pattern;

/** The id rule of the core model (1 to 128 characters of {@code [A-Za-z0-9_.-]}), checked before any SQL runs. */
public final class Ids {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.\\-]{1,128}");

    private Ids() {
    }

    public static String require(String value, String name) {
        Objects.requireNonNull(value, () -> name + " must not be null");
        if (!ID.matcher(value).matches()) {
            String shown = value.length() > 64 ? value.substring(0, 64) + "…" : value;
            throw new IllegalArgumentException(name + " must be 1 to 128 characters of [A-Za-z0-9_.-], but was '"
                    + shown + "'");
        }
        return value;
    }
}
