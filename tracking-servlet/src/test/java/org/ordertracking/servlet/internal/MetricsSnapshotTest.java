package org.ordertracking.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ordertracking.servlet.TrackingMetrics;

class MetricsSnapshotTest {

    @Test
    void counters_countedInThisPackage_readBackAsSums() {
        Metrics metrics = new Metrics();
        metrics.countSent("status");
        metrics.countSent("status");
        metrics.countSent("keep-alive");
        metrics.countDropped();
        metrics.countSlowDisconnect();
        metrics.countFixes(5, 2);
        metrics.countFixes(1, 0);
        metrics.countRateLimited();
        assertEquals(Map.of("status", 2L, "location", 0L, "signal", 0L, "snapshot", 0L, "keep_alive", 1L, "retry", 0L),
                metrics.eventsSent());
        assertEquals(1, metrics.dropped());
        assertEquals(1, metrics.slowDisconnects());
        assertEquals(6, metrics.fixesApplied());
        assertEquals(2, metrics.fixesRejected());
        assertEquals(1, metrics.rateLimited());
    }

    @Test
    void snapshot_copiesAndFreezesItsMaps() {
        java.util.HashMap<String, Integer> viewers = new java.util.HashMap<>(Map.of("o-2", 1, "o-1", 2));
        TrackingMetrics m = snapshot(viewers, 40L);
        viewers.put("o-3", 1);
        assertEquals("{o-1=2, o-2=1}", m.viewers().toString(), "sorted copy, unaffected by later changes");
        assertThrows(UnsupportedOperationException.class, () -> m.viewers().put("o-4", 1));
        assertThrows(UnsupportedOperationException.class, () -> m.eventsSent().put("status", 1L));
        assertEquals(10, m.eventsSent("status"));
        assertEquals(0, m.eventsSent("no-such-type"));
    }

    @Test
    void render_isTheDocumentedMetricsDocument() {
        assertEquals("{\"at\":\"2026-12-02T01:00:00Z\","
                + "\"connections\":{\"customer_stream\":3,\"driver_socket\":1,\"restaurant_stream\":1},"
                + "\"connections_total\":5,\"oldest_connection_age_seconds\":42,\"viewers\":{\"o-1\":2,\"o-2\":1},"
                + "\"leaks\":0,\"leaks_closed\":1,"
                + "\"events\":{\"status\":10,\"location\":55,\"signal\":2,\"snapshot\":4,\"keep_alive\":9,\"retry\":4,"
                + "\"dropped\":0,\"slow_disconnects\":0},"
                + "\"fixes\":{\"applied\":120,\"rejected\":3,\"rate_limited\":0,\"published\":40},"
                + "\"streams_refused\":{\"per_subject\":7,\"per_address\":1,\"open_rate\":2}}",
                MetricsHandler.render(snapshot(Map.of("o-1", 2, "o-2", 1), 40L)));
    }

    @Test
    void render_withoutIngestorOrConnections_omitsPublishedAndNullsTheAge() {
        TrackingMetrics m = new TrackingMetrics(Instant.parse("2026-12-02T01:00:00Z"), Map.of(), 0, null, Map.of(),
                0, 0, Map.of(), 0, 0, 0, 0, 0, null, Map.of());
        assertEquals("{\"at\":\"2026-12-02T01:00:00Z\",\"connections\":{},\"connections_total\":0,"
                + "\"oldest_connection_age_seconds\":null,\"viewers\":{},\"leaks\":0,\"leaks_closed\":0,"
                + "\"events\":{\"dropped\":0,\"slow_disconnects\":0},"
                + "\"fixes\":{\"applied\":0,\"rejected\":0,\"rate_limited\":0},\"streams_refused\":{}}",
                MetricsHandler.render(m));
    }

    private static TrackingMetrics snapshot(Map<String, Integer> viewers, Long published) {
        Map<String, Long> events = new java.util.LinkedHashMap<>();
        events.put("status", 10L);
        events.put("location", 55L);
        events.put("signal", 2L);
        events.put("snapshot", 4L);
        events.put("keep_alive", 9L);
        events.put("retry", 4L);
        Map<String, Long> refused = new java.util.LinkedHashMap<>();
        refused.put("per_subject", 7L);
        refused.put("per_address", 1L);
        refused.put("open_rate", 2L);
        return new TrackingMetrics(Instant.parse("2026-12-02T01:00:00Z"),
                Map.of("restaurant_stream", 1, "customer_stream", 3, "driver_socket", 1), 5, 42L, viewers, 0, 1,
                events, 0, 0, 120, 3, 0, published, refused);
    }
}
