package org.ordertracking.servlet.internal;

import java.io.IOException;
import org.ordertracking.servlet.Access;
import org.ordertracking.servlet.Action;

/**
 * {@code GET /restaurants/{id}/stream} (a {@link RestaurantStream}) and
 * {@code GET /restaurants/{id}/orders} (its active orders, with an ETag); both carry each order's
 * {@code power_risk} when a power schedule is configured and the caller's role may see it. Thread-safe.
 */
final class RestaurantHandlers {
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
            boolean showRisk = hub.config().powerRiskRoles().contains(ex.caller().role());
            held = opener.open(ex.request(), ex.response(), slot,
                    (async, out) -> new RestaurantStream(hub, async, out, id, showRisk), RestaurantStream::start);
        } finally {
            if (!held) {
                slot.release();
            }
        }
    }

    void orders(RouteTable.Exchange ex) throws IOException {
        String id = Requests.pathId(ex.param("id"), "restaurant id");
        guard.authorize(ex.caller(), Access.toRestaurant(Action.LIST_RESTAURANT_ORDERS, id));
        Responses.jsonWithEtag(ex.request(), ex.response(), hub.snapshots().restaurantOrdersJson(
                hub.tracker().activeOrdersOfRestaurant(id), hub.config().powerRiskRoles().contains(ex.caller().role())));
    }
}
