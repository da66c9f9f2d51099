package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;

@Timeout(60)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class MicrometerIT {
    @Parameter
    Container container;


    @Test
    void meters_openStreamAndSentEvents_areCountedAndRemovedOnClose() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (OrderTracker tracker = OrderTracker.builder().build()) {
            Node node = Node.start(container, tracker);
            TrackingMeterBinder binder = new TrackingMeterBinder(node.servlet);
            binder.bindTo(meters);
            try {
                tracker.register(new NewOrder("mm-1", "r-1", "c-1", new GeoPoint(33.9, 35.5)));
                try (SseClient sse = node.stream("/orders/mm-1/stream", Node.token(Role.CUSTOMER, "mm-1"))) {
                    sse.nextOfType("snapshot");
                    assertEquals(1.0, meters.get("tracking.connections.open").tag("kind", "customer_stream").gauge().value());
                    tracker.transition("mm-1", OrderStatus.ACCEPTED);
                    sse.nextOfType("status");
                    assertEquals(2.0, meters.get("tracking.events.sent").tag("type", "status").functionCounter().count());
                    assertEquals(node.servlet.metrics().eventsSent("status"),
                            (long) meters.get("tracking.events.sent").tag("type", "status").functionCounter().count(),
                            "the meters read the same counters as the metrics document");
                }
            } finally {
                node.close();
            }
            binder.close();
            binder.close();
            assertNull(meters.find("tracking.connections.open").gauge(), "close removes the binder's meters");
            assertTrue(meters.getMeters().isEmpty(), meters.getMeters().toString());
        }
    }

    @Test
    void binder_everyMeterOfToday_isRegisteredWithTheCommonTags() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (OrderTracker tracker = OrderTracker.builder().build()) {
            Node node = Node.start(container, tracker);
            try (TrackingMeterBinder binder = new TrackingMeterBinder(node.servlet, Tags.of("node", "n-1"))) {
                binder.bindTo(meters);
                Set<String> names = new TreeSet<>();
                for (Meter meter : meters.getMeters()) {
                    names.add(meter.getId().getName());
                    assertEquals("n-1", meter.getId().getTag("node"), meter.getId().toString());
                }
                assertEquals(Set.of("tracking.connections.open", "tracking.leaks", "tracking.leaks.closed",
                        "tracking.events.sent", "tracking.events.dropped", "tracking.streams.slow.disconnects",
                        "tracking.fixes", "tracking.drivers.rate.limited", "tracking.streams.refused",
                        "tracking.retention.purged", "tracking.drain.active", "tracking.streams.drained"), names,
                        "no tracking.fixes.published without an ingestor");
                assertEquals(6, meters.find("tracking.events.sent").functionCounters().size());
                assertEquals(3, meters.find("tracking.streams.refused").functionCounters().size(),
                        "one per limit: per_subject, per_address, open_rate");
                assertEquals(1, meters.get("tracking.events.sent").tag("type", "keep_alive").tags("node", "n-1")
                        .functionCounters().size());
            } finally {
                node.close();
            }
        }
    }

    @Test
    void binder_retentionPurged_countsTheOrdersTheTrackerPurged() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        org.ordertracking.test.SettableClock clock = org.ordertracking.test.SettableClock.at("2026-11-24T10:00:00Z");
        try (OrderTracker tracker = OrderTracker.builder().clock(clock).build()) {
            Node node = Node.start(container, tracker);
            try (TrackingMeterBinder binder = new TrackingMeterBinder(node.servlet)) {
                binder.bindTo(meters);
                tracker.register(new NewOrder("mm-purged", "r-1", "c-1", new GeoPoint(33.9, 35.5)));
                tracker.transition("mm-purged", OrderStatus.FAILED);
                assertEquals(0.0, meters.get("tracking.retention.purged").functionCounter().count());

                clock.advance(java.time.Duration.ofDays(2));
                assertEquals(1, tracker.purgeExpired());

                assertEquals(1.0, meters.get("tracking.retention.purged").functionCounter().count());
            } finally {
                node.close();
            }
        }
    }

    @Test
    void binder_withIngestor_publishesItsPublishedCount() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (OrderTracker tracker = OrderTracker.builder().build()) {
            LocationStore store = LocationStore.inMemory(tracker.clock());
            LocationIngestor ingestor = LocationIngestor.builder(store, tracker.repository(), tracker.eventBus()).build();
            Node node = Node.start(container, tracker, b -> b.locationIngestor(ingestor).locationStore(store));
            try (TrackingMeterBinder binder = new TrackingMeterBinder(node.servlet)) {
                binder.bindTo(meters);
                assertEquals(0.0, meters.get("tracking.fixes.published").functionCounter().count());
                assertEquals(0L, node.servlet.metrics().fixesPublished());
            } finally {
                node.close();
            }
        }
    }
}
