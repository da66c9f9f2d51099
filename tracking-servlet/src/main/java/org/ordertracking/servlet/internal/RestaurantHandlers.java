package org.ordertracking.servlet.internal;

import java.io.IOException;
import org.ordertracking.core.RestaurantPresenceMonitor;
import org.ordertracking.servlet.Access;
import org.ordertracking.servlet.Action;
import org.ordertracking.servlet.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /restaurants/{id}/stream} (a {@link RestaurantStream}) and
 * {@code GET /restaurants/{id}/orders} (its active orders, with an ETag); both carry each order's
 * {@code power_risk} when a power schedule is configured and the caller's role may see it. Either,
 * asked by the restaurant itself, is its heartbeat for the {@code RestaurantPresenceMonitor}. Thread-safe.
 */
final class RestaurantHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(RestaurantHandlers.class);
    private final StreamHub hub;
    private final Guard guard;
    private final StreamOpener opener;

    RestaurantHandlers(StreamHub hub, Guard guard, StreamOpener opener) {
        this.hub = hub;
        this.guard = guard;
        this.opener = opener;
    }

    void stream(RouteTable.Exchange ex) throws IOException {
        String id = Requests.pathId(ex.param("id"), "restaurant id");
        StreamLimits.Slot slot = opener.admit(ex);
        boolean held = false;
        try {
            guard.authorize(ex.caller(), Access.toRestaurant(Action.WATCH_RESTAURANT, id));
            heartbeat(ex, id);
            boolean showRisk = hub.config().powerRiskRoles().contains(ex.caller().role());
            held = opener.open(ex.request(), ex.response(), slot,
                    (async, out) -> new RestaurantStream(hub, async, out, id, showRisk), RestaurantStream::start);
        } finally {
            if (!held) {
                slot.release();
            }
        }
    }

    /**
     * The restaurant's own board opening its stream or polling is its sign of life; an operator
     * looking at it is not. A failed write is logged, never the request's failure.
     */
    private void heartbeat(RouteTable.Exchange ex, String restaurantId) {
        RestaurantPresenceMonitor presence = hub.config().restaurantPresence();
        if (presence == null || ex.caller().role() != Role.RESTAURANT || "HEAD".equals(ex.request().getMethod())) {
            return;
        }
        try {
            presence.seen(restaurantId);
        } catch (RuntimeException e) {
            LOG.warn("could not record that restaurant {} was seen", restaurantId, e);
        }
    }

    void orders(RouteTable.Exchange ex) throws IOException {
        String id = Requests.pathId(ex.param("id"), "restaurant id");
        guard.authorize(ex.caller(), Access.toRestaurant(Action.LIST_RESTAURANT_ORDERS, id));
        heartbeat(ex, id);
        Responses.jsonWithEtag(ex.request(), ex.response(), hub.snapshots().restaurantOrdersJson(
                hub.tracker().activeOrdersOfRestaurant(id), hub.config().powerRiskRoles().contains(ex.caller().role())));
    }
}
