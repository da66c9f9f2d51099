package org.ordertracking.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.ordertracking.core.internal.Checks;

/**
 * Sorts the age of a driver's newest fix into the three {@link SignalState} bands, with no gap
 * between them: {@code moving} while {@code age < lowCoverageAfter}, {@code low_coverage} while
 * {@code lowCoverageAfter <= age < connectionLostAfter}, {@code connection_lost} from
 * {@code connectionLostAfter} on. A negative age (a fix slightly ahead of the server clock) is
 * {@code moving}; no fix at all is {@code connection_lost}.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class StalenessClassifier {

    /** Default age from which a position is {@code low_coverage}: 30 seconds. */
    public static final Duration DEFAULT_LOW_COVERAGE_AFTER = Duration.ofSeconds(30);

    /** Default age from which a position is {@code connection_lost}: 2 minutes. */
    public static final Duration DEFAULT_CONNECTION_LOST_AFTER = Duration.ofMinutes(2);

    private static final StalenessClassifier DEFAULTS =
            new StalenessClassifier(DEFAULT_LOW_COVERAGE_AFTER, DEFAULT_CONNECTION_LOST_AFTER);

    private final Duration lowCoverageAfter;
    private final Duration connectionLostAfter;

    private StalenessClassifier(Duration lowCoverageAfter, Duration connectionLostAfter) {
        this.lowCoverageAfter = lowCoverageAfter;
        this.connectionLostAfter = connectionLostAfter;
    }

    /** Returns the classifier with the default thresholds (30 s and 2 min). */
    public static StalenessClassifier defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a classifier with the given thresholds.
     *
     * @throws IllegalArgumentException if a threshold is not positive or
     *     {@code connectionLostAfter} is not longer than {@code lowCoverageAfter}, naming the values
     */
    public static StalenessClassifier of(Duration lowCoverageAfter, Duration connectionLostAfter) {
        Checks.requirePositive(lowCoverageAfter, "lowCoverageAfter");
        Checks.requirePositive(connectionLostAfter, "connectionLostAfter");
        if (connectionLostAfter.compareTo(lowCoverageAfter) <= 0) {
            throw new IllegalArgumentException("connectionLostAfter must be longer than lowCoverageAfter "
                    + lowCoverageAfter + ", but was " + connectionLostAfter);
        }
        return new StalenessClassifier(lowCoverageAfter, connectionLostAfter);
    }

    /** Returns the band of a fix of this age. */
    public SignalState classify(Duration age) {
        Objects.requireNonNull(age, "age must not be null");
        if (age.compareTo(lowCoverageAfter) < 0) {
            return SignalState.MOVING;
        }
        return age.compareTo(connectionLostAfter) < 0 ? SignalState.LOW_COVERAGE : SignalState.CONNECTION_LOST;
    }

    /**
     * Returns the band of a fix recorded at {@code lastSeen}, judged at {@code now}.
     *
     * @param lastSeen when the newest fix was recorded, or {@code null} if there is none
     */
    public SignalState classify(Instant lastSeen, Instant now) {
        Objects.requireNonNull(now, "now must not be null");
        return lastSeen == null ? SignalState.CONNECTION_LOST : classify(Duration.between(lastSeen, now));
    }

    public Duration lowCoverageAfter() {
        return lowCoverageAfter;
    }

    public Duration connectionLostAfter() {
        return connectionLostAfter;
    }

    @Override
    public String toString() {
        return "StalenessClassifier[lowCoverageAfter=" + lowCoverageAfter + ", connectionLostAfter="
                + connectionLostAfter + "]";
    }
}
