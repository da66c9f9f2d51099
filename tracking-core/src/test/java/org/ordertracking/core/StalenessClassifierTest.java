package org.ordertracking.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StalenessClassifierTest {
    private final StalenessClassifier classifier = StalenessClassifier.defaults();

    @Test
    void classify_defaultBands_haveNoGapAtTheEdges() {
        assertEquals(SignalState.MOVING, classifier.classify(Duration.ZERO));
        assertEquals(SignalState.MOVING, classifier.classify(Duration.ofMillis(29_999)));
        assertEquals(SignalState.LOW_COVERAGE, classifier.classify(Duration.ofSeconds(30)));
        assertEquals(SignalState.LOW_COVERAGE, classifier.classify(Duration.ofMillis(119_999)));
        assertEquals(SignalState.CONNECTION_LOST, classifier.classify(Duration.ofMinutes(2)));
        assertEquals(SignalState.CONNECTION_LOST, classifier.classify(Duration.ofDays(3)));
    }

    @Test
    void classify_negativeAge_isMoving() {
        assertEquals(SignalState.MOVING, classifier.classify(Duration.ofSeconds(-5)));
    }

    @Test
    void classify_noFixAtAll_isConnectionLost() {
        assertEquals(SignalState.CONNECTION_LOST, classifier.classify(null, Instant.EPOCH));
    }

    @Test
    void classify_instants_usesTheirDifference() {
        Instant now = Instant.parse("2026-11-24T10:00:00Z");
        assertEquals(SignalState.LOW_COVERAGE, classifier.classify(now.minusSeconds(47), now));
    }

    @Test
    void of_customThresholds_areUsed() {
        StalenessClassifier custom = StalenessClassifier.of(Duration.ofSeconds(10), Duration.ofSeconds(60));
        assertEquals(SignalState.LOW_COVERAGE, custom.classify(Duration.ofSeconds(10)));
        assertEquals(SignalState.CONNECTION_LOST, custom.classify(Duration.ofSeconds(60)));
        assertEquals(Duration.ofSeconds(10), custom.lowCoverageAfter());
        assertEquals(Duration.ofSeconds(60), custom.connectionLostAfter());
    }

    @Test
    void of_lostNotAfterLow_isRejectedNamingTheValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StalenessClassifier.of(Duration.ofSeconds(30), Duration.ofSeconds(30)));
        assertEquals("connectionLostAfter must be longer than lowCoverageAfter PT30S, but was PT30S", e.getMessage());
    }

    @Test
    void of_nonPositiveThreshold_isRejectedNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StalenessClassifier.of(Duration.ofSeconds(-1), Duration.ofSeconds(30)));
        assertEquals("lowCoverageAfter must be positive, but was PT-1S", e.getMessage());
    }
}
