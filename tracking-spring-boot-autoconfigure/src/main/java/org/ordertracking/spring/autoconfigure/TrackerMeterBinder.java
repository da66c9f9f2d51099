package org.ordertracking.spring.autoconfigure;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.SignalState;
import org.ordertracking.core.StalenessClassifier;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.TrackerListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracker's meters, read from its public API:
 * <ul>
 *   <li>{@code tracking.order.events{status}} — order events (transitions) by status;</li>
 *   <li>{@code tracking.outbox.backlog} and {@code tracking.outbox.relay.lag} — events committed but
 *       not yet published, and the age of the oldest (JDBC repository only);</li>
 *   <li>{@code tracking.deliveries.signal{band}} — deliveries (picked-up orders) per signal band,
 *       classified as the staleness monitor does;</li>
 *   <li>{@code tracking.push.attempts} and {@code tracking.push.failures} — calls of the
 *       application's push notifier and those that threw;</li>
 *   <li>{@code tracking.orders.at_risk} — active orders at risk of a scheduled power cut (only with a
 *       power schedule; the servlet's binder registers the same gauge, and the registry keeps one).</li>
 * </ul>
 * Gauges that query the repository or the store are computed at most once per second. Thread-safe.
 *
 * @since 0.1.0
 */
public class TrackerMeterBinder implements MeterBinder {
    private static final Logger LOG = LoggerFactory.getLogger(TrackerMeterBinder.class);
    private static final long CACHE_MILLIS = 1000;
    private static final int MAX_DELIVERIES = 10_000;

    private final OrderTracker tracker;
    private final OrderRepository repository;
    private final LocationStore store;
    private final StalenessClassifier classifier;
    private final OutboxProbe outbox;
    private final PushOutcomes pushes;
    private long bandsAt = Long.MIN_VALUE;
    private Map<SignalState, Integer> bands = Map.of();

    TrackerMeterBinder(OrderTracker tracker, OrderRepository repository, LocationStore store,
            StalenessClassifier classifier, OutboxProbe outbox, PushOutcomes pushes) {
        this.tracker = tracker;
        this.repository = repository;
        this.store = store;
        this.classifier = classifier;
        this.outbox = outbox;
        this.pushes = pushes;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        // one set of counters and one listener per registry this binder is bound to
        Map<OrderStatus, Counter> events = new EnumMap<>(OrderStatus.class);
        for (OrderStatus status : OrderStatus.values()) {
            events.put(status, Counter.builder("tracking.order.events")
                    .description("Order events committed by this node, by status")
                    .tag("status", status.wireName())
                    .register(registry));
        }
        tracker.addListener(new TrackerListener() {
            @Override
            public void onEvent(TrackedOrder order, OrderEvent event) {
                Counter counter = events.get(event.status());
                if (counter != null) {
                    counter.increment();
                }
            }
        });
        if (outbox != null) {
            Gauge.builder("tracking.outbox.backlog", this, binder -> binder.backlog().events())
                    .description("Order events committed but not yet published on the bus")
                    .register(registry);
            TimeGauge.builder("tracking.outbox.relay.lag", this, TimeUnit.MILLISECONDS,
                            binder -> binder.backlog().oldestAge().toMillis())
                    .description("Age of the oldest unpublished order event (0 when none)")
                    .register(registry);
        }
        for (SignalState band : SignalState.values()) {
            Gauge.builder("tracking.deliveries.signal", this, binder -> binder.bands().getOrDefault(band, 0))
                    .description("Deliveries in progress by the signal band of their driver")
                    .tag("band", band.wireName())
                    .register(registry);
        }
        if (tracker.powerSchedule().isPresent()) {
            Gauge.builder("tracking.orders.at_risk", tracker, OrderTracker::ordersAtRisk)
                    .description("active orders at risk of a scheduled power cut")
                    .register(registry);
        }
        if (pushes != null) {
            FunctionCounter.builder("tracking.push.attempts", pushes, PushOutcomes::attempts)
                    .description("Calls of the push notifier, retries included")
                    .register(registry);
            FunctionCounter.builder("tracking.push.failures", pushes, PushOutcomes::failures)
                    .description("Calls of the push notifier that threw")
                    .register(registry);
        }
    }

    private OutboxProbe.Backlog backlog() {
        try {
            return outbox.read();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("could not read the outbox backlog", e);
            return new OutboxProbe.Backlog(-1, Duration.ZERO);
        }
    }

    private synchronized Map<SignalState, Integer> bands() {
        Instant now = tracker.now();
        long millis = now.toEpochMilli();
        if (millis - bandsAt < CACHE_MILLIS && millis >= bandsAt) {
            return bands;
        }
        try {
            List<TrackedOrder> deliveries = repository.findByStatus(OrderStatus.PICKED_UP, null, MAX_DELIVERIES);
            List<String> drivers = new ArrayList<>(deliveries.size());
            for (TrackedOrder order : deliveries) {
                if (order.driverId() != null) {
                    drivers.add(order.driverId());
                }
            }
            Map<String, Instant> lastSeen = drivers.isEmpty() ? Map.of() : store.lastSeenAll(drivers);
            Map<SignalState, Integer> counted = new EnumMap<>(SignalState.class);
            for (TrackedOrder order : deliveries) {
                if (order.driverId() != null) {
                    counted.merge(classifier.classify(lastSeen.get(order.driverId()), now), 1, Integer::sum);
                }
            }
            bands = counted;
        } catch (RuntimeException e) {
            LOG.debug("could not classify the deliveries' signal", e);
        }
        bandsAt = millis;
        return bands;
    }
}
