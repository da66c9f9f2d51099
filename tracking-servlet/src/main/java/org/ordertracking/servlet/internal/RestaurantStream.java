package org.ordertracking.servlet.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.TrackingMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A restaurant's stream: subscribes first, then sends one {@code snapshot} of its active orders,
 * then every live {@code status} event of its orders whose seq is newer than what the snapshot or
 * an earlier event showed, and the restaurant's {@code restaurant_offline} / {@code restaurant_online}
 * changes. A bus gap sends a fresh snapshot. With {@code showRisk} (a power schedule and a caller who
 * may see it), the snapshot's orders carry {@code power_risk} and every {@code order_at_risk} of its
 * orders is forwarded. The stream does not end by itself.
 */
public final class RestaurantStream extends SseStream {
    private static final Logger LOG = LoggerFactory.getLogger(RestaurantStream.class);

    private final String restaurantId;
    private final boolean showRisk;
    // guarded by lock
    private final Map<String, Long> seen = new HashMap<>();
    private boolean filling = true;
    private boolean resnapshot;
    private static final int PENDING_LIMIT = 4096;
    private List<Envelope> pending = new ArrayList<>();

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
    public void onMessage(Envelope envelope) {
        synchronized (lock) {
            if (filling) {
                if (pending.size() >= PENDING_LIMIT) {
                    // too much arrived during the snapshot read: take a fresh snapshot afterwards
                    pending.clear();
                    resnapshot = true;
                }
                pending.add(envelope);
                return;
            }
            acceptLocked(envelope);
        }
        drain();
    }

    @Override
    public void onGap(Topic topic) {
        synchronized (lock) {
            if (filling || isClosed()) {
                return;
            }
            filling = true;
        }
        try {
            hub.fill(this::fill, 0);
        } catch (RuntimeException e) {
            close();
        }
    }

    private void acceptLocked(Envelope envelope) {
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

    void fill() {
        List<TrackedOrder> orders;
        String snapshot;
        try {
            orders = hub.tracker().activeOrdersOfRestaurant(restaurantId);
            snapshot = hub.snapshots().restaurantSnapshotJson(restaurantId, orders, showRisk);
        } catch (RuntimeException e) {
            LOG.warn("could not read the orders of restaurant {} for its stream; closing it", restaurantId, e);
            close();
            return;
        }
        synchronized (lock) {
            for (TrackedOrder order : orders) {
                seen.merge(order.orderId(), order.seq(), Math::max);
            }
            offerLocked(Frame.event(Frame.Kind.CONTROL, null, "snapshot", snapshot));
            if (resnapshot) {
                resnapshot = false;
                pending.clear();
            } else {
                filling = false;
                List<Envelope> waiting = pending;
                pending = new ArrayList<>();
                for (Envelope envelope : waiting) {
                    acceptLocked(envelope);
                }
            }
        }
        drain();
        boolean again;
        synchronized (lock) {
            again = filling && !isClosed();
        }
        if (again) {
            try {
                hub.fill(this::fill, 0);
            } catch (RuntimeException e) {
                close();
            }
        }
    }
}
