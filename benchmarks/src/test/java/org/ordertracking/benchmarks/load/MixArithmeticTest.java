package org.ordertracking.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.Haversine;
import org.ordertracking.core.LocationConfig;

/** The realistic mix's traces, the client's parsing of location events and the harness's metric reading. */
class MixArithmeticTest {
    @Test
    void trace_consecutiveFixes_areStepMetresApartAndBeyondTheDefaultThrottle() {
        for (int d : new int[] {0, 1, 199, 200, 1999}) {
            for (long j = 0; j < 200; j += 37) {
                double meters = Haversine.meters(Trace.lat(d, j, 30), Trace.lon(d), Trace.lat(d, j + 1, 30), Trace.lon(d));
                assertEquals(30, meters, 0.01);
                assertTrue(meters > LocationConfig.DEFAULT_THROTTLE_METERS);
            }
        }
    }

    @Test
    void trace_differentDrivers_startApart() {
        double meters = Haversine.meters(Trace.lat(0, 0, 30), Trace.lon(0), Trace.lat(1, 0, 30), Trace.lon(1));
        assertTrue(meters > 200, "drivers 0 and 1 start " + meters + " m apart");
        assertTrue(Haversine.meters(Trace.lat(0, 0, 30), Trace.lon(0), Trace.lat(200, 0, 30), Trace.lon(200)) > 150);
    }

    @Test
    void expectedPublished_stepAboveThrottle_publishesEveryFix_belowIt_everyFew() {
        assertEquals(10, Trace.expectedPublished(10, 30, 20));
        // 15 m steps: 15 is not > 20, 30 is: every second fix
        assertEquals(5, Trace.expectedPublished(10, 15, 20));
        // 20 m steps: exactly 20 is not > 20, so every second fix too
        assertEquals(5, Trace.expectedPublished(10, 20, 20));
        assertEquals(1, Trace.expectedPublished(10, 0, 20));
        assertEquals(0, Trace.expectedPublished(0, 30, 20));
    }

    @Test
    void instantMicros_readsRecordedAtWithMicroseconds() {
        String data = "{\"order_id\":\"bench-1-0\",\"driver_id\":\"m-1-0\",\"lat\":33.7,\"lon\":35.4,\"accuracy\":8.0,"
                + "\"recorded_at\":\"2026-12-02T05:20:00.123456Z\",\"eta_seconds\":120}";
        long expected = Instant.parse("2026-12-02T05:20:00Z").getEpochSecond() * 1_000_000L + 123_456;
        assertEquals(expected, LoadClient.instantMicros(data, "recorded_at"));
    }

    @Test
    void instantMicros_absentOrNotAnInstant_isMinusOne() {
        assertEquals(-1, LoadClient.instantMicros("{\"lat\":1}", "recorded_at"));
        assertEquals(-1, LoadClient.instantMicros("{\"recorded_at\":\"yesterday\"}", "recorded_at"));
        assertEquals(-1, LoadClient.instantMicros("{\"recorded_at\":\"2026", "recorded_at"));
    }

    @Test
    void ofMicros_roundTripsThroughTheWireText() {
        long micros = Instant.parse("2026-12-02T05:20:00Z").getEpochSecond() * 1_000_000L + 123_456;
        Instant instant = LoadClient.ofMicros(micros);
        assertEquals("2026-12-02T05:20:00.123456Z", instant.toString());
        assertEquals(micros, LoadClient.instantMicros("{\"recorded_at\":\"" + instant + "\"}", "recorded_at"));
    }

    @Test
    void metricCounters_readsTheEventAndFixCountersOfMetrics() {
        String metrics = "{\"at\":\"…\",\"connections\":{\"customer_stream\":3},\"connections_total\":5,"
                + "\"events\":{\"status\":10,\"location\":55,\"signal\":2,\"snapshot\":4,\"keep_alive\":9,\"retry\":4,"
                + "\"dropped\":7,\"slow_disconnects\":1},\"fixes\":{\"applied\":120,\"rejected\":3,\"rate_limited\":0,"
                + "\"published\":40},\"streams_refused\":{\"per_subject\":7}}";
        Map<String, Long> counters = LoadHarness.metricCounters(metrics);
        assertEquals(10, counters.get("events_status"));
        assertEquals(55, counters.get("events_location"));
        assertEquals(7, counters.get("events_dropped"));
        assertEquals(1, counters.get("slow_disconnects"));
        assertEquals(120, counters.get("fixes_applied"));
        assertEquals(3, counters.get("fixes_rejected"));
        assertEquals(40, counters.get("fixes_published"));
    }

    @Test
    void latencyMillis_ofMergedHistograms_isThePercentileOfAllSamples() {
        Histogram fast = new Histogram(60_000_000L, 3);
        Histogram slow = new Histogram(60_000_000L, 3);
        for (int i = 1; i <= 99; i++) {
            fast.recordValue(1_000); // 1 ms
        }
        slow.recordValue(200_000); // 200 ms: the 100th sample
        Histogram merged = LoadHarness.merge(List.of(fast, slow, fast), h -> h);
        assertEquals(199, merged.getTotalCount());
        Map<String, Object> ms = LoadHarness.latencyMillis(merged);
        assertEquals(1.0, ms.get("p50"));
        assertEquals(1.0, ms.get("p99")); // 197 of 199 samples are 1 ms
        assertEquals(200.0, (double) ms.get("max"), 0.2);
        assertEquals(0, LoadHarness.merge(List.of(fast), h -> null).getTotalCount());
    }
}
