package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.Haversine;
import org.ordertracking.core.IngestResult;
import org.ordertracking.core.LocationConfig;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.NotificationMoment;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.SignalState;
import org.ordertracking.core.TrackingMessage;

/**
 * Replays the bundled Beirut trace through ingestor, staleness monitor and notifications, one
 * simulated second at a time, and checks what the customer's stream would carry.
 */
class GpsTraceReplayTest {
    private static final String ORDER = "o-trace";
    private static final String DRIVER = "d-trace";

    private final LocationPipelineFixture pipeline = new LocationPipelineFixture();
    private final GpsTrace trace = GpsTrace.fromResource(GpsTrace.BEIRUT_DELIVERY);

    @AfterEach
    void tearDown() {
        pipeline.close();
    }

    /** Replays the trace; returns the location and signal messages in order. */
    private List<TrackingMessage> replay(RecordingListener customer) {
        Instant start = pipeline.clock.instant();
        List<GpsTrace.Point> points = trace.points();
        List<TrackingMessage> received = new ArrayList<>();
        int next = 0;
        long end = trace.duration().getSeconds() + 5;
        for (long second = 0; second <= end; second++) {
            pipeline.clock.set(start.plusSeconds(second));
            while (next < points.size() && points.get(next).offset().getSeconds() == second) {
                LocationFix fix = points.get(next).toFix(start);
                IngestResult result = pipeline.ingestor.ingest(DRIVER, fix);
                assertEquals(1, result.applied(), () -> "trace line rejected: " + result.rejected());
                assertEquals(fix.recordedAt(), result.upTo());
                next++;
            }
            pipeline.monitor.check();
            for (TrackingMessage message : LocationPipelineFixture.drain(customer)) {
                if (!(message instanceof TrackingMessage.StatusUpdate)) {
                    received.add(message);
                }
            }
        }
        assertEquals(points.size(), next, "every trace point replayed");
        return received;
    }

    @Test
    void replay_beirutTrace_publishesOnlyFixesMoreThanTheThrottleApart() {
        pipeline.outForDelivery(ORDER, DRIVER, GpsTrace.BEIRUT_DESTINATION);
        RecordingListener customer = pipeline.watch(ORDER);
        List<TrackingMessage> received = replay(customer);

        List<TrackingMessage.LocationUpdate> locations = received.stream()
                .filter(TrackingMessage.LocationUpdate.class::isInstance)
                .map(TrackingMessage.LocationUpdate.class::cast).toList();
        // oracle: walk the trace, keep a point when it is more than 20 m from the last one kept
        List<GpsTrace.Point> expected = new ArrayList<>();
        for (GpsTrace.Point point : trace.points()) {
            GpsTrace.Point last = expected.isEmpty() ? null : expected.get(expected.size() - 1);
            if (last == null || Haversine.meters(last.lat(), last.lon(), point.lat(), point.lon())
                    > LocationConfig.DEFAULT_THROTTLE_METERS) {
                expected.add(point);
            }
        }
        assertEquals(expected.size(), locations.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).lat(), locations.get(i).fix().lat());
            assertEquals(expected.get(i).lon(), locations.get(i).fix().lon());
            assertEquals(DRIVER, locations.get(i).driverId());
            assertNotNull(locations.get(i).etaSeconds(), "every location carries an ETA");
        }
        assertTrue(locations.size() < trace.points().size(), "the wait at the restaurant was throttled");
        assertTrue(locations.get(locations.size() - 1).etaSeconds() < 10, "arrived");
    }

    @Test
    void replay_beirutTrace_signalsBothHolesAndTheRecoveries() {
        pipeline.outForDelivery(ORDER, DRIVER, GpsTrace.BEIRUT_DESTINATION);
        RecordingListener customer = pipeline.watch(ORDER);
        List<TrackingMessage.SignalUpdate> signals = replay(customer).stream()
                .filter(TrackingMessage.SignalUpdate.class::isInstance)
                .map(TrackingMessage.SignalUpdate.class::cast).toList();

        List<SignalState> states = signals.stream().map(TrackingMessage.SignalUpdate::state).toList();
        assertEquals(List.of(
                SignalState.LOW_COVERAGE, SignalState.MOVING,                                 // 45 s hole
                SignalState.LOW_COVERAGE, SignalState.CONNECTION_LOST, SignalState.MOVING),   // 3 min hole
                states);
        assertEquals(30, signals.get(0).ageSeconds(), "low coverage announced as soon as the fix is 30 s old");
        assertEquals(120, signals.get(3).ageSeconds(), "connection lost announced at 2 min");
        assertEquals(0, signals.get(1).ageSeconds());
        for (TrackingMessage.SignalUpdate signal : signals) {
            assertEquals(ORDER, signal.orderId());
            assertNotNull(signal.lastSeenAt());
        }
    }

    @Test
    void replay_beirutTrace_sendsExactlyOneArrivingNotificationDespiteEtaJitter() throws Exception {
        pipeline.outForDelivery(ORDER, DRIVER, GpsTrace.BEIRUT_DESTINATION);
        RecordingListener customer = pipeline.watch(ORDER);
        List<Long> etas = replay(customer).stream()
                .filter(TrackingMessage.LocationUpdate.class::isInstance)
                .map(m -> ((TrackingMessage.LocationUpdate) m).etaSeconds()).toList();
        // the trace wobbles across the 5-minute mark: below, above, below again
        int firstBelow = indexOf(etas, 0, true);
        int aboveAgain = indexOf(etas, firstBelow, false);
        assertTrue(firstBelow >= 0 && aboveAgain > firstBelow && indexOf(etas, aboveAgain, true) > aboveAgain,
                "the trace's ETA must cross 5 minutes more than once: " + etas);

        // pushes go out asynchronously; deliver only once "arriving" went out, as a real driver
        // needs more than a moment to cover the last 5 minutes (a push still pending when the order
        // moves past its moment is dropped, which is the rule, not what this test is about)
        List<NotificationMoment> moments = new ArrayList<>();
        LocationPipelineFixture.Push push;
        do {
            push = pipeline.nextPush();
            moments.add(push.moment());
        } while (push.moment() != NotificationMoment.ARRIVING && push.moment() != NotificationMoment.DELIVERED);
        pipeline.tracker.transition(ORDER, OrderStatus.DELIVERED);
        while (push.moment() != NotificationMoment.DELIVERED) {
            push = pipeline.nextPush();
            moments.add(push.moment());
        }
        assertEquals(List.of(NotificationMoment.ACCEPTED, NotificationMoment.PICKED_UP, NotificationMoment.ARRIVING,
                NotificationMoment.DELIVERED), moments);
        Duration eta = pipeline.allPushes.stream().filter(p -> p.moment() == NotificationMoment.ARRIVING)
                .findFirst().orElseThrow().eta();
        assertTrue(eta.compareTo(Duration.ofMinutes(5)) <= 0, "arriving ETA " + eta);
    }

    private static int indexOf(List<Long> etas, int from, boolean below) {
        for (int i = Math.max(from, 0); i < etas.size(); i++) {
            if ((etas.get(i) <= 300) == below) {
                return i;
            }
        }
        return -1;
    }
}
