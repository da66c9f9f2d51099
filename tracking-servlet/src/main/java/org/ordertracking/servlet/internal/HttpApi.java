package org.ordertracking.servlet.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.ordertracking.servlet.Caller;
import org.ordertracking.servlet.TrackingServletConfig;

/**
 * Everything behind one {@code TrackingServlet}, wired through constructors in one direction: the
 * live view, the {@link StreamHub} (connections, scheduler, counters), the {@link DriverEndpoints}
 * on that hub, the {@link Guard}, the {@link ErrorTable} and the {@link RouteTable} of handlers.
 *
 * <p>Request path: {@link RouteTable#match} (404/405) → {@link Guard#authenticate} (401; skipped on
 * the public routes, the widget's assets) → the
 * handler (ids, body, the resource, {@link Guard#authorize}, the change, {@link Responses}) → on
 * any exception, {@link ErrorTable#problemFor} → {@link Problem#write}. Thread-safe.
 */
public final class HttpApi implements AutoCloseable {
    private final StreamHub hub;
    private final DriverEndpoints drivers;
    private final Guard guard;
    private final ErrorTable errors;
    private final RouteTable routes;
    private final OperationsFeed operations;

    public HttpApi(TrackingServletConfig config) {
        this.hub = new StreamHub(config, new LiveLocation(config));
        this.drivers = new DriverEndpoints(config, hub);
        this.guard = new Guard(config.authorizer());
        this.errors = ErrorTable.standard(hub::isClosed);
        StreamOpener opener = new StreamOpener(hub);
        OrderHandlers orders = new OrderHandlers(config, guard, hub.snapshots());
        RestaurantHandlers restaurants = new RestaurantHandlers(hub, guard, opener);
        DriverHandlers driverHandlers = new DriverHandlers(drivers, guard);
        WidgetEndpoint widget = new WidgetEndpoint();
        this.operations = new OperationsFeed(hub);
        this.routes = RouteTable.builder()
                .route("POST", "/orders", orders::register)
                .route("GET", "/orders/{id}", orders::snapshot)
                .streamRoute("/orders/{id}/stream", new OrderStreamHandler(hub, guard, opener))
                .route("POST", "/orders/{id}/transitions", orders::transition)
                .route("POST", "/orders/{id}/driver", orders::assignDriver)
                .route("DELETE", "/orders/{id}/driver", orders::unassignDriver)
                .streamRoute("/restaurants/{id}/stream", restaurants::stream)
                .route("GET", "/restaurants/{id}/orders", restaurants::orders)
                .route("POST", "/drivers/{id}/locations", driverHandlers::locations)
                .route("GET", "/drivers/{id}/orders", driverHandlers::orders)
                .route("GET", "/metrics", new MetricsHandler(hub, guard))
                .streamRoute("/operations/stream", new OperationsHandler(operations, guard, opener))
                .publicRoute("GET", "/widget/{version}/{name}", widget::serve)
                .build();
    }

    public StreamHub hub() {
        return hub;
    }

    public DriverEndpoints drivers() {
        return drivers;
    }

    /** Serves one request end to end; never throws a runtime exception to the container. */
    public void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String instance = request.getRequestURI();
        try {
            RouteTable.Match match = routes.match(request.getMethod(), request.getPathInfo());
            Caller caller = match.isPublic() ? null : guard.authenticate(request, match.acceptsQueryToken());
            match.handler().handle(new RouteTable.Exchange(request, response, caller, match));
        } catch (RuntimeException e) {
            Problem problem = errors.problemFor(e, instance);
            problem.write(response, instance);
            if (problem.headers().containsKey("Connection")) {
                // answer now, before the container drains a request body it may still be waiting for
                response.flushBuffer();
            }
        }
    }

    /** Ends every open stream and socket and stops the hub's own threads. Idempotent. */
    @Override
    public void close() {
        operations.close();
        hub.close();
    }
}
