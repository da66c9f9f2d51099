package org.ordertracking.servlet.internal;

import java.io.IOException;
import org.ordertracking.servlet.Access;
import org.ordertracking.servlet.Action;

/**
 * {@code POST /drivers/{id}/locations} (id, the guard, then {@link DriverEndpoints#batch}) and
 * {@code GET /drivers/{id}/orders} (the driver's current assignments, with an ETag). Thread-safe.
 */
final class DriverHandlers {
    private final DriverEndpoints drivers;
    private final Guard guard;

    DriverHandlers(DriverEndpoints drivers, Guard guard) {
        this.drivers = drivers;
        this.guard = guard;
    }

    void locations(RouteTable.Exchange ex) throws IOException {
        String driverId = Requests.pathId(ex.param("id"), "driver id");
        guard.authorize(ex.caller(), Access.toDriver(Action.REPORT_LOCATIONS, driverId));
        drivers.batch(ex.request(), ex.response(), driverId);
    }

    /**
     * The orders assigned to the driver that are not finished, oldest first, in the shape of
     * {@code GET /restaurants/{id}/orders}: what a driver socket sends as {@code assignment} frames when
     * it opens, for apps that only flush batches.
     */
    void orders(RouteTable.Exchange ex) throws IOException {
        String driverId = Requests.pathId(ex.param("id"), "driver id");
        guard.authorize(ex.caller(), Access.toDriver(Action.LIST_DRIVER_ORDERS, driverId));
        StreamHub hub = drivers.hub();
        Responses.jsonWithEtag(ex.request(), ex.response(),
                hub.snapshots().ordersJson(hub.tracker().activeOrdersOfDriver(driverId)));
    }
}
