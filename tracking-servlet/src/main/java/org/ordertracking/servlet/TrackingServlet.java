package org.ordertracking.servlet;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import org.ordertracking.servlet.internal.HttpApi;

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
 *   <tr><td>{@code GET /operations/stream}</td><td>SSE for operators: offline restaurants, stuck and
 *       at-risk orders, the node's figures, then every change</td></tr>
 * </table>
 *
 * <p>Each request goes through a route table (method and path pattern; an unknown path is 404, a
 * known path with another method 405 with {@code Allow}), is authenticated once, then served by the
 * small handler of its resource; whatever a handler throws is mapped to an RFC 9457 problem by
 * exception type ({@link ProblemType}). The token comes as {@code Authorization: Bearer …}; only the
 * stream GETs also take it as the {@code access_token} query parameter (an {@code EventSource}
 * cannot send a header), and any other request carrying that parameter is refused with 401.
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
 * <p>{@link #metrics()} reads the figures of {@code GET /metrics}; to publish them to Micrometer, bind a
 * {@link TrackingMeterBinder}.
 *
 * <p>Thread-safe. {@link #close()} (also called by {@link #destroy()}) ends every open stream and
 * stops the threads the servlet created; it never closes the tracker or anything else from the config.
 *
 * @since 0.1.0
 */
public class TrackingServlet extends HttpServlet implements AutoCloseable {
    private static final long serialVersionUID = 1L;

    private final transient TrackingServletConfig config;
    private final transient HttpApi api;

    /** Creates the servlet and its background work (keep-alives, leak sweeps). */
    public TrackingServlet(TrackingServletConfig config) {
        this.config = Objects.requireNonNull(config, "config must not be null");
        this.api = new HttpApi(config);
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
        return DriverSocket.config(path, api.drivers());
    }

    /**
     * Reads this servlet's figures now: open connections, leaks, events written and fixes taken — what
     * {@code GET /metrics} shows. Cheap enough to call on every scrape; it walks the open connections
     * once for {@code viewers}.
     *
     * @since 0.1.0
     */
    public TrackingMetrics metrics() {
        return api.hub().snapshot();
    }

    /** The hub behind this servlet, for {@link TrackingMeterBinder}. */
    org.ordertracking.servlet.internal.StreamHub hub() {
        return api.hub();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        api.service(request, response);
    }

    /** Ends every open stream and socket; stops the servlet's own threads. Idempotent. */
    @Override
    public void close() {
        api.close();
    }

    @Override
    public void destroy() {
        close();
        super.destroy();
    }
}
