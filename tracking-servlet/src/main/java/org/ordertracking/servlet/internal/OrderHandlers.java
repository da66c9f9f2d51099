package org.ordertracking.servlet.internal;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.WireCodec;
import org.ordertracking.servlet.Access;
import org.ordertracking.servlet.Action;
import org.ordertracking.servlet.Caller;
import org.ordertracking.servlet.ProblemType;
import org.ordertracking.servlet.Role;
import org.ordertracking.servlet.TrackingServletConfig;

/**
 * {@code POST /orders}, {@code GET /orders/{id}}, {@code POST /orders/{id}/transitions},
 * {@code POST /orders/{id}/driver} and {@code DELETE /orders/{id}/driver}. Each checks ids, refuses a
 * role that may never do this ({@link Guard#precheck}) before it reads a body, then the body, then that
 * the order exists, then
 * asks the {@link Guard}, then changes something. Thread-safe.
 */
final class OrderHandlers {
    private final TrackingServletConfig config;
    private final Guard guard;
    private final Snapshots snapshots;

    OrderHandlers(TrackingServletConfig config, Guard guard, Snapshots snapshots) {
        this.config = config;
        this.guard = guard;
        this.snapshots = snapshots;
    }

    private OrderTracker tracker() {
        return config.tracker();
    }

    /** The order, or 404 (for any authenticated caller: 404 comes before 403). */
    static TrackedOrder load(OrderTracker tracker, String id) {
        return tracker.find(id).orElseThrow(() -> Problem.of(ProblemType.NOT_FOUND, "unknown order '" + id + "'"));
    }

    void register(RouteTable.Exchange ex) throws IOException {
        HttpServletRequest request = ex.request();
        Caller caller = ex.caller();
        guard.precheck(caller, Action.REGISTER_ORDER);
        String actor = Requests.plainText(caller.actor(), "actor", OrderEvent.MAX_ACTOR_LENGTH);
        JsonNode body = Requests.jsonBody(request, config.maxBodyBytes());
        String orderId = Requests.optionalText(body, "order_id");
        if (orderId != null) {
            Requests.pathId(orderId, "order_id");
        }
        String restaurantId = Requests.id(body, "restaurant_id");
        String customerId = Requests.id(body, "customer_id");
        JsonNode destination = body.get("destination");
        if (destination == null || destination.isNull()) {
            throw Problem.of(ProblemType.INVALID_REQUEST, "destination is required");
        }
        if (!destination.isObject()) {
            throw Problem.of(ProblemType.INVALID_REQUEST, "destination must be an object {\"lat\",\"lon\"}");
        }
        double lat = Requests.number(destination, "lat", "destination.lat");
        double lon = Requests.number(destination, "lon", "destination.lon");
        GeoPoint point;
        try {
            point = new GeoPoint(lat, lon);
        } catch (IllegalArgumentException e) {
            throw Problem.of(ProblemType.INVALID_REQUEST, "destination." + e.getMessage());
        }
        guard.authorize(caller, Access.toRestaurant(Action.REGISTER_ORDER, restaurantId));
        if (orderId == null) {
            orderId = UUID.randomUUID().toString();
        }
        TrackedOrder order = tracker().register(new NewOrder(orderId, restaurantId, customerId, point), actor);
        String token = config.trackingTokens() == null ? null
                : config.trackingTokens().issue(Role.CUSTOMER, order.orderId(), config.trackingTokenTtl());
        String base = request.getContextPath() + (request.getServletPath() == null ? "" : request.getServletPath());
        String streamUrl = base + "/orders/" + order.orderId() + "/stream";
        String json = Snapshots.write(g -> {
            g.writeStartObject();
            g.writeStringField("order_id", order.orderId());
            g.writeStringField("status", order.status().wireName());
            g.writeNumberField("seq", order.seq());
            g.writeStringField("tracking_token", token);
            g.writeStringField("stream_url", streamUrl);
            g.writeEndObject();
        });
        ex.response().setHeader("Location", base + "/orders/" + order.orderId());
        Responses.json(ex.response(), 201, json);
    }

    void snapshot(RouteTable.Exchange ex) throws IOException {
        String id = Requests.pathId(ex.param("id"), "order id");
        TrackedOrder order = load(tracker(), id);
        guard.authorize(ex.caller(), Access.toOrder(Action.READ_ORDER, order));
        List<OrderEvent> events = tracker().history(id);
        TrackedOrder current = tracker().find(id).orElse(order);
        boolean showRisk = config.powerRiskRoles().contains(ex.caller().role());
        Responses.jsonWithEtag(ex.request(), ex.response(), snapshots.orderSnapshotJson(current, events, showRisk));
    }

    void transition(RouteTable.Exchange ex) throws IOException {
        String id = Requests.pathId(ex.param("id"), "order id");
        guard.precheck(ex.caller(), Action.TRANSITION_ORDER);
        String actor = Requests.plainText(ex.caller().actor(), "actor", OrderEvent.MAX_ACTOR_LENGTH);
        JsonNode body = Requests.jsonBody(ex.request(), config.maxBodyBytes());
        String statusName = Requests.text(body, "status");
        OrderStatus target;
        try {
            target = OrderStatus.fromWireName(statusName);
        } catch (IllegalArgumentException e) {
            throw Problem.of(ProblemType.INVALID_REQUEST, "unknown status '" + Requests.abbreviate(statusName)
                    + "'; expected one of received, accepted, preparing, ready, picked_up, delivered, failed");
        }
        String reason = Requests.plainText(Requests.optionalText(body, "reason"), "reason", OrderEvent.MAX_REASON_LENGTH);
        TrackedOrder order = load(tracker(), id);
        guard.authorize(ex.caller(), Access.transition(order, target));
        OrderEvent event = tracker().transition(id, target, reason, actor);
        Responses.json(ex.response(), 200, WireCodec.toJson(event));
    }

    void assignDriver(RouteTable.Exchange ex) throws IOException {
        String id = Requests.pathId(ex.param("id"), "order id");
        guard.precheck(ex.caller(), Action.ASSIGN_DRIVER);
        JsonNode body = Requests.jsonBody(ex.request(), config.maxBodyBytes());
        String driverId = Requests.id(body, "driver_id");
        TrackedOrder order = load(tracker(), id);
        guard.authorize(ex.caller(), new Access(Action.ASSIGN_DRIVER, order, order.restaurantId(), driverId, null));
        TrackedOrder assigned = tracker().assignDriver(id, driverId).order();
        Responses.json(ex.response(), 200, WireCodec.toJson(assigned));
    }

    /**
     * Takes the order back from its driver, who is sent {@code unassigned}; 200 with the order (now
     * without driver). An order without driver is answered the same, and nothing is sent; a finished
     * order is 409 (illegal transition), as for an assignment.
     */
    void unassignDriver(RouteTable.Exchange ex) throws IOException {
        String id = Requests.pathId(ex.param("id"), "order id");
        TrackedOrder order = load(tracker(), id);
        guard.authorize(ex.caller(), Access.toOrder(Action.UNASSIGN_DRIVER, order));
        TrackedOrder unassigned = tracker().unassignDriver(id).order();
        Responses.json(ex.response(), 200, WireCodec.toJson(unassigned));
    }
}
