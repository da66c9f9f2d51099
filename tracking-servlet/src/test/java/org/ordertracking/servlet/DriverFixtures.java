package org.ordertracking.servlet;

import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.OrderTracker;

/** Wires the in-memory location pipeline of a tracker into a test node's config. */
final class DriverFixtures {
    private DriverFixtures() {
    }

    static TrackingServletConfig.Builder withLocationPipeline(OrderTracker tracker, TrackingServletConfig.Builder builder) {
        LocationStore store = LocationStore.inMemory(tracker.clock());
        LocationIngestor ingestor = LocationIngestor.builder(store, tracker.repository(), tracker.eventBus())
                .clock(tracker.clock()).build();
        tracker.addListener(ingestor);
        return builder.locationIngestor(ingestor).locationStore(store);
    }
}
