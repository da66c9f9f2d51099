package org.ordertracking.servlet.internal;

import java.io.IOException;
import org.ordertracking.servlet.Access;
import org.ordertracking.servlet.Action;

/** {@code POST /drivers/{id}/locations}: id, the guard, then {@link DriverEndpoints#batch}. Thread-safe. */
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
}
