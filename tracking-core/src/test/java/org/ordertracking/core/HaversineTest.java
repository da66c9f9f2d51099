package org.ordertracking.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HaversineTest {

    @Test
    void meters_samePoint_isZero() {
        assertEquals(0, Haversine.meters(33.8938, 35.5018, 33.8938, 35.5018));
    }

    @Test
    void meters_oneDegreeOfLatitude_isAbout111Km() {
        assertEquals(111_195, Haversine.meters(0, 35, 1, 35), 1);
    }

    @Test
    void meters_beirutToParis_matchesThePublishedGreatCircleDistance() {
        // Beirut (33.8938, 35.5018) to Paris (48.8566, 2.3522): about 3 187 km
        assertEquals(3_187_000, Haversine.meters(33.8938, 35.5018, 48.8566, 2.3522), 5_000);
    }

    @Test
    void meters_isSymmetric() {
        double there = Haversine.meters(33.88, 35.48, 33.90, 35.52);
        double back = Haversine.meters(33.90, 35.52, 33.88, 35.48);
        assertEquals(there, back, 1e-9);
    }

    @Test
    void meters_acrossTheAntimeridian_takesTheShortWay() {
        assertEquals(Haversine.meters(0, 179.5, 0, 180), Haversine.meters(0, 180, 0, -179.5), 1e-6);
        assertEquals(111_195, Haversine.meters(0, 179.5, 0, -179.5), 1);
    }

    @Test
    void meters_antipodes_isHalfTheCircumference() {
        assertEquals(Math.PI * Haversine.EARTH_RADIUS_METERS, Haversine.meters(0, 0.5, 0, -179.5), 1);
    }

    @Test
    void meters_twentyMetresEast_isTwentyMetres() {
        double lon = 20 / (Haversine.EARTH_RADIUS_METERS * Math.cos(Math.toRadians(33.89)) * Math.PI / 180);
        assertEquals(20, Haversine.meters(new GeoPoint(33.89, 35.5), new GeoPoint(33.89, 35.5 + lon)), 0.01);
    }
}
