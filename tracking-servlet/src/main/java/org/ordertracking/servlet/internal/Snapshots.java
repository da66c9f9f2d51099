package org.ordertracking.servlet.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.RestaurantPresenceMonitor;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.internal.JsonCodec;

/**
 * Builds the snapshot documents: the stream's {@code snapshot} event and {@code GET /orders/{id}}, each
 * with {@code restaurant_offline} (whether the order's restaurant is counted offline, from the presence
 * monitor's last check; false for a terminal order or without a monitor). Thread-safe.
 */
public final class Snapshots {
    private final LiveView live;
    private final RestaurantPresenceMonitor presence;

    public Snapshots(LiveView live) {
        this(live, null);
    }

    /** @param presence the monitor of restaurants that went dark, or {@code null} */
    public Snapshots(LiveView live, RestaurantPresenceMonitor presence) {
        this.live = live;
        this.presence = presence;
    }

    private void writeRestaurantOffline(JsonGenerator g, TrackedOrder order) throws IOException {
        g.writeBooleanField("restaurant_offline", order != null && order.isActive() && presence != null
                && presence.isOffline(order.restaurantId()));
    }

    /** The current location, signal and ETA of an order being delivered. */
    public interface LiveView {
        /** Writes the fields {@code location}, {@code signal} and {@code eta_seconds} (null when unknown or not delivering). */
        void write(JsonGenerator g, TrackedOrder order) throws IOException;

        /** A view with no location pipeline: every field null. */
        LiveView NONE = (g, order) -> {
            g.writeNullField("location");
            g.writeNullField("signal");
            g.writeNullField("eta_seconds");
        };
    }

    /**
     * {@code {"order_id", "location", "signal", "eta_seconds", "restaurant_offline"}}; null and false when
     * {@code order} is null (terminal).
     */
    public String streamSnapshotJson(String orderId, TrackedOrder order) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("order_id", orderId);
            if (order == null) {
                LiveView.NONE.write(g, null);
            } else {
                live.write(g, order);
            }
            writeRestaurantOffline(g, order);
            g.writeEndObject();
        });
    }

    /** {@code {"order", "events", "location", "signal", "eta_seconds", "restaurant_offline"}}. */
    public String orderSnapshotJson(TrackedOrder order, List<OrderEvent> events) {
        return write(g -> {
            g.writeStartObject();
            g.writeFieldName("order");
            JsonCodec.writeOrder(g, order);
            g.writeFieldName("events");
            JsonCodec.writeEvents(g, events);
            if (order.status().isTerminal()) {
                LiveView.NONE.write(g, order);
            } else {
                live.write(g, order);
            }
            writeRestaurantOffline(g, order);
            g.writeEndObject();
        });
    }

    /** {@code {"restaurant_id", "orders":[…]}}. */
    public String restaurantSnapshotJson(String restaurantId, List<TrackedOrder> orders) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("restaurant_id", restaurantId);
            g.writeFieldName("orders");
            writeOrders(g, orders);
            g.writeEndObject();
        });
    }

    /** A JSON array of orders. */
    public String ordersJson(List<TrackedOrder> orders) {
        return write(g -> writeOrders(g, orders));
    }

    private static void writeOrders(JsonGenerator g, List<TrackedOrder> orders) throws IOException {
        g.writeStartArray();
        for (TrackedOrder order : orders) {
            JsonCodec.writeOrder(g, order);
        }
        g.writeEndArray();
    }

    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    public static String write(Body body) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JsonCodec.mapper().getFactory().createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
