package org.ordertracking.core;

import java.util.Locale;

/**
 * How fresh the driver's newest position is, as a customer's page must show it.
 *
 * @since 0.1.0
 */
public enum SignalState {
    /** A recent fix: show the position as current. */
    MOVING,
    /** No fix for a while: show the last position with "last seen N s ago". */
    LOW_COVERAGE,
    /** No fix for long: say that tracking is temporarily unavailable. */
    CONNECTION_LOST;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** Returns the snake_case name used on the wire, e.g. {@code "low_coverage"}. */
    public String wireName() {
        return wireName;
    }

    /** Parses a wire name. */
    public static SignalState fromWireName(String name) {
        for (SignalState state : values()) {
            if (state.wireName.equals(name)) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown signal state '" + name
                + "'; expected one of moving, low_coverage, connection_lost");
    }
}
