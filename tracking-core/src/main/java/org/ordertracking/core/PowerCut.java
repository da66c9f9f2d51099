package org.ordertracking.core;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import org.ordertracking.core.internal.Checks;

/**
 * One scheduled power cut of an area, resolved to instants: a day's occurrence of a recurring daily
 * window, or a one-off window.
 *
 * @param area the area whose power is cut
 * @param start when the cut starts
 * @param end when the power comes back (after {@code start})
 * @param kind whether it comes from a daily window or a one-off window
 * @since 0.1.0
 */
public record PowerCut(String area, Instant start, Instant end, Kind kind) {

    /** Where a cut comes from. */
    public enum Kind {
        /** An occurrence of a recurring daily window. */
        DAILY,
        /** A one-off window. */
        ONE_OFF;

        private final String wireName = name().toLowerCase(Locale.ROOT);

        /** Returns the snake_case name used in JSON, e.g. {@code "one_off"}. */
        public String wireName() {
            return wireName;
        }

        /**
         * Parses a wire name.
         *
         * @throws IllegalArgumentException naming the value if it is not a kind
         */
        public static Kind fromWireName(String name) {
            for (Kind kind : values()) {
                if (kind.wireName.equals(name)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown power cut kind '" + name + "'; expected daily or one_off");
        }
    }

    public PowerCut {
        Checks.requireId(area, "area");
        Objects.requireNonNull(start, "start must not be null");
        Objects.requireNonNull(end, "end must not be null");
        Objects.requireNonNull(kind, "kind must not be null");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("a power cut must end after it starts, but ran from " + start
                    + " to " + end);
        }
    }
}
