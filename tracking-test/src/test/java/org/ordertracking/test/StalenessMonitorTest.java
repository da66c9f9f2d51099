package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.NewOrder;
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
    void check_manyDeliveries_readsLastSeenInOneBulkCallPerTick() {
        pipeline.outForDelivery("o-1", "d-1", DESTINATION);
        for (int i = 2; i <= 3; i++) {
            // the fixture's helper waits for pushes of one order only; these two need none
            pipeline.tracker.register(new NewOrder("o-" + i, "r-1", "c-" + i, DESTINATION));
            for (OrderStatus status : List.of(OrderStatus.ACCEPTED, OrderStatus.PREPARING, OrderStatus.READY)) {
                pipeline.tracker.transition("o-" + i, status);
            }
            pipeline.tracker.assignDriver("o-" + i, "d-" + i);
            pipeline.tracker.transition("o-" + i, OrderStatus.PICKED_UP);
        }
        fix();
        RecordingListener silent = pipeline.watch("o-2");
        CountingStore counting = new CountingStore(pipeline.store);
        try (StalenessMonitor monitor = StalenessMonitor.builder(counting, pipeline.repository, pipeline.bus)
                .clock(pipeline.clock).build()) {
            assertEquals(2, monitor.check(), "d-2 and d-3 never sent a fix: connection lost");
            pipeline.clock.advance(Duration.ofSeconds(30));
            assertEquals(1, monitor.check(), "d-1 is now low coverage");
        }
        assertEquals(2, counting.bulkCalls.get(), "one bulk read per check");
        assertEquals(List.of(Set.of("d-1", "d-2", "d-3"), Set.of("d-1", "d-2", "d-3")), counting.asked);
        assertEquals(0, counting.singleCalls.get(), "no read per delivery");
        assertEquals(List.of(SignalState.CONNECTION_LOST), signals(silent).stream().map(TrackingMessage.SignalUpdate::state).toList());
    }

    /** Counts how the monitor reads last-seen instants. */
    private static final class CountingStore implements LocationStore {
        private final LocationStore delegate;
        final AtomicInteger singleCalls = new AtomicInteger();
        final AtomicInteger bulkCalls = new AtomicInteger();
        final List<Set<String>> asked = new CopyOnWriteArrayList<>();

        CountingStore(LocationStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletionStage<Boolean> putIfNewer(String driverId, LocationFix fix) {
            return delegate.putIfNewer(driverId, fix);
        }

        @Override
        public Optional<LocationFix> get(String driverId) {
            return delegate.get(driverId);
        }

        @Override
        public Map<String, LocationFix> getAll(Collection<String> driverIds) {
            return delegate.getAll(driverIds);
        }

        @Override
        public Optional<Instant> lastSeen(String driverId) {
            singleCalls.incrementAndGet();
            return delegate.lastSeen(driverId);
        }

        @Override
        public Map<String, Instant> lastSeenAll(Collection<String> driverIds) {
            bulkCalls.incrementAndGet();
            asked.add(Set.copyOf(driverIds));
            return delegate.lastSeenAll(driverIds);
        }

        @Override
        public Duration lastSeenRetention() {
            return delegate.lastSeenRetention();
        }

        @Override
        public Duration ttl() {
            return delegate.ttl();
        }

        @Override
        public void close() {
        }
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
            assertDoesNotThrow(running::close);
            assertDoesNotThrow(running::close, "a second close is a no-op");
        }
    }

    /** The fixture's real in-memory bus, whose next N publishes are refused asynchronously (a failed stage). */
    private static final class FailingOnceBus implements org.ordertracking.core.EventBus {
        private final org.ordertracking.core.EventBus delegate;
        final AtomicInteger failNext = new AtomicInteger();

        FailingOnceBus(org.ordertracking.core.EventBus delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletionStage<Void> publish(org.ordertracking.core.Envelope envelope) {
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return java.util.concurrent.CompletableFuture.failedFuture(
                        new IllegalStateException("the broker refused the message"));
            }
            return delegate.publish(envelope);
        }

        @Override
        public org.ordertracking.core.Subscription subscribe(org.ordertracking.core.Topic topic,
                org.ordertracking.core.BusListener listener) {
            return delegate.subscribe(topic, listener);
        }

        @Override
        public void close() {
            // the fixture closes the real bus
        }
    }

    @Test
    void check_afterBandPublishFailedAsynchronously_republishesItAtTheNextTick() {
        FailingOnceBus bus = new FailingOnceBus(pipeline.bus);
        try (StalenessMonitor monitor = StalenessMonitor.builder(pipeline.store, pipeline.repository, bus)
                .clock(pipeline.clock).build()) {
            pipeline.outForDelivery("o-1", "d-1", DESTINATION);
            RecordingListener customer = pipeline.watch("o-1");
            fix();
            monitor.check();
            pipeline.clock.advance(Duration.ofSeconds(40));
            bus.failNext.set(1);
            assertEquals(1, monitor.check(), "the change is handed to the bus, which fails it later");
            assertEquals(List.of(), signals(customer));
            assertEquals(1, monitor.check(), "same band, but its publish failed: sent again");
            assertEquals(List.of(SignalState.LOW_COVERAGE),
                    signals(customer).stream().map(TrackingMessage.SignalUpdate::state).toList());
            assertEquals(0, monitor.check(), "published once it went through; no repeat after that");
        }
    }

    @Test
    void check_afterReturnToMovingFailedToPublish_republishesMoving() {
        FailingOnceBus bus = new FailingOnceBus(pipeline.bus);
        try (StalenessMonitor monitor = StalenessMonitor.builder(pipeline.store, pipeline.repository, bus)
                .clock(pipeline.clock).build()) {
            pipeline.outForDelivery("o-1", "d-1", DESTINATION);
            RecordingListener customer = pipeline.watch("o-1");
            fix();
            monitor.check();
            pipeline.clock.advance(Duration.ofSeconds(40));
            monitor.check();
            fix();
            bus.failNext.set(1);
            monitor.check();
            assertEquals(1, monitor.check(), "moving again must reach the page even though it failed once");
            assertEquals(List.of(SignalState.LOW_COVERAGE, SignalState.MOVING),
                    signals(customer).stream().map(TrackingMessage.SignalUpdate::state).toList());
        }
    }
}
