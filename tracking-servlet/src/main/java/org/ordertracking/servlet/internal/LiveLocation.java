package org.ordertracking.servlet.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.SignalState;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.servlet.TrackingServletConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot's {@code location}, {@code signal} and {@code eta_seconds} of an order being
 * delivered ({@code picked_up} with a driver): the driver's current fix from the store (as the
 * {@code location} event's data), its freshness band from the last-seen instant, and the ETA from
 * that fix. Everything is null for any other order, or without a store. Thread-safe.
 */
final class LiveLocation implements Snapshots.LiveView {
    private static final Logger LOG = LoggerFactory.getLogger(LiveLocation.class);

    private final TrackingServletConfig config;

    LiveLocation(TrackingServletConfig config) {
        this.config = config;
    }

    @Override
    public void write(JsonGenerator g, TrackedOrder order) throws IOException {
        LocationStore store = config.locationStore();
        if (store == null || order == null || order.driverId() == null || order.status() != OrderStatus.PICKED_UP) {
            NONE.write(g, order);
            return;
        }
        String driverId = order.driverId();
        Optional<LocationFix> fix;
        Instant lastSeen;
        try {
            fix = store.get(driverId);
            lastSeen = store.lastSeen(driverId).orElse(fix.map(LocationFix::recordedAt).orElse(null));
        } catch (RuntimeException e) {
            LOG.warn("could not read the position of driver {} for a snapshot of order {}", driverId, order.orderId(), e);
            NONE.write(g, order);
            return;
        }
        Long eta = fix.map(f -> estimate(f, order)).orElse(null);
        g.writeFieldName("location");
        if (fix.isPresent()) {
            JsonCodec.writeMessage(g, new TrackingMessage.LocationUpdate(order.orderId(), driverId, fix.get(), eta));
        } else {
            g.writeNull();
        }
        Instant now = config.tracker().now();
        SignalState state = config.stalenessClassifier().classify(lastSeen, now);
        Long age = lastSeen == null ? null : Math.max(0, Duration.between(lastSeen, now).getSeconds());
        g.writeFieldName("signal");
        JsonCodec.writeMessage(g, new TrackingMessage.SignalUpdate(order.orderId(), state, lastSeen, age));
        if (eta == null) {
            g.writeNullField("eta_seconds");
        } else {
            g.writeNumberField("eta_seconds", eta);
        }
    }

    private Long estimate(LocationFix fix, TrackedOrder order) {
        try {
            Duration d = config.etaEstimator().estimate(fix.point(), order.destination());
            return d == null ? null : Math.max(0, d.getSeconds());
        } catch (RuntimeException e) {
            LOG.warn("the ETA estimator failed for order {}", order.orderId(), e);
            return null;
        }
    }
}
