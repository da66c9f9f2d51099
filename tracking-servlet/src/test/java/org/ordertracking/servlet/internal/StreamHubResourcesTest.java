package org.ordertracking.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.TrackingResources;
import org.ordertracking.servlet.AuthenticationException;
import org.ordertracking.servlet.Authorizer;
import org.ordertracking.servlet.TrackingServletConfig;

class StreamHubResourcesTest {
    private static final Authorizer NOBODY = token -> {
        throw new AuthenticationException("no one in this test");
    };

    @Test
    void hubOnResources_runsOnTheirScheduler_andNeverShutsItDown() throws Exception {
        try (TrackingResources resources = TrackingResources.create();
                OrderTracker tracker = OrderTracker.builder().resources(resources).build()) {
            TrackingServletConfig config = TrackingServletConfig.builder(tracker, NOBODY).resources(resources).build();
            assertSame(resources.scheduler(), config.scheduler());
            StreamHub hub = new StreamHub(config, Snapshots.LiveView.NONE);
            assertSame(resources.scheduler(), hub.executor());

            hub.close();

            assertFalse(resources.scheduler().isShutdown(), "the hub leaves the shared scheduler running");
            assertTrue(resources.scheduler().submit(() -> true).get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void explicitScheduler_winsOverResources() {
        ScheduledExecutorService own = Executors.newSingleThreadScheduledExecutor();
        try (TrackingResources resources = TrackingResources.create();
                OrderTracker tracker = OrderTracker.builder().resources(resources).build()) {
            TrackingServletConfig config = TrackingServletConfig.builder(tracker, NOBODY).resources(resources)
                    .scheduler(own).build();
            assertSame(own, config.scheduler());
        } finally {
            own.shutdownNow();
        }
    }
}
