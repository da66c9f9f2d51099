package org.ordertracking.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.Haversine;

class PushThrottleTest {
    private static final double THRESHOLD = 20;
    private static final double BAND = THRESHOLD * PushThrottle.AGREEMENT_BAND;

    @Test
    void shouldPush_nothingPushedYet_isTrue() {
        assertTrue(new PushThrottle(THRESHOLD).shouldPush(33.9, 35.5));
    }

    @Test
    void shouldPush_samePosition_isFalse() {
        PushThrottle throttle = new PushThrottle(THRESHOLD);
        throttle.pushed(33.9, 35.5);
        assertFalse(throttle.shouldPush(33.9, 35.5));
    }

    @Test
    void shouldPush_randomMovesAtLatitudes0To80BothHemispheres_agreesWithTheHaversineOutsideTheBand() {
        SplittableRandom random = new SplittableRandom(8);
        int near = 0;
        for (int i = 0; i < 2_000_000; i++) {
            double lat0 = random.nextDouble(0, PushThrottle.POLAR_LATITUDE) * (random.nextBoolean() ? 1 : -1);
            double lon0 = random.nextDouble(-180, 180);
            near += checkMove(random, lat0, lon0);
        }
        assertTrue(near > 100_000, "many moves land within a metre of the threshold: " + near);
    }

    @Test
    void shouldPush_movesAtMenaLatitudes_agreesWithTheHaversineOutsideTheBand() {
        SplittableRandom random = new SplittableRandom(12);
        for (int i = 0; i < 1_000_000; i++) {
            checkMove(random, random.nextDouble(12, 42), random.nextDouble(-17, 60));
        }
    }

    @Test
    void shouldPush_movesAcrossTheAntimeridian_agreesWithTheHaversineOutsideTheBand() {
        SplittableRandom random = new SplittableRandom(180);
        for (int i = 0; i < 1_000_000; i++) {
            double lat0 = random.nextDouble(-PushThrottle.POLAR_LATITUDE, PushThrottle.POLAR_LATITUDE);
            double lon0 = random.nextBoolean() ? 180 - random.nextDouble(0, 1e-3) : -180 + random.nextDouble(0, 1e-3);
            checkMove(random, lat0, lon0);
        }
        PushThrottle throttle = new PushThrottle(THRESHOLD);
        throttle.pushed(0, 179.99995);   // ~5.6 m west of the antimeridian
        assertFalse(throttle.shouldPush(0, -179.99995), "11 m across the antimeridian is within 20 m");
        assertTrue(throttle.shouldPush(0, -179.9998), "28 m across it is beyond");
    }

    @Test
    void shouldPush_farJumps_isAlwaysTrue() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 200_000; i++) {
            double lat0 = random.nextDouble(-PushThrottle.POLAR_LATITUDE, PushThrottle.POLAR_LATITUDE);
            double lon0 = random.nextDouble(-180, 180);
            double lat = random.nextDouble(-90, 90);
            double lon = random.nextDouble(-180, 180);
            PushThrottle throttle = new PushThrottle(THRESHOLD);
            throttle.pushed(lat0, lon0);
            double meters = Haversine.meters(lat0, lon0, lat, lon);
            if (Math.abs(meters - THRESHOLD) > BAND) {
                assertEquals(meters > THRESHOLD, throttle.shouldPush(lat, lon),
                        () -> lat0 + "," + lon0 + " -> " + lat + "," + lon + ": " + meters + " m");
            }
        }
    }

    @Test
    void shouldPush_beyondThePolarLatitude_isTheHaversineDecision() {
        SplittableRandom random = new SplittableRandom(90);
        for (int i = 0; i < 200_000; i++) {
            double lat0 = random.nextDouble(PushThrottle.POLAR_LATITUDE + 1e-9, 90) * (random.nextBoolean() ? 1 : -1);
            double lon0 = random.nextDouble(-180, 180);
            double lat = Math.max(-90, Math.min(90, lat0 + random.nextDouble(-4e-4, 4e-4)));
            double lon = wrap(lon0 + random.nextDouble(-180, 180) * random.nextDouble(0, 1) * random.nextDouble(0, 1));
            PushThrottle throttle = new PushThrottle(THRESHOLD);
            throttle.pushed(lat0, lon0);
            assertEquals(Haversine.meters(lat0, lon0, lat, lon) > THRESHOLD, throttle.shouldPush(lat, lon));
        }
    }

    @Test
    void shouldPush_afterAnotherPush_measuresFromTheNewPosition() {
        PushThrottle throttle = new PushThrottle(THRESHOLD);
        throttle.pushed(33.9, 35.5);
        double north30m = 33.9 + 30 / (Haversine.EARTH_RADIUS_METERS * Math.PI / 180);
        assertTrue(throttle.shouldPush(north30m, 35.5));
        throttle.pushed(north30m, 35.5);
        assertFalse(throttle.shouldPush(north30m, 35.5));
        assertTrue(throttle.shouldPush(33.9, 35.5));
    }

    /**
     * Moves from (lat0, lon0) by 0–60 m in a random direction (half of them within a metre of the
     * threshold) and checks the decision; returns 1 if the move was within a metre of it.
     */
    private static int checkMove(SplittableRandom random, double lat0, double lon0) {
        boolean nearThreshold = random.nextBoolean();
        double distance = nearThreshold ? THRESHOLD + random.nextDouble(-1, 1) : random.nextDouble(0, 60);
        double bearing = random.nextDouble(0, 2 * Math.PI);
        double[] to = destination(lat0, lon0, distance, bearing);
        PushThrottle throttle = new PushThrottle(THRESHOLD);
        throttle.pushed(lat0, lon0);
        double meters = Haversine.meters(lat0, lon0, to[0], to[1]);
        if (Math.abs(meters - THRESHOLD) > BAND) {
            boolean push = throttle.shouldPush(to[0], to[1]);
            if (push != meters > THRESHOLD) {
                throw new AssertionError(lat0 + "," + lon0 + " -> " + to[0] + "," + to[1] + ": haversine " + meters
                        + " m but shouldPush " + push);
            }
        }
        return nearThreshold ? 1 : 0;
    }

    /** The point {@code meters} from a start along {@code bearing} (radians) on the sphere. */
    private static double[] destination(double lat, double lon, double meters, double bearing) {
        double delta = meters / Haversine.EARTH_RADIUS_METERS;
        double phi1 = Math.toRadians(lat);
        double phi2 = Math.asin(Math.sin(phi1) * Math.cos(delta) + Math.cos(phi1) * Math.sin(delta) * Math.cos(bearing));
        double lambda = Math.toRadians(lon) + Math.atan2(Math.sin(bearing) * Math.sin(delta) * Math.cos(phi1),
                Math.cos(delta) - Math.sin(phi1) * Math.sin(phi2));
        return new double[] {Math.toDegrees(phi2), wrap(Math.toDegrees(lambda))};
    }

    private static double wrap(double lon) {
        return lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
    }
}
