package org.ordertracking.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EtaEstimatorTest {
    private static final GeoPoint DESTINATION = new GeoPoint(33.8938, 35.5018);

    @Test
    void greatCircle_defaults_isDistanceTimesRoadFactorOverUrbanSpeed() {
        GeoPoint from = new GeoPoint(33.8938 - 0.01, 35.5018); // ~1 112 m south
        double meters = Haversine.meters(from, DESTINATION);
        long expected = Math.round(meters * 1.4 / (25 / 3.6));
        assertEquals(Duration.ofSeconds(expected), EtaEstimator.greatCircle().estimate(from, DESTINATION));
    }

    @Test
    void greatCircle_atTheDestination_isZero() {
        assertEquals(Duration.ZERO, EtaEstimator.greatCircle().estimate(DESTINATION, DESTINATION));
    }

    @Test
    void greatCircle_customFactorAndSpeed_areUsed() {
        GeoPoint from = new GeoPoint(33.8938 - 0.01, 35.5018);
        double meters = Haversine.meters(from, DESTINATION);
        assertEquals(Duration.ofSeconds(Math.round(meters * 2 / 10)),
                EtaEstimator.greatCircle(2, 36).estimate(from, DESTINATION));
    }

    @Test
    void greatCircle_roadFactorBelowOne_isRejectedNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EtaEstimator.greatCircle(0.5, 25));
        assertEquals("roadFactor must be a finite number in [1, 5], but was 0.5", e.getMessage());
    }

    @Test
    void greatCircle_nonPositiveOrNonFiniteSpeed_isRejectedNamingTheValue() {
        assertEquals("urbanSpeedKmh must be a finite number in (0, 200], but was 0.0",
                assertThrows(IllegalArgumentException.class, () -> EtaEstimator.greatCircle(1.4, 0)).getMessage());
        assertEquals("urbanSpeedKmh must be a finite number in (0, 200], but was NaN",
                assertThrows(IllegalArgumentException.class, () -> EtaEstimator.greatCircle(1.4, Double.NaN))
                        .getMessage());
    }
}
