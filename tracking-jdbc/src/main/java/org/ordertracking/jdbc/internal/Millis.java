package org.ordertracking.jdbc.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Instants as stored: epoch milliseconds. */
public final class Millis {
    private Millis() {
    }

    /** Returns {@code at} truncated to milliseconds, as it will be stored. */
    public static Instant truncate(Instant at, String name) {
        Instant truncated = at.truncatedTo(ChronoUnit.MILLIS);
        try {
            truncated.toEpochMilli();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + " is out of the storable range, but was " + at, e);
        }
        return truncated;
    }

    /**
     * Returns {@code at} as epoch milliseconds.
     *
     * @throws IllegalArgumentException if it does not fit a {@code long}
     */
    public static long of(Instant at, String name) {
        try {
            return at.toEpochMilli();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + " is out of the storable range, but was " + at, e);
        }
    }

    /**
     * Returns the smallest epoch millisecond not before {@code cutoff}, so that
     * {@code stored < result} holds exactly when {@code Instant.ofEpochMilli(stored) < cutoff};
     * saturates at the ends of {@code long} (e.g. for {@code Instant.MAX}).
     */
    public static long exclusiveCutoff(Instant cutoff) {
        if (cutoff.isAfter(Instant.ofEpochMilli(Long.MAX_VALUE))) {
            return Long.MAX_VALUE;
        }
        if (cutoff.isBefore(Instant.ofEpochMilli(Long.MIN_VALUE))) {
            return Long.MIN_VALUE;
        }
        Instant floor = cutoff.truncatedTo(ChronoUnit.MILLIS);
        long millis = floor.toEpochMilli();
        return floor.equals(cutoff) ? millis : millis + 1;
    }

    public static Instant toInstant(long millis) {
        return Instant.ofEpochMilli(millis);
    }
}
