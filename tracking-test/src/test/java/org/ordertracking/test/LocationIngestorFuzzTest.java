package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.FixRejection;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.IngestResult;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.TrackingMessage;

/**
 * Random batches of fixes — out of order, duplicated, from the future, too old, GPS jumps, nulls —
 * with the pipeline's invariants checked after every batch: the stored fix is the newest valid one;
 * nothing invalid is stored or published; every fix gets the verdict its kind calls for.
 */
class LocationIngestorFuzzTest {
    private static final String ORDER = "o-fuzz";
    private static final String DRIVER = "d-fuzz";
    private static final double LAT = 33.85;
    private static final double LON = 35.45;
    /** The true track moves 10 m/s east: about 0.0001083 degrees of longitude per second here. */
    private static final double DEG_PER_SECOND = 10 / (111_320 * Math.cos(Math.toRadians(LAT)));

    private enum Kind { VALID, FUTURE, TOO_OLD, JUMP, NULL }

    private static LocationFix onTrack(Instant t, Instant receivedAt) {
        double seconds = Duration.between(LocationPipelineFixture.T0, t).toMillis() / 1000.0;
        return new LocationFix(LAT, LON + seconds * DEG_PER_SECOND, 5.0, null, null, t, receivedAt);
    }

    @Test
    void ingest_randomBatches_keepTheInvariantsAfterEveryStep() {
        for (long seed = 1; seed <= 25; seed++) {
            runSeed(seed);
        }
    }

    private void runSeed(long seed) {
        Random random = new Random(seed);
        try (LocationPipelineFixture pipeline = new LocationPipelineFixture()) {
            pipeline.outForDelivery(ORDER, DRIVER, new GeoPoint(33.9, 35.6));
            RecordingListener customer = pipeline.watch(ORDER);
            LocationPipelineFixture.drain(customer);
            Instant start = pipeline.clock.advance(Duration.ofMinutes(20));
            LocationFix newestValid = onTrack(start, start);
            assertEquals(1, pipeline.ingestor.ingest(DRIVER, newestValid).applied());
            List<LocationFix> sentValid = new ArrayList<>(List.of(newestValid));
            int published = 0;

            for (int step = 0; step < 150; step++) {
                String where = "seed " + seed + " step " + step;
                Instant now = pipeline.clock.advance(Duration.ofMillis(200 + random.nextInt(9_800)));
                int size = 1 + random.nextInt(6);
                List<LocationFix> batch = new ArrayList<>();
                List<Kind> kinds = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    Kind kind = pick(random);
                    LocationFix fix = switch (kind) {
                        case VALID -> random.nextInt(4) == 0
                                ? sentValid.get(random.nextInt(sentValid.size()))          // duplicate
                                : onTrack(now.minusMillis(random.nextInt(600_000)), now);  // up to 10 min late
                        case FUTURE -> onTrack(now.plusSeconds(121 + random.nextInt(3600)), now);
                        case TOO_OLD -> onTrack(now.minus(Duration.ofMinutes(30)).minusSeconds(1 + random.nextInt(3600)),
                                now);
                        case JUMP -> {
                            Instant t = now.minusMillis(random.nextInt(60_000));
                            yield new LocationFix(LAT + 0.5 + random.nextDouble(), LON, 5.0, null, null, t, now);
                        }
                        case NULL -> null;
                    };
                    batch.add(fix);
                    kinds.add(kind);
                }
                IngestResult result = pipeline.ingestor.ingest(DRIVER, batch);

                // verdicts
                Map<Integer, FixRejection> rejected = new HashMap<>();
                int lastIndex = -1;
                for (IngestResult.Rejected r : result.rejected()) {
                    assertTrue(r.index() > lastIndex, where + ": rejections in index order");
                    lastIndex = r.index();
                    rejected.put(r.index(), r.reason());
                }
                int valid = 0;
                Instant upTo = null;
                for (int i = 0; i < size; i++) {
                    FixRejection expected = switch (kinds.get(i)) {
                        case VALID -> null;
                        case FUTURE -> FixRejection.RECORDED_IN_FUTURE;
                        case TOO_OLD -> FixRejection.TOO_OLD;
                        case JUMP -> FixRejection.GPS_JUMP;
                        case NULL -> FixRejection.MALFORMED;
                    };
                    assertEquals(expected, rejected.get(i), where + ": verdict of " + kinds.get(i) + " at " + i);
                    if (expected == null) {
                        valid++;
                        LocationFix fix = batch.get(i);
                        sentValid.add(fix);
                        if (upTo == null || fix.recordedAt().isAfter(upTo)) {
                            upTo = fix.recordedAt();
                        }
                        if (fix.recordedAt().isAfter(newestValid.recordedAt())) {
                            newestValid = fix;
                        }
                    }
                }
                assertEquals(valid, result.applied(), where + ": applied");
                assertEquals(upTo, result.upTo(), where + ": up_to");

                // the store holds the newest valid fix (the position may have expired, last seen not)
                assertEquals(Optional.of(newestValid.recordedAt()), pipeline.store.lastSeen(DRIVER), where);
                Optional<LocationFix> stored = pipeline.store.get(DRIVER);
                if (stored.isPresent()) {
                    assertEquals(newestValid, stored.get(), where + ": stored fix");
                }

                // only the newest valid fix is ever published
                for (TrackingMessage message : LocationPipelineFixture.drain(customer)) {
                    if (message instanceof TrackingMessage.LocationUpdate update) {
                        assertEquals(newestValid, update.fix(), where + ": published fix");
                        published++;
                    }
                }
            }
            assertTrue(published > 10, "seed " + seed + ": the run published positions (" + published + ")");
        }
    }

    private static Kind pick(Random random) {
        int roll = random.nextInt(100);
        if (roll < 60) {
            return Kind.VALID;
        }
        if (roll < 70) {
            return Kind.FUTURE;
        }
        if (roll < 80) {
            return Kind.TOO_OLD;
        }
        if (roll < 95) {
            return Kind.JUMP;
        }
        return Kind.NULL;
    }

    @Test
    void ingest_emptyBatch_appliesNothing() {
        try (LocationPipelineFixture pipeline = new LocationPipelineFixture()) {
            IngestResult result = pipeline.ingestor.ingest(DRIVER, List.of());
            assertEquals(0, result.applied());
            assertEquals(List.of(), result.rejected());
            assertNull(result.upTo());
        }
    }
}
