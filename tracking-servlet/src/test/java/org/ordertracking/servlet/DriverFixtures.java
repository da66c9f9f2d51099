package org.ordertracking.servlet;

/** Wires the location pipeline into a test node's config. */
final class DriverFixtures {
    private DriverFixtures() {
    }

    static TrackingServletConfig.Builder withLocationPipeline(TrackingServletConfig.Builder builder) {
        return builder;
    }
}
