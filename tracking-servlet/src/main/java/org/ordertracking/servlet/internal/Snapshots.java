package org.ordertracking.servlet.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.PowerRisk;
import org.ordertracking.core.RestaurantPresenceMonitor;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.internal.JsonCodec;

/**
 * Builds the snapshot documents: the stream's {@code snapshot} event, {@code GET /orders/{id}}, the
 * restaurant board's snapshot and order list. The order documents carry {@code restaurant_offline}
 * (whether the order's restaurant is counted offline, from the presence monitor's last check; false for
 * a terminal order or without a monitor). With a {@link RiskView} (a tracker with a power schedule),
 * the documents for callers who may see it carry {@code power_risk}. Thread-safe.
 */
public final class Snapshots {
    private final LiveView live;
    private final RiskView risks;
    private final RestaurantPresenceMonitor presence;

    public Snapshots(LiveView live) {
        this(live, null, null);
    }

    /**
     * @param risks the power risk of an order, or {@code null} when there is no power schedule (no field at all)
     * @param presence the monitor of restaurants that went dark, or {@code null}
     */
    public Snapshots(LiveView live, RiskView risks, RestaurantPresenceMonitor presence) {
        this.live = live;
        this.risks = risks;
        this.presence = presence;
    }

    /** The power risk of an order now (the tracker's {@code powerRisk}). */
    @FunctionalInterface
    public interface RiskView {
        Optional<PowerRisk> riskOf(TrackedOrder order);
    }

    /** Whether the documents can carry {@code power_risk} at all (a power schedule is configured). */
    public boolean hasRisk() {
        return risks != null;
    }

    /** Writes {@code "power_risk": {…}} or {@code null}; nothing without a risk view or when not shown. */
    private void writeRisk(JsonGenerator g, TrackedOrder order, boolean show) throws IOException {
        if (risks == null || !show) {
            return;
        }
        Optional<PowerRisk> risk = risks.riskOf(order);
        g.writeFieldName("power_risk");
        if (risk.isPresent()) {
            JsonCodec.writePowerRisk(g, risk.get());
        } else {
            g.writeNull();
        }
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

    /**
     * {@code {"order", "events", "location", "signal", "eta_seconds", "restaurant_offline"}}, without
     * {@code power_risk}.
     */
    public String orderSnapshotJson(TrackedOrder order, List<OrderEvent> events) {
        return orderSnapshotJson(order, events, false);
    }

    /**
     * {@code {"order", "events", "location", "signal", "eta_seconds", "restaurant_offline"}}, and
     * {@code "power_risk"} when {@code showRisk} and a power schedule is configured.
     */
    public String orderSnapshotJson(TrackedOrder order, List<OrderEvent> events, boolean showRisk) {
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
            writeRisk(g, order, showRisk);
            g.writeEndObject();
        });
    }

    /**
     * {@code {"restaurant_id", "orders":[…]}}; each order carries {@code power_risk} when
     * {@code showRisk} and a power schedule is configured.
     */
    public String restaurantSnapshotJson(String restaurantId, List<TrackedOrder> orders, boolean showRisk) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("restaurant_id", restaurantId);
            g.writeFieldName("orders");
            writeBoardOrders(g, orders, showRisk);
            g.writeEndObject();
        });
    }

    /** A JSON array of a restaurant's orders, each with {@code power_risk} as in {@link #restaurantSnapshotJson}. */
    public String restaurantOrdersJson(List<TrackedOrder> orders, boolean showRisk) {
        return write(g -> writeBoardOrders(g, orders, showRisk));
    }

    private void writeBoardOrders(JsonGenerator g, List<TrackedOrder> orders, boolean showRisk) throws IOException {
        if (risks == null || !showRisk) {
            writeOrders(g, orders);
            return;
        }
        g.writeStartArray();
        for (TrackedOrder order : orders) {
            g.writeStartObject();
            JsonCodec.writeOrderFields(g, order);
            writeRisk(g, order, true);
            g.writeEndObject();
        }
        g.writeEndArray();
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
