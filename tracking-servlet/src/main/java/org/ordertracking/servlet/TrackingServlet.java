package org.ordertracking.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.DuplicateOrderException;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.IllegalTransitionException;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.UnknownOrderException;
import org.ordertracking.core.WireCodec;
import org.ordertracking.servlet.internal.DriverEndpoints;
import org.ordertracking.servlet.internal.OrderStream;
import org.ordertracking.servlet.internal.Problem;
import org.ordertracking.servlet.internal.Requests;
import org.ordertracking.servlet.internal.RestaurantStream;
import org.ordertracking.servlet.internal.SseStream;
import org.ordertracking.servlet.internal.Snapshots;
import org.ordertracking.servlet.internal.StreamHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP surface of the design, as one servlet the host mounts under a base path such as
 * {@code /tracking/*}:
 *
 * <table>
 *   <caption>Endpoints (relative to the mount path)</caption>
 *   <tr><td>{@code GET /orders/{id}/stream}</td><td>SSE stream of one order</td></tr>
 *   <tr><td>{@code GET /orders/{id}}</td><td>JSON snapshot (polling fallback)</td></tr>
 *   <tr><td>{@code POST /orders}</td><td>register an order; 201 with its tracking token</td></tr>
 *   <tr><td>{@code POST /orders/{id}/transitions}</td><td>move an order; 200 with the event</td></tr>
 *   <tr><td>{@code POST /orders/{id}/driver}</td><td>assign a driver</td></tr>
 *   <tr><td>{@code GET /restaurants/{id}/stream}</td><td>SSE of every order event of a restaurant</td></tr>
 *   <tr><td>{@code GET /restaurants/{id}/orders}</td><td>active orders, with ETag / 304</td></tr>
 *   <tr><td>{@code POST /drivers/{id}/locations}</td><td>a batch of fixes</td></tr>
 *   <tr><td>{@code GET /metrics}</td><td>connections, leaks, counters</td></tr>
 * </table>
 *
 * <p>The driver WebSocket is a separate jakarta.websocket endpoint; see {@link DriverSocket}. The
 * servlet must be registered with {@code asyncSupported = true}. Streams use Servlet async I/O with
 * non-blocking writes: no thread is held per open stream.
 *
 * <pre>{@code
 * TrackingServlet servlet = new TrackingServlet(config);
 * ServletHolder holder = new ServletHolder(servlet);
 * holder.setAsyncSupported(true);
 * context.addServlet(holder, "/tracking/*");
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} (also called by {@link #destroy()}) ends every open stream and
 * stops the threads the servlet created; it never closes the tracker or anything else from the config.
 *
 * @since 0.1.0
 */
public class TrackingServlet extends HttpServlet implements AutoCloseable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TrackingServlet.class);

    private final transient TrackingServletConfig config;
    private final transient StreamHub hub;
    private final transient DriverEndpoints drivers;

    /** Creates the servlet and its background work (keep-alives, leak sweeps). */
    public TrackingServlet(TrackingServletConfig config) {
        this.config = Objects.requireNonNull(config, "config must not be null");
        this.drivers = new DriverEndpoints(config);
        this.hub = new StreamHub(config, drivers.liveView());
        this.drivers.attach(hub);
    }

    /** Returns the configuration. */
    public TrackingServletConfig config() {
        return config;
    }

    /**
     * Returns the WebSocket endpoint configuration of the driver socket at {@code path}, sharing this
     * servlet's connections, counters and rate limits; add it to the container's
     * {@code jakarta.websocket.server.ServerContainer}. The path must contain {@code {driver_id}}, e.g.
     * {@code /tracking/drivers/{driver_id}/socket}.
     */
    public jakarta.websocket.server.ServerEndpointConfig driverSocket(String path) {
        return DriverSocket.config(path, drivers);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String instance = request.getRequestURI();
        try {
            route(request, response);
        } catch (Problem problem) {
            problem.write(response, instance);
        } catch (UnknownOrderException e) {
            Problem.of(ProblemType.NOT_FOUND, e.getMessage()).write(response, instance);
        } catch (IllegalTransitionException e) {
            illegalTransition(e).write(response, instance);
        } catch (DuplicateOrderException e) {
            Problem.of(ProblemType.DUPLICATE_ORDER, e.getMessage()).with("order_id", e.orderId())
                    .write(response, instance);
        } catch (IllegalStateException e) {
            if (hub.isClosed() || String.valueOf(e.getMessage()).contains("closed")) {
                Problem.of(ProblemType.UNAVAILABLE, "the tracking service is shutting down").write(response, instance);
            } else {
                internal(response, instance, e);
            }
        } catch (RuntimeException e) {
            internal(response, instance, e);
        }
    }

    private static void internal(HttpServletResponse response, String instance, RuntimeException e) throws IOException {
        LOG.error("unexpected failure serving {}", instance, e);
        Problem.of(ProblemType.INTERNAL, "an unexpected error occurred").write(response, instance);
    }

    static Problem illegalTransition(IllegalTransitionException e) {
        List<String> allowed = new ArrayList<>();
        e.allowed().stream().sorted().forEach(s -> allowed.add(s.wireName()));
        return Problem.of(ProblemType.ILLEGAL_TRANSITION, e.getMessage())
                .with("order_id", e.orderId())
                .with("current", e.current().wireName())
                .with("requested", e.requested().wireName())
                .with("allowed", allowed);
    }

    private void route(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        String[] parts = path.substring(1).split("/", -1);
        String method = request.getMethod();
        switch (parts[0]) {
            case "orders" -> {
                if (parts.length == 1) {
                    require(method, "POST");
                    registerOrder(request, response);
                    return;
                }
                String id = parts[1];
                if (parts.length == 2) {
                    require(method, "GET");
                    orderSnapshot(request, response, id);
                    return;
                }
                if (parts.length == 3) {
                    switch (parts[2]) {
                        case "stream" -> {
                            require(method, "GET");
                            orderStream(request, response, id);
                            return;
                        }
                        case "transitions" -> {
                            require(method, "POST");
                            transition(request, response, id);
                            return;
                        }
                        case "driver" -> {
                            require(method, "POST");
                            assignDriver(request, response, id);
                            return;
                        }
                        default -> {
                        }
                    }
                }
            }
            case "restaurants" -> {
                if (parts.length == 3 && parts[2].equals("stream")) {
                    require(method, "GET");
                    restaurantStream(request, response, parts[1]);
                    return;
                }
                if (parts.length == 3 && parts[2].equals("orders")) {
                    require(method, "GET");
                    restaurantOrders(request, response, parts[1]);
                    return;
                }
            }
            case "drivers" -> {
                if (parts.length == 3 && parts[2].equals("locations")) {
                    require(method, "POST");
                    Caller caller = authenticate(request);
                    String driverId = Requests.pathId(parts[1], "driver id");
                    authorize(caller, Access.toDriver(Action.REPORT_LOCATIONS, driverId));
                    drivers.batch(request, response, driverId);
                    return;
                }
            }
            case "metrics" -> {
                if (parts.length == 1) {
                    require(method, "GET");
                    metrics(request, response);
                    return;
                }
            }
            default -> {
            }
        }
        throw Problem.of(ProblemType.NOT_FOUND, "no endpoint at " + Requests.abbreviate(path));
    }

    private static void require(String method, String allowed) {
        if (!allowed.equals(method) && !("GET".equals(allowed) && "HEAD".equals(method))) {
            throw Problem.of(ProblemType.METHOD_NOT_ALLOWED, method + " is not allowed here; use " + allowed)
                    .header("Allow", allowed);
        }
    }

    private Caller authenticate(HttpServletRequest request) {
        String token = Requests.token(request.getHeader("Authorization"), request.getQueryString());
        try {
            return config.authorizer().authenticate(token);
        } catch (AuthenticationException e) {
            throw Problem.of(ProblemType.UNAUTHORIZED, e.getMessage())
                    .header("WWW-Authenticate", "Bearer realm=\"tracking\"");
        }
    }

    private void authorize(Caller caller, Access access) {
        boolean allowed;
        try {
            allowed = config.authorizer().authorize(caller, access);
        } catch (RuntimeException e) {
            LOG.warn("authorizer {} threw; refusing", config.authorizer(), e);
            allowed = false;
        }
        if (!allowed) {
            throw Problem.of(ProblemType.FORBIDDEN, "a " + caller.role().wireName() + " token for '"
                    + Requests.abbreviate(caller.subject()) + "' may not " + describe(access));
        }
    }

    private static String describe(Access access) {
        String what = access.action().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        if (access.order() != null) {
            what += " of order '" + access.order().orderId() + "'";
        } else if (access.restaurantId() != null) {
            what += " of restaurant '" + access.restaurantId() + "'";
        } else if (access.driverId() != null) {
            what += " of driver '" + access.driverId() + "'";
        }
        return access.target() == null ? what : what + " to " + access.target().wireName();
    }

    private TrackedOrder loadOrder(String id) {
        return tracker().find(id).orElseThrow(() -> Problem.of(ProblemType.NOT_FOUND, "unknown order '" + id + "'"));
    }

    private OrderTracker tracker() {
        return config.tracker();
    }

    // ---- orders

    private void registerOrder(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Caller caller = authenticate(request);
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
        authorize(caller, Access.toRestaurant(Action.REGISTER_ORDER, restaurantId));
        if (orderId == null) {
            orderId = UUID.randomUUID().toString();
        }
        TrackedOrder order = tracker().register(new NewOrder(orderId, restaurantId, customerId, point), caller.actor());
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
        response.setHeader("Location", base + "/orders/" + order.orderId());
        writeJson(response, 201, json);
    }

    private void orderSnapshot(HttpServletRequest request, HttpServletResponse response, String rawId)
            throws IOException {
        Caller caller = authenticate(request);
        String id = Requests.pathId(rawId, "order id");
        TrackedOrder order = loadOrder(id);
        authorize(caller, Access.toOrder(Action.READ_ORDER, order));
        List<OrderEvent> events = tracker().history(id);
        TrackedOrder current = tracker().find(id).orElse(order);
        writeWithEtag(request, response, hub.snapshots().orderSnapshotJson(current, events));
    }

    private void transition(HttpServletRequest request, HttpServletResponse response, String rawId)
            throws IOException {
        Caller caller = authenticate(request);
        String id = Requests.pathId(rawId, "order id");
        JsonNode body = Requests.jsonBody(request, config.maxBodyBytes());
        String statusName = Requests.text(body, "status");
        OrderStatus target;
        try {
            target = OrderStatus.fromWireName(statusName);
        } catch (IllegalArgumentException e) {
            throw Problem.of(ProblemType.INVALID_REQUEST, "unknown status '" + Requests.abbreviate(statusName)
                    + "'; expected one of received, accepted, preparing, ready, picked_up, delivered, failed");
        }
        String reason = Requests.optionalText(body, "reason");
        if (reason != null && reason.length() > OrderEvent.MAX_REASON_LENGTH) {
            throw Problem.of(ProblemType.INVALID_REQUEST, "reason must be at most " + OrderEvent.MAX_REASON_LENGTH
                    + " characters, but was " + reason.length());
        }
        TrackedOrder order = loadOrder(id);
        authorize(caller, Access.transition(order, target));
        OrderEvent event = tracker().transition(id, target, reason, caller.actor());
        writeJson(response, 200, WireCodec.toJson(event));
    }

    private void assignDriver(HttpServletRequest request, HttpServletResponse response, String rawId)
            throws IOException {
        Caller caller = authenticate(request);
        String id = Requests.pathId(rawId, "order id");
        JsonNode body = Requests.jsonBody(request, config.maxBodyBytes());
        String driverId = Requests.id(body, "driver_id");
        TrackedOrder order = loadOrder(id);
        authorize(caller, new Access(Action.ASSIGN_DRIVER, order, order.restaurantId(), driverId, null));
        TrackedOrder assigned = tracker().assignDriver(id, driverId).order();
        writeJson(response, 200, WireCodec.toJson(assigned));
    }

    private void orderStream(HttpServletRequest request, HttpServletResponse response, String rawId)
            throws IOException {
        Caller caller = authenticate(request);
        String id = Requests.pathId(rawId, "order id");
        long lastEventId = lastEventId(request);
        TrackedOrder order = loadOrder(id);
        authorize(caller, Access.toOrder(Action.WATCH_ORDER, order));
        if (order.status().isTerminal() && lastEventId >= order.seq()) {
            response.setStatus(204);
            response.setHeader("Cache-Control", "no-store");
            return;
        }
        // an id beyond the order's last seq was never sent by us: replay nothing, but never drop live events
        long resumeAfter = Math.min(lastEventId, order.seq());
        openStream(request, response, (async, out) -> new OrderStream(hub, async, out, id, resumeAfter),
                OrderStream::start);
    }

    /**
     * Starts an SSE response and the stream writing it: headers only for HEAD, 503 while closing;
     * otherwise async mode, the stream as write and async listener, registered, then started. A
     * stream that fails to start is closed.
     */
    private <S extends SseStream> void openStream(HttpServletRequest request, HttpServletResponse response,
            BiFunction<AsyncContext, ServletOutputStream, S> create,
            Consumer<S> start) throws IOException {
        if (hub.isClosed()) {
            throw Problem.of(ProblemType.UNAVAILABLE, "the tracking service is shutting down");
        }
        if ("HEAD".equals(request.getMethod())) {
            streamHeaders(response);
            return;
        }
        AsyncContext async = startStream(request, response);
        ServletOutputStream out = response.getOutputStream();
        S stream = create.apply(async, out);
        async.addListener(stream);
        out.setWriteListener(stream);
        hub.register(stream);
        try {
            start.accept(stream);
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    private static long lastEventId(HttpServletRequest request) {
        String header = request.getHeader("Last-Event-ID");
        String value = header != null && !header.isBlank() ? header.trim()
                : Requests.queryParameter(request.getQueryString(), "last_event_id");
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            long id = Long.parseLong(value);
            if (id < 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw Problem.of(ProblemType.INVALID_REQUEST, "Last-Event-ID / last_event_id must be a non-negative "
                    + "integer (a status seq), but was '" + Requests.abbreviate(value) + "'");
        }
    }

    private static void streamHeaders(HttpServletResponse response) {
        response.setStatus(200);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Accel-Buffering", "no");
    }

    private static AsyncContext startStream(HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        if (!request.isAsyncSupported()) {
            throw new IllegalStateException("the tracking servlet must be registered with asyncSupported=true");
        }
        streamHeaders(response);
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        response.flushBuffer();
        return async;
    }

    private void restaurantStream(HttpServletRequest request, HttpServletResponse response, String rawId)
            throws IOException {
        Caller caller = authenticate(request);
        String id = Requests.pathId(rawId, "restaurant id");
        authorize(caller, Access.toRestaurant(Action.WATCH_RESTAURANT, id));
        openStream(request, response, (async, out) -> new RestaurantStream(hub, async, out, id),
                RestaurantStream::start);
    }

    private void restaurantOrders(HttpServletRequest request, HttpServletResponse response, String rawId)
            throws IOException {
        Caller caller = authenticate(request);
        String id = Requests.pathId(rawId, "restaurant id");
        authorize(caller, Access.toRestaurant(Action.LIST_RESTAURANT_ORDERS, id));
        writeWithEtag(request, response, hub.snapshots().ordersJson(tracker().activeOrdersOfRestaurant(id)));
    }

    private void metrics(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Caller caller = authenticate(request);
        authorize(caller, Access.global(Action.READ_METRICS));
        String json = Snapshots.write(g -> {
            g.writeStartObject();
            ConnectionRegistry.Snapshot connections = hub.registry().snapshot();
            g.writeStringField("at", connections.at().toString());
            g.writeObjectFieldStart("connections");
            for (Map.Entry<String, Integer> e : new java.util.TreeMap<>(connections.open()).entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("connections_total", connections.total());
            if (connections.oldestAgeSeconds() == null) {
                g.writeNullField("oldest_connection_age_seconds");
            } else {
                g.writeNumberField("oldest_connection_age_seconds", connections.oldestAgeSeconds());
            }
            g.writeObjectFieldStart("viewers");
            for (Map.Entry<String, Integer> e : hub.viewers().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("leaks", hub.lastLeaks());
            g.writeNumberField("leaks_closed", connections.leaksClosed());
            g.writeObjectFieldStart("events");
            for (String type : org.ordertracking.servlet.internal.Metrics.EVENT_TYPES) {
                var adder = hub.metrics().eventsSent.get(type);
                g.writeNumberField(type.replace('-', '_'), adder == null ? 0 : adder.sum());
            }
            g.writeNumberField("dropped", hub.metrics().dropped.sum());
            g.writeNumberField("slow_disconnects", hub.metrics().slowDisconnects.sum());
            g.writeEndObject();
            g.writeObjectFieldStart("fixes");
            g.writeNumberField("applied", hub.metrics().fixesApplied.sum());
            g.writeNumberField("rejected", hub.metrics().fixesRejected.sum());
            g.writeNumberField("rate_limited", hub.metrics().rateLimited.sum());
            if (config.locationIngestor() != null) {
                g.writeNumberField("published", config.locationIngestor().stats().published());
            }
            g.writeEndObject();
            g.writeEndObject();
        });
        writeJson(response, 200, json);
    }

    // ---- responses

    static void writeJson(HttpServletResponse response, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        if (response.getHeader("Cache-Control") == null) {
            response.setHeader("Cache-Control", "no-store");
        }
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static void writeWithEtag(HttpServletRequest request, HttpServletResponse response, String json)
            throws IOException {
        String etag = etag(json);
        response.setHeader("ETag", etag);
        response.setHeader("Cache-Control", "private, no-cache");
        if (matches(request.getHeader("If-None-Match"), etag)) {
            response.setStatus(304);
            return;
        }
        writeJson(response, 200, json);
    }

    private static String etag(String json) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder("\"");
            for (int i = 0; i < 12; i++) {
                sb.append(String.format("%02x", digest[i]));
            }
            return sb.append('"').toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.trim();
            if (c.startsWith("W/")) {
                c = c.substring(2);
            }
            if (c.equals("*") || c.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    // ---- lifecycle

    /** Ends every open stream and socket; stops the servlet's own threads. Idempotent. */
    @Override
    public void close() {
        hub.close();
    }

    @Override
    public void destroy() {
        close();
        super.destroy();
    }
}
