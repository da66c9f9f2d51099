package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.FixRejection;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.IngestResult;
import org.ordertracking.core.InvalidFixException;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.TrackingMessage;

class LocationIngestorTest {
    private static final String DRIVER = "d-1";
    private static final GeoPoint DESTINATION = new GeoPoint(33.8938, 35.5018);

    private final LocationPipelineFixture pipeline = new LocationPipelineFixture();

    @AfterEach
    void tearDown() {
        pipeline.close();
    }

    private Instant now() {
        return pipeline.clock.instant();
    }

    /** A fix {@code metersEast} east of (33.88, 35.48), recorded {@code secondsAgo} before now. */
    private LocationFix fix(double metersEast, long secondsAgo) {
        double lon = 35.48 + metersEast / (111_320 * Math.cos(Math.toRadians(33.88)));
        return new LocationFix(33.88, lon, 5.0, null, null, now().minusSeconds(secondsAgo), now());
    }

    private static List<TrackingMessage.LocationUpdate> locations(RecordingListener listener) {
        return LocationPipelineFixture.drain(listener).stream()
                .filter(TrackingMessage.LocationUpdate.class::isInstance)
                .map(TrackingMessage.LocationUpdate.class::cast).toList();
    }

    private static FixRejection constructionReason(Runnable construct) {
        return assertThrows(InvalidFixException.class, construct::run).reason();
    }

    // one test per reason code

    @Test
    void fix_nonFiniteOrOutOfRangeCoordinates_isRejectedAsInvalidCoordinates() {
        assertEquals(FixRejection.INVALID_COORDINATES, constructionReason(() -> LocationFix.of(Double.NaN, 35, now(), now())));
        assertEquals(FixRejection.INVALID_COORDINATES, constructionReason(() -> LocationFix.of(91, 35, now(), now())));
        assertEquals(FixRejection.INVALID_COORDINATES, constructionReason(() -> LocationFix.of(33, 180.5, now(), now())));
        assertEquals("invalid_coordinates", FixRejection.INVALID_COORDINATES.code());
    }

    @Test
    void fix_zeroZero_isRejectedAsNullIsland() {
        assertEquals(FixRejection.NULL_ISLAND, constructionReason(() -> LocationFix.of(0, 0, now(), now())));
        assertEquals("null_island", FixRejection.NULL_ISLAND.code());
    }

    @Test
    void fix_negativeAccuracy_isRejectedAsInvalidAccuracy() {
        assertEquals(FixRejection.INVALID_ACCURACY,
                constructionReason(() -> new LocationFix(33, 35, -1.0, null, null, now(), now())));
        assertEquals("invalid_accuracy", FixRejection.INVALID_ACCURACY.code());
    }

    @Test
    void fix_headingOf360_isRejectedAsInvalidHeading() {
        assertEquals(FixRejection.INVALID_HEADING,
                constructionReason(() -> new LocationFix(33, 35, null, 360.0, null, now(), now())));
        assertEquals("invalid_heading", FixRejection.INVALID_HEADING.code());
    }

    @Test
    void fix_implausibleSpeed_isRejectedAsInvalidSpeed() {
        assertEquals(FixRejection.INVALID_SPEED,
                constructionReason(() -> new LocationFix(33, 35, null, null, 151.0, now(), now())));
        assertEquals("invalid_speed", FixRejection.INVALID_SPEED.code());
    }

    @Test
    void ingest_nullEntry_isRejectedAsMalformed() {
        IngestResult result = pipeline.ingestor.ingest(DRIVER, Arrays.asList(fix(0, 2), null));
        assertEquals(1, result.applied());
        assertEquals(List.of(1), result.rejected().stream().map(IngestResult.Rejected::index).toList());
        assertEquals(FixRejection.MALFORMED, result.rejected().get(0).reason());
        assertEquals("malformed", FixRejection.MALFORMED.code());
    }

    @Test
    void ingest_fixMoreThanTwoMinutesAhead_isRejectedAsRecordedInFuture() {
        LocationFix ahead = new LocationFix(33.88, 35.48, null, null, null, now().plusSeconds(121), now());
        LocationFix withinSkew = new LocationFix(33.88, 35.48, null, null, null, now().plusSeconds(119), now());
        IngestResult result = pipeline.ingestor.ingest(DRIVER, List.of(ahead, withinSkew));
        assertEquals(1, result.applied());
        assertEquals(FixRejection.RECORDED_IN_FUTURE, result.rejected().get(0).reason());
        assertEquals(0, result.rejected().get(0).index());
        assertTrue(result.rejected().get(0).message().contains("PT2M"), result.rejected().get(0).message());
        assertEquals("recorded_in_future", FixRejection.RECORDED_IN_FUTURE.code());
    }

    @Test
    void ingest_fixOlderThanTheHorizon_isRejectedAsTooOld() {
        IngestResult result = pipeline.ingestor.ingest(DRIVER, List.of(fix(0, 30 * 60 + 1), fix(0, 30 * 60 - 1)));
        assertEquals(1, result.applied());
        assertEquals(FixRejection.TOO_OLD, result.rejected().get(0).reason());
        assertEquals("too_old", FixRejection.TOO_OLD.code());
    }

    @Test
    void ingest_fixImplyingMoreThan200KmPerHour_isRejectedAsGpsJump() {
        pipeline.ingestor.ingest(DRIVER, fix(0, 10));
        // 10 s later, 600 m away (+ 10 m of accuracy slack) is 212 km/h; 500 m is 176 km/h
        IngestResult jump = pipeline.ingestor.ingest(DRIVER, fix(600, 0));
        assertEquals(FixRejection.GPS_JUMP, jump.rejected().get(0).reason());
        assertTrue(jump.rejected().get(0).message().contains("km/h"), jump.rejected().get(0).message());
        IngestResult plausible = pipeline.ingestor.ingest(DRIVER, fix(500, 0));
        assertEquals(1, plausible.applied());
        assertEquals("gps_jump", FixRejection.GPS_JUMP.code());
    }

    @Test
    void ingest_gpsJumpDecision_isTheHaversineSpeedForRandomMovesEverywhere() {
        // the filter settles small moves with a cheap upper bound; every decision must still be the
        // haversine one: (distance - both accuracy radii) / max(1 s, time) > 200 km/h
        java.util.SplittableRandom random = new java.util.SplittableRandom(200);
        double maxMps = 200 / 3.6;
        int jumps = 0;
        for (int i = 0; i < 20_000; i++) {
            String driver = "d-jump-" + i;
            double lat0 = random.nextDouble(-89, 89);
            double lon0 = random.nextDouble(-180, 180);
            double scale = Math.pow(10, random.nextDouble(-4, 1)); // 0.0001 to 10 degrees
            double lat = Math.max(-90, Math.min(90, lat0 + random.nextDouble(-scale, scale)));
            double lon = lon0 + random.nextDouble(-scale, scale) * 4;
            lon = lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
            double acc0 = random.nextDouble(0, 50);
            double acc = random.nextDouble(0, 50);
            long millis = random.nextLong(0, 120_000);
            Instant t0 = now().minusSeconds(600);
            LocationFix reference = new LocationFix(lat0, lon0, acc0, null, null, t0, now());
            LocationFix next = new LocationFix(lat, lon, acc, null, null, t0.plusMillis(millis), now());
            assertEquals(1, pipeline.ingestor.ingest(driver, reference).applied());

            IngestResult result = pipeline.ingestor.ingest(driver, next);

            double meters = org.ordertracking.core.Haversine.meters(reference, next) - acc0 - acc;
            boolean jump = meters > 0 && meters * 1000.0 / Math.max(millis, 1000L) > maxMps;
            jumps += jump ? 1 : 0;
            assertEquals(jump ? 0 : 1, result.applied(), () -> reference + " -> " + next);
        }
        assertTrue(jumps > 2_000 && jumps < 18_000, "both outcomes are exercised: " + jumps + " jumps");
    }

    // batches

    @Test
    void ingest_badFixesInABatch_neverRejectTheirNeighbours() {
        pipeline.ingestor.ingest(DRIVER, fix(0, 40));
        List<LocationFix> batch = Arrays.asList(fix(10, 30), fix(50_000, 25), null, fix(20, 20),
                new LocationFix(33.88, 35.48, null, null, null, now().plusSeconds(600), now()), fix(30, 10));
        IngestResult result = pipeline.ingestor.ingest(DRIVER, batch);
        assertEquals(3, result.applied());
        assertEquals(List.of(1, 2, 4), result.rejected().stream().map(IngestResult.Rejected::index).toList());
        assertEquals(List.of(FixRejection.GPS_JUMP, FixRejection.MALFORMED, FixRejection.RECORDED_IN_FUTURE),
                result.rejected().stream().map(IngestResult.Rejected::reason).toList());
        assertEquals(batch.get(5).recordedAt(), result.upTo());
        assertEquals(Optional.of(batch.get(5)), pipeline.store.get(DRIVER));
        assertEquals(new org.ordertracking.core.LocationIngestor.Stats(4, 3, 0), pipeline.ingestor.stats());
    }

    @Test
    void ingest_outOfOrderBatch_isAppliedInRecordedAtOrderAndKeepsTheNewest() {
        LocationFix a = fix(0, 30);
        LocationFix b = fix(100, 20);
        LocationFix c = fix(200, 10);
        IngestResult result = pipeline.ingestor.ingest(DRIVER, List.of(c, a, b));
        assertEquals(3, result.applied());
        assertEquals(c.recordedAt(), result.upTo());
        assertEquals(Optional.of(c), pipeline.store.get(DRIVER));
    }

    @Test
    void ingest_olderFixAfterANewerOne_isHarmlessAndDoesNotOverwrite() {
        LocationFix newer = fix(100, 5);
        pipeline.ingestor.ingest(DRIVER, newer);
        IngestResult late = pipeline.ingestor.ingest(DRIVER, fix(0, 15));
        assertEquals(1, late.applied());
        assertEquals(Optional.of(newer), pipeline.store.get(DRIVER));
        IngestResult duplicate = pipeline.ingestor.ingest(DRIVER, List.of(newer, newer));
        assertEquals(2, duplicate.applied());
        assertEquals(Optional.of(newer), pipeline.store.get(DRIVER));
    }

    @Test
    void ingest_flushedBacklog_publishesOnlyTheNewestPosition() {
        pipeline.outForDelivery("o-1", DRIVER, DESTINATION);
        RecordingListener customer = pipeline.watch("o-1");
        List<LocationFix> backlog = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            backlog.add(fix(i * 50, 600 - i * 10L));
        }
        IngestResult result = pipeline.ingestor.ingest(DRIVER, backlog);
        assertEquals(60, result.applied());
        List<TrackingMessage.LocationUpdate> published = locations(customer);
        assertEquals(1, published.size());
        assertEquals(backlog.get(59), published.get(0).fix());
        assertEquals(Optional.of(backlog.get(59)), pipeline.store.get(DRIVER));
    }

    // publishing

    @Test
    void ingest_movesWithinTheThrottle_arePublishedOnlyPastIt() {
        pipeline.outForDelivery("o-1", DRIVER, DESTINATION);
        RecordingListener customer = pipeline.watch("o-1");
        pipeline.ingestor.ingest(DRIVER, fix(0, 0));
        pipeline.clock.advance(Duration.ofSeconds(5));
        pipeline.ingestor.ingest(DRIVER, fix(15, 0));
        pipeline.clock.advance(Duration.ofSeconds(5));
        pipeline.ingestor.ingest(DRIVER, fix(19.5, 0));
        pipeline.clock.advance(Duration.ofSeconds(5));
        LocationFix far = fix(21, 0);
        pipeline.ingestor.ingest(DRIVER, far);
        List<TrackingMessage.LocationUpdate> published = locations(customer);
        assertEquals(2, published.size());
        assertEquals(far, published.get(1).fix());
        assertEquals("o-1", published.get(1).orderId());
        assertTrue(published.get(1).etaSeconds() > 0);
    }

    @Test
    void ingest_orderNotYetPickedUp_publishesNothing() {
        pipeline.tracker.register(new NewOrder("o-2", "r-1", "c-2", DESTINATION));
        pipeline.tracker.transition("o-2", OrderStatus.ACCEPTED);
        pipeline.tracker.assignDriver("o-2", DRIVER);
        RecordingListener customer = pipeline.watch("o-2");
        pipeline.ingestor.ingest(DRIVER, fix(0, 0));
        assertEquals(List.of(), locations(customer));
        assertTrue(pipeline.store.get(DRIVER).isPresent(), "the position is stored anyway");
    }

    @Test
    void ingest_afterPickUpOnThisNode_publishesAtOnceDespiteTheCache() {
        pipeline.tracker.register(new NewOrder("o-3", "r-1", "c-3", DESTINATION));
        pipeline.tracker.transition("o-3", OrderStatus.ACCEPTED);
        pipeline.tracker.transition("o-3", OrderStatus.PREPARING);
        pipeline.tracker.transition("o-3", OrderStatus.READY);
        pipeline.tracker.assignDriver("o-3", DRIVER);
        RecordingListener customer = pipeline.watch("o-3");
        pipeline.ingestor.ingest(DRIVER, fix(0, 0)); // caches "ready"
        pipeline.tracker.transition("o-3", OrderStatus.PICKED_UP);
        pipeline.ingestor.ingest(DRIVER, fix(5, 0));
        assertEquals(1, locations(customer).size());
        pipeline.tracker.transition("o-3", OrderStatus.DELIVERED);
        pipeline.ingestor.ingest(DRIVER, fix(100, 0));
        assertEquals(List.of(), locations(customer), "nothing after delivery");
    }

    @Test
    void ingest_afterUnassignOnThisNode_theOldDriversFixesNoLongerMoveTheOrder() {
        pipeline.tracker.register(new NewOrder("o-5", "r-1", "c-5", DESTINATION));
        pipeline.tracker.transition("o-5", OrderStatus.ACCEPTED);
        pipeline.tracker.transition("o-5", OrderStatus.PREPARING);
        pipeline.tracker.transition("o-5", OrderStatus.READY);
        pipeline.tracker.assignDriver("o-5", DRIVER);
        pipeline.tracker.transition("o-5", OrderStatus.PICKED_UP);
        RecordingListener customer = pipeline.watch("o-5");
        pipeline.ingestor.ingest(DRIVER, fix(0, 0)); // caches the order for the driver
        assertEquals(1, locations(customer).size());

        pipeline.tracker.unassignDriver("o-5");
        pipeline.ingestor.ingest(DRIVER, fix(100, 0));

        assertEquals(List.of(), locations(customer), "the cache was dropped at once, not after its TTL");
    }

    @Test
    void ingest_changeMadeOnAnotherNode_isSeenAfterTheCacheTtl() {
        pipeline.tracker.register(new NewOrder("o-4", "r-1", "c-4", DESTINATION));
        pipeline.tracker.transition("o-4", OrderStatus.ACCEPTED);
        RecordingListener customer = pipeline.watch("o-4");
        pipeline.ingestor.ingest(DRIVER, fix(0, 0)); // caches "no orders"
        // another node: the repository changes, no listener of this node hears of it
        Instant at = now();
        pipeline.repository.assignDriver("o-4", DRIVER, at);
        for (OrderStatus next : List.of(OrderStatus.PREPARING, OrderStatus.READY, OrderStatus.PICKED_UP)) {
            pipeline.repository.transition(org.ordertracking.core.TransitionRequest.of("o-4", next, null, null, at),
                    pipeline.tracker.stateMachine());
        }
        pipeline.ingestor.ingest(DRIVER, fix(50, 0));
        assertEquals(List.of(), locations(customer), "still cached");
        pipeline.clock.advance(Duration.ofSeconds(6));
        pipeline.ingestor.ingest(DRIVER, fix(100, 0));
        assertEquals(1, locations(customer).size());
    }

    @Test
    void ingest_twoOrdersOfOneDriver_areThrottledSeparately() {
        pipeline.outForDelivery("o-5", DRIVER, DESTINATION);
        pipeline.ingestor.ingest(DRIVER, fix(0, 0));
        pipeline.outForDelivery("o-6", DRIVER, DESTINATION);
        RecordingListener five = pipeline.watch("o-5");
        RecordingListener six = pipeline.watch("o-6");
        pipeline.clock.advance(Duration.ofSeconds(1));
        pipeline.ingestor.ingest(DRIVER, fix(10, 0));
        assertEquals(0, locations(five).size(), "o-5 saw a fix 10 m away");
        assertEquals(1, locations(six).size(), "o-6 had none yet");
    }

    @Test
    void ingest_concurrentCallsForOneDriver_leaveTheNewestFixStoredAndUpToAccurate() throws Exception {
        List<LocationFix> fixes = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            LocationFix base = fix(i * 2.0, 0); // 2 m per half second: 14 km/h, all distinct instants
            fixes.add(new LocationFix(base.lat(), base.lon(), 5.0, null, null,
                    now().minusSeconds(1_000).plusMillis(i * 500L), now()));
        }
        LocationFix newest = fixes.get(fixes.size() - 1);
        List<LocationFix> shuffled = new ArrayList<>(fixes);
        java.util.Collections.shuffle(shuffled, new java.util.Random(7));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Integer>> done = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                List<LocationFix> mine = shuffled.subList(w * 500, (w + 1) * 500);
                done.add(pool.submit(() -> {
                    int applied = 0;
                    for (int i = 0; i < mine.size(); i += 5) {
                        applied += pipeline.ingestor.ingest(DRIVER, mine.subList(i, i + 5)).applied();
                    }
                    return applied;
                }));
            }
            int applied = 0;
            for (java.util.concurrent.Future<Integer> f : done) {
                applied += f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertEquals(2_000, applied, "a smooth track has no jumps, whatever the interleaving");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(Optional.of(newest), pipeline.store.get(DRIVER));
    }

    @Test
    void ingest_driverIdleLongerThanTheHorizon_isForgotten() {
        pipeline.ingestor.ingest(DRIVER, fix(0, 0));
        assertEquals(1, pipeline.ingestor.trackedDrivers());
        pipeline.clock.advance(Duration.ofMinutes(31));
        pipeline.ingestor.ingest("d-2", fix(0, 0));
        assertEquals(1, pipeline.ingestor.trackedDrivers(), "d-1 was dropped, d-2 is kept");
    }

    @Test
    void ingest_invalidDriverId_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> pipeline.ingestor.ingest("bad id", fix(0, 0)));
        assertNull(pipeline.store.get("bad id").orElse(null));
    }
}
