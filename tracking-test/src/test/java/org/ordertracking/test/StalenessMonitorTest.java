package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.SignalState;
import org.ordertracking.core.StalenessMonitor;
import org.ordertracking.core.TrackingMessage;

class StalenessMonitorTest {
    private static final GeoPoint DESTINATION = new GeoPoint(33.8938, 35.5018);

    private final LocationPipelineFixture pipeline = new LocationPipelineFixture();

    @AfterEach
    void tearDown() {
        pipeline.close();
    }

    private void fix() {
        pipeline.ingestor.ingest("d-1", LocationFix.of(33.88, 35.48, pipeline.clock.instant(), pipeline.clock.instant()));
    }

    private static List<TrackingMessage.SignalUpdate> signals(RecordingListener listener) {
        return LocationPipelineFixture.drain(listener).stream()
                .filter(TrackingMessage.SignalUpdate.class::isInstance)
                .map(TrackingMessage.SignalUpdate.class::cast).toList();
    }

    @Test
    void check_noDeliveries_publishesNothing() {
        assertEquals(0, pipeline.monitor.check());
    }

    @Test
    void check_silentDriver_publishesEachBandChangeOnce() {
        pipeline.outForDelivery("o-1", "d-1", DESTINATION);
        RecordingListener customer = pipeline.watch("o-1");
        fix();
        assertEquals(0, pipeline.monitor.check(), "moving at first sight is not news");
        pipeline.clock.advance(Duration.ofMillis(29_999));
        assertEquals(0, pipeline.monitor.check());
        pipeline.clock.advance(Duration.ofMillis(1));
        assertEquals(1, pipeline.monitor.check());
        assertEquals(0, pipeline.monitor.check(), "same band, no repeat");
        pipeline.clock.advance(Duration.ofSeconds(90));
        assertEquals(1, pipeline.monitor.check());
        List<TrackingMessage.SignalUpdate> signals = signals(customer);
        assertEquals(List.of(SignalState.LOW_COVERAGE, SignalState.CONNECTION_LOST),
                signals.stream().map(TrackingMessage.SignalUpdate::state).toList());
        assertEquals(30, signals.get(0).ageSeconds());
        assertEquals(120, signals.get(1).ageSeconds());
    }

    @Test
    void check_fixAfterASilence_publishesMovingAgain() {
        pipeline.outForDelivery("o-1", "d-1", DESTINATION);
        RecordingListener customer = pipeline.watch("o-1");
        fix();
        pipeline.monitor.check();
        pipeline.clock.advance(Duration.ofSeconds(40));
        pipeline.monitor.check();
        fix();
        assertEquals(1, pipeline.monitor.check());
        assertEquals(List.of(SignalState.LOW_COVERAGE, SignalState.MOVING),
                signals(customer).stream().map(TrackingMessage.SignalUpdate::state).toList());
    }

    @Test
    void check_deliveryWithoutAnyFix_publishesConnectionLost() {
        pipeline.outForDelivery("o-1", "d-1", DESTINATION);
        RecordingListener customer = pipeline.watch("o-1");
        assertEquals(1, pipeline.monitor.check());
        TrackingMessage.SignalUpdate signal = signals(customer).get(0);
        assertEquals(SignalState.CONNECTION_LOST, signal.state());
        assertNull(signal.lastSeenAt());
        assertNull(signal.ageSeconds());
    }

    @Test
    void check_deliveredOrder_isNoLongerWatched() {
        pipeline.outForDelivery("o-1", "d-1", DESTINATION);
        RecordingListener customer = pipeline.watch("o-1");
        fix();
        pipeline.monitor.check();
        pipeline.tracker.transition("o-1", OrderStatus.DELIVERED);
        pipeline.clock.advance(Duration.ofMinutes(5));
        assertEquals(0, pipeline.monitor.check());
        assertEquals(List.of(), signals(customer));
    }

    @Test
    void start_onTheScheduler_publishesWithoutAnyCall() {
        pipeline.outForDelivery("o-1", "d-1", DESTINATION);
        fix();
        RecordingListener customer = pipeline.watch("o-1");
        try (StalenessMonitor running = StalenessMonitor.builder(pipeline.store, pipeline.repository, pipeline.bus)
                .clock(pipeline.clock).interval(Duration.ofMillis(5)).build()) {
            pipeline.clock.advance(Duration.ofSeconds(31));
            running.start();
            running.start();
            TrackingMessage message;
            do {
                message = customer.next().message();
            } while (!(message instanceof TrackingMessage.SignalUpdate));
            assertEquals(SignalState.LOW_COVERAGE, ((TrackingMessage.SignalUpdate) message).state());
            running.close();
            running.close();
        }
    }
}
