package org.ordertracking.examples.demo;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.Ids;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.servlet.WidgetAssets;

/**
 * The demo's own pages: the landing page listing live orders with ready-made links (tokens minted
 * by the demo), the customer tracking page, the restaurant board, their static assets and the
 * street map they draw. Everything is served from this process: the pages work offline.
 *
 * <p>The views that carry tokens or privileged data — the landing page's links, the restaurant boards
 * with their metrics, and the operators' page with its stream — answer loopback clients only; other
 * machines (when {@code --host} widened the demo) get customer tracking pages, whose token they must
 * already hold. No page ever holds an operator token: the boards' metrics come from
 * {@code /demo/metrics}, and the operators' page's stream from {@code /demo/operations/stream}, which
 * this process relays from {@code /tracking/operations/stream} with the operator token it keeps. Every response says {@code Referrer-Policy: no-referrer} (tokens ride in
 * the pages' URLs) and carries a Content-Security-Policy that allows this origin only.
 */
public final class DemoPagesServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");

    /** The coastline, drawn as the sea polygon (north and west of the city). */
    private static final double[][] SEA = {{33.8700, 35.4762}, {33.8800, 35.4720}, {33.8880, 35.4690},
            {33.9012, 35.4688}, {33.9022, 35.4880}, {33.9042, 35.4980}, {33.9062, 35.5150}, {33.9062, 35.5300},
            {33.9150, 35.5300}, {33.9150, 35.4600}, {33.8700, 35.4600}};

    private final transient OrderTracker tracker;
    /** Same-origin only; styles may be inline (the widget sets them), scripts may not. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /** The metrics JSON, fetched by the demo with a token no page sees. */
    @FunctionalInterface
    public interface MetricsSource {
        byte[] get() throws Exception;
    }

    /** Opens the operators' stream ({@code GET /tracking/operations/stream}) with a token no page sees. */
    @FunctionalInterface
    public interface OperationsSource {
        /** Returns the stream's body, to be read until it ends; the caller closes it. */
        InputStream open() throws Exception;
    }

    private final transient BiFunction<String, String, String> tokens;
    private final transient MetricsSource metrics;
    private final transient OperationsSource operations;
    private final Map<String, String> trackPage;

    /**
     * @param tokens mints a token for (role, subject); only customer and restaurant tokens reach a page
     * @param metrics the tracking metrics as JSON, for the restaurant boards
     * @param operations the operators' stream, relayed to the operators' page
     * @param staleAfter the server's low-coverage threshold, handed to the tracking widget
     * @param lostAfter the server's connection-lost threshold, handed to the tracking widget
     */
    public DemoPagesServlet(OrderTracker tracker, BiFunction<String, String, String> tokens, MetricsSource metrics,
            OperationsSource operations, Duration staleAfter, Duration lostAfter) {
        this.tracker = tracker;
        this.tokens = tokens;
        this.metrics = metrics;
        this.operations = operations;
        this.trackPage = Map.of("{{widget}}", "/tracking/widget/" + WidgetAssets.VERSION + "/",
                "{{stale_after}}", String.valueOf(staleAfter.toMillis() / 1000.0),
                "{{lost_after}}", String.valueOf(lostAfter.toMillis() / 1000.0));
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.setHeader("X-Content-Type-Options", "nosniff");
        boolean local = isLoopback(request);
        if (path.equals("/") || path.isEmpty()) {
            if (local) {
                landing(response);
            } else {
                remoteLanding(response);
            }
        } else if (path.startsWith("/track/") && Ids.isValid(path.substring("/track/".length()))) {
            resource(response, "track.html");
        } else if (path.startsWith("/restaurant/") && Ids.isValid(path.substring("/restaurant/".length()))) {
            if (local) {
                resource(response, "restaurant.html");
            } else {
                response.sendError(HttpServletResponse.SC_FORBIDDEN, "restaurant boards are served to this machine only");
            }
        } else if (path.equals("/operations")) {
            if (local) {
                resource(response, "operations.html");
            } else {
                response.sendError(HttpServletResponse.SC_FORBIDDEN, "the operators' page is served to this machine only");
            }
        } else if (path.equals("/demo/operations/stream")) {
            if (local) {
                relayOperations(response);
            } else {
                response.sendError(HttpServletResponse.SC_FORBIDDEN, "the operators' stream is served to this machine only");
            }
        } else if (path.equals("/demo/metrics")) {
            if (local) {
                metrics(response);
            } else {
                response.sendError(HttpServletResponse.SC_FORBIDDEN, "metrics are served to this machine only");
            }
        } else if (path.equals("/demo/map.json")) {
            map(response);
        } else if (path.startsWith("/demo/") && path.substring(6).matches("[a-z]+\\.(js|css|html)")) {
            resource(response, path.substring(6));
        } else {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    private void landing(HttpServletResponse response) throws IOException {
        StringBuilder html = new StringBuilder("""
                <!doctype html><html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Order Tracking SDK demo</title><link rel="stylesheet" href="/demo/app.css">
                <meta http-equiv="refresh" content="15"></head><body>
                <header><h1>Order Tracking SDK demo</h1><span class="sub">Beirut · live orders</span></header><main>
                <section class="card"><h2>Live orders</h2><p class="muted">Open an order to watch it the way its customer
                does. This page refreshes every 15 s; new orders arrive every 15–30 s while the simulator runs.</p>
                <ul class="orders" id="orders">
                """);
        int count = 0;
        for (String restaurant : DemoSimulator.RESTAURANTS.keySet()) {
            for (TrackedOrder order : tracker.activeOrdersOfRestaurant(restaurant)) {
                count++;
                html.append("<li><a href=\"/track/").append(order.orderId()).append("?access_token=")
                        .append(tokens.apply("customer", order.orderId())).append("\">").append(order.orderId())
                        .append("</a> <span class=\"status-badge\">").append(order.status().wireName().replace('_', ' '))
                        .append("</span> <span class=\"muted\">").append(restaurant)
                        .append(order.driverId() == null ? "" : " · driver " + order.driverId()).append("</span></li>\n");
            }
        }
        if (count == 0) {
            html.append("<li class=\"muted\">No live orders yet — the simulator registers one every 15–30 s.</li>\n");
        }
        html.append("</ul></section><section class=\"card\"><h2>Restaurant boards</h2><ul>\n");
        for (String restaurant : DemoSimulator.RESTAURANTS.keySet()) {
            html.append("<li><a href=\"/restaurant/").append(restaurant).append("?access_token=")
                    .append(tokens.apply("restaurant", restaurant)).append("\">").append(restaurant)
                    .append("</a></li>\n");
        }
        html.append("</ul></section><section class=\"card\"><h2>Operations</h2><p><a href=\"/operations\">The"
                + " operators' view</a>: restaurants gone dark, stuck orders, connections, outbox.</p></section>");
        html.append("</main></body></html>\n");
        write(response, "text/html; charset=utf-8", html.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The landing page for other machines: no links, as every link would carry a token. */
    private static void remoteLanding(HttpServletResponse response) throws IOException {
        write(response, "text/html; charset=utf-8", """
                <!doctype html><html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Order Tracking SDK demo</title><link rel="stylesheet" href="/demo/app.css"></head><body>
                <header><h1>Order Tracking SDK demo</h1></header><main><section class="card">
                <p>Open the tracking link you were given. The list of live orders and the restaurant boards are
                shown on the machine running the demo only.</p></section></main></body></html>
                """.getBytes(StandardCharsets.UTF_8));
    }

    private void metrics(HttpServletResponse response) throws IOException {
        byte[] body;
        try {
            body = metrics.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            return;
        } catch (Exception e) {
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            return;
        }
        write(response, "application/json", body);
    }

    /**
     * Relays the operators' stream byte for byte, flushing after each read, until it ends (the node
     * closes) or this client goes away. Holds a request thread while open: the demo expects an operator
     * page or two, not a crowd.
     */
    private void relayOperations(HttpServletResponse response) throws IOException {
        InputStream upstream;
        try {
            upstream = operations.open();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            return;
        } catch (Exception e) {
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            return;
        }
        try (InputStream in = upstream) {
            response.setStatus(200);
            response.setContentType("text/event-stream; charset=utf-8");
            response.setHeader("Cache-Control", "no-store");
            OutputStream out = response.getOutputStream();
            out.flush();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0;) {
                out.write(buffer, 0, n);
                out.flush();
            }
        }
    }

    /** Whether the client is on this machine; the address is a literal, so no name lookup happens. */
    static boolean isLoopback(HttpServletRequest request) {
        try {
            return InetAddress.getByName(request.getRemoteAddr()).isLoopbackAddress();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void resource(HttpServletResponse response, String name) throws IOException {
        try (InputStream in = DemoPagesServlet.class.getResourceAsStream("/demo-web/" + name)) {
            if (in == null) {
                response.sendError(HttpServletResponse.SC_NOT_FOUND);
                return;
            }
            byte[] body = in.readAllBytes();
            if (name.equals("track.html")) {
                String page = new String(body, StandardCharsets.UTF_8);
                for (Map.Entry<String, String> value : trackPage.entrySet()) {
                    page = page.replace(value.getKey(), value.getValue());
                }
                body = page.getBytes(StandardCharsets.UTF_8);
            }
            write(response, TYPES.get(name.substring(name.lastIndexOf('.') + 1)), body);
        }
    }

    private void map(HttpServletResponse response) throws IOException {
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "max-age=3600");
        BeirutMap map = BeirutMap.get();
        try (JsonGenerator g = JSON.createGenerator(response.getOutputStream())) {
            g.writeStartObject();
            g.writeObjectFieldStart("bounds");
            g.writeNumberField("min_lat", 33.870);
            g.writeNumberField("max_lat", 33.906);
            g.writeNumberField("min_lon", 35.462);
            g.writeNumberField("max_lon", 35.530);
            g.writeEndObject();
            g.writeArrayFieldStart("coast");
            for (double[] point : SEA) {
                g.writeArray(point, 0, 2);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("streets");
            for (BeirutMap.Street street : map.streets()) {
                g.writeStartObject();
                g.writeStringField("name", street.name());
                g.writeArrayFieldStart("points");
                for (BeirutMap.Place place : street.places()) {
                    writePoint(g, place.point());
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("places");
            List<String> labelled = List.of("hamra", "manara", "raouche", "downtown", "gemmayzeh_east", "sassine",
                    "verdun_south", "zaitunay");
            for (String id : labelled) {
                BeirutMap.Place place = map.place(id);
                g.writeStartObject();
                g.writeStringField("name", place.name());
                g.writeNumberField("lat", place.point().lat());
                g.writeNumberField("lon", place.point().lon());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    private static void writePoint(JsonGenerator g, GeoPoint point) throws IOException {
        g.writeStartArray();
        g.writeNumber(point.lat());
        g.writeNumber(point.lon());
        g.writeEndArray();
    }

    private static void write(HttpServletResponse response, String type, byte[] body) throws IOException {
        response.setContentType(type);
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        try (OutputStream out = response.getOutputStream()) {
            out.write(body);
        }
    }
}
