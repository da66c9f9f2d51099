package org.ordertracking.core.internal;

import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the value types and builders; messages always show the bad value. */
public final class Checks {
    private Checks() {
    }

    private static final int MAX_ID_LENGTH = org.ordertracking.core.Ids.MAX_LENGTH;

    /**
     * Requires an id of 1 to 128 characters from {@code [A-Za-z0-9_.-]}, so that it is safe in a
     * URL path segment, a Redis key or channel name and a SQL column without escaping. Checked
     * character by character (no regex): it runs on every transition and every fix.
     */
    public static String requireId(String value, String name) {
        if (value == null) {
            // not requireNonNull(value, () -> ...): that lambda captures name, an allocation per call
            throw new NullPointerException(name + " must not be null");
        }
        if (!isValidId(value)) {
            String shown = value.length() > 64 ? value.substring(0, 64) + "…" : value;
            throw new IllegalArgumentException(name + " must be 1 to 128 characters of [A-Za-z0-9_.-], but was '"
                    + shown + "'");
        }
        return value;
    }

    /**
     * Requires free text (a transition's reason, an actor) of at most {@code max} characters without
     * control characters: no C0 control (U+0000 to U+001F, so no NUL, tab or line break), no DEL
     * (U+007F) and no C1 control (U+0080 to U+009F). PostgreSQL cannot store NUL at all, and the others
     * corrupt one-line text in logs, boards and SSE frames. {@code null} passes.
     *
     * @throws IllegalArgumentException naming the field, and the first control character and its index
     */
    public static String requireText(String value, int max, String name) {
        if (value == null) {
            return null;
        }
        if (value.length() > max) {
            throw new IllegalArgumentException(name + " must be at most " + max + " characters, but was "
                    + value.length() + " characters long");
        }
        int at = firstControl(value);
        if (at >= 0) {
            throw new IllegalArgumentException(name + " must not contain control characters, but had "
                    + describeChar(value.charAt(at)) + " at index " + at);
        }
        return value;
    }

    /** Returns the index of the first control character (see {@link #requireText}), or -1. */
    public static int firstControl(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
                return i;
            }
        }
        return -1;
    }

    /** {@code U+0000}-style name of a character. */
    public static String describeChar(char c) {
        return String.format("U+%04X", (int) c);
    }

    /** Returns whether {@code value} is a valid id (see {@link #requireId}). */
    public static boolean isValidId(String value) {
        if (value == null) {
            return false;
        }
        int length = value.length();
        if (length == 0 || length > MAX_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            // one shift and mask per character instead of up to eight comparisons
            long mask = c < 64 ? ID_CHARS_LOW : c < 128 ? ID_CHARS_HIGH : 0L;
            if ((mask & (1L << c)) == 0) {
                return false;
            }
        }
        return true;
    }

    /** Bit {@code c} set for each id character {@code c} below 64: {@code -}, {@code .}, {@code 0-9}. */
    private static final long ID_CHARS_LOW = bits('-', '.') | bits('0', '9');

    /** Bit {@code c - 64} set for each id character from 64 to 127: {@code A-Z}, {@code _}, {@code a-z}. */
    private static final long ID_CHARS_HIGH = bits('A', 'Z') | bits('_', '_') | bits('a', 'z');

    private static long bits(char from, char to) {
        long bits = 0;
        for (char c = from; c <= to; c++) {
            bits |= 1L << c; // shift distance is taken mod 64
        }
        return bits;
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
