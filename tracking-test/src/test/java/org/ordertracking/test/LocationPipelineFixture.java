package org.ordertracking.test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationConfig;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.NotificationDispatcher;
import org.ordertracking.core.NotificationMoment;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.PushNotifier;
import org.ordertracking.core.StalenessMonitor;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.internal.InMemoryEventBus;

/**
 * The whole location pipeline on one node, in memory, on a settable clock: the bus delivers on the
 * publishing thread so a test sees every message as soon as the call returned.
 */
final class LocationPipelineFixture implements AutoCloseable {
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    /** One push the notifier was asked to send. */
    record Push(String orderId, NotificationMoment moment, Duration eta) {
    }

    final SettableClock clock = SettableClock.at(T0);
    final OrderRepository repository = OrderRepository.inMemory();
    final InMemoryEventBus bus = InMemoryEventBus.builder().executor(Runnable::run).build();
    final LocationStore store = LocationStore.inMemory(clock);
    final ScheduledExecutorService pushThread = Executors.newSingleThreadScheduledExecutor();
    final LinkedBlockingQueue<Push> pushes = new LinkedBlockingQueue<>();
    final List<Push> allPushes = new CopyOnWriteArrayList<>();
    final PushNotifier notifier = (order, moment, eta) -> {
        Push push = new Push(order.orderId(), moment, eta);
        allPushes.add(push);
        pushes.add(push);
    };
    final NotificationDispatcher dispatcher = NotificationDispatcher.builder(repository, notifier)
            .clock(clock).scheduler(pushThread).build();
    final OrderTracker tracker;
    final LocationIngestor ingestor;
    final StalenessMonitor monitor;
    private final List<Subscription> subscriptions = new ArrayList<>();

    LocationPipelineFixture() {
        this(LocationConfig.defaults());
    }

    LocationPipelineFixture(LocationConfig config) {
        tracker = OrderTracker.builder().repository(repository).eventBus(bus).clock(clock).build();
        ingestor = LocationIngestor.builder(store, repository, bus).clock(clock).config(config)
                .notifications(dispatcher).build();
        monitor = StalenessMonitor.builder(store, repository, bus).clock(clock).build();
        tracker.addListener(ingestor);
        tracker.addListener(dispatcher);
    }

    /**
     * Registers an order and moves it to picked_up with {@code driverId}, waiting for the accepted
     * push first (it is dropped if it runs only after the order moved past accepted).
     */
    TrackedOrder outForDelivery(String orderId, String driverId, GeoPoint destination) {
        tracker.register(new NewOrder(orderId, "r-1", "c-" + orderId, destination));
        tracker.transition(orderId, OrderStatus.ACCEPTED);
        try {
            Push accepted = nextPush();
            if (accepted.moment() != NotificationMoment.ACCEPTED) {
                throw new AssertionError("expected the accepted push, got " + accepted);
            }
            pushes.add(accepted);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        tracker.transition(orderId, OrderStatus.PREPARING);
        tracker.transition(orderId, OrderStatus.READY);
        tracker.assignDriver(orderId, driverId);
        tracker.transition(orderId, OrderStatus.PICKED_UP);
        return tracker.order(orderId);
    }

    /** Subscribes a recording listener to the order's topic. */
    RecordingListener watch(String orderId) {
        RecordingListener listener = new RecordingListener();
        subscriptions.add(bus.subscribe(Topic.order(orderId), listener));
        return listener;
    }

    /** Takes every message already received, without waiting. */
    static List<TrackingMessage> drain(RecordingListener listener) {
        List<TrackingMessage> result = new ArrayList<>();
        Envelope envelope;
        while ((envelope = listener.poll()) != null) {
            result.add(envelope.message());
        }
        return result;
    }

    /** Waits for the next push, failing after ten seconds. */
    Push nextPush() throws InterruptedException {
        Push push = pushes.poll(10, TimeUnit.SECONDS);
        if (push == null) {
            throw new AssertionError("no push notification within 10 s; sent so far: " + allPushes);
        }
        return push;
    }

    @Override
    public void close() {
        subscriptions.forEach(Subscription::close);
        monitor.close();
        dispatcher.close();
        tracker.close();
        store.close();
        bus.close();
        pushThread.shutdownNow();
    }
}
