package org.ordertracking.servlet.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.TrackingMessage;

/**
 * A restaurant's stream: subscribes first, then sends one {@code snapshot} of its active orders,
 * then every live {@code status} event of its orders whose seq is newer than what the snapshot or
 * an earlier event showed, and the restaurant's {@code restaurant_offline} / {@code restaurant_online}
 * changes. A bus gap sends a fresh snapshot. With {@code showRisk} (a power schedule and a caller who
 * may see it), the snapshot's orders carry {@code power_risk} and every {@code order_at_risk} of its
 * orders is forwarded. The stream does not end by itself.
 */
public final class RestaurantStream extends SnapshotStream<RestaurantStream.Snapshot> {
    private final String restaurantId;
    private final boolean showRisk;
    // guarded by lock
    private final Map<String, Long> seen = new HashMap<>();

    /** The active orders a snapshot shows, and its JSON. */
    record Snapshot(List<TrackedOrder> orders, String json) {
    }

    public RestaurantStream(StreamHub hub, AsyncContext async, ServletOutputStream out, String restaurantId,
            boolean showRisk) {
        super(hub, async, out);
        this.restaurantId = restaurantId;
        this.showRisk = showRisk;
    }

    @Override
    public ConnectionRegistry.Kind kind() {
        return ConnectionRegistry.Kind.RESTAURANT_STREAM;
    }

    @Override
    public String subjectId() {
        return restaurantId;
    }

    public void start() {
        synchronized (lock) {
            offerLocked(hub.retryFrame());
        }
        subscription(hub.tracker().eventBus().subscribe(Topic.restaurant(restaurantId), this));
        fill();
    }

    @Override
    protected void acceptLocked(Envelope envelope) {
        if (envelope.message() instanceof TrackingMessage.StatusUpdate status) {
            Long last = seen.get(status.orderId());
            long seq = status.event().seq();
            if (last != null && seq <= last) {
                return;
            }
            seen.put(status.orderId(), seq);
            offerLocked(hub.frames().frame(envelope, SharedFrames.Form.RESTAURANT_STATUS, 0));
        } else if (showRisk && envelope.message() instanceof TrackingMessage.OrderAtRisk) {
            // never dropped (a status-kind frame), once per order: the tracker announces each risk once
            offerLocked(Frame.event(Frame.Kind.STATUS, null, TrackingMessage.OrderAtRisk.TYPE, envelope.json()));
        } else if (envelope.message() instanceof TrackingMessage.RestaurantOffline
                || envelope.message() instanceof TrackingMessage.RestaurantOnline) {
            // whoever watches the board (an operator, a second screen) learns that the restaurant went dark
            offerLocked(Frame.event(Frame.Kind.STATUS, null, envelope.type(), envelope.json()));
        }
    }

    @Override
    protected Snapshot readSnapshot() {
        List<TrackedOrder> orders = hub.tracker().activeOrdersOfRestaurant(restaurantId);
        return new Snapshot(orders, hub.snapshots().restaurantSnapshotJson(restaurantId, orders, showRisk));
    }

    @Override
    protected String showLocked(Snapshot snapshot) {
        for (TrackedOrder order : snapshot.orders()) {
            seen.merge(order.orderId(), order.seq(), Math::max);
        }
        return snapshot.json();
    }

    @Override
    protected String describe() {
        return "the orders of restaurant " + restaurantId;
    }
}
