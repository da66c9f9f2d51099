package org.ordertracking.servlet;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.ordertracking.servlet.internal.HttpApi;
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
 * <p><b>Planned stops.</b> {@link #drain(Duration)} stops the node gracefully for a scheduled restart
 * or a UPS on its last minutes: no new stream opens (503 {@code draining}), every open stream is told
 * with {@code retry:} when to come back and ended cleanly, in waves spread over the window, driver
 * sockets are closed with 1001 (going away), then the servlet closes. By default the servlet drains
 * itself when the JVM shuts down ({@link TrackingServletConfig.Builder#drainOnShutdown}).
 *
 * <p>Thread-safe. {@link #close()} (also called by {@link #destroy()}) ends every open stream and
 * stops the threads the servlet created; it never closes the tracker or anything else from the config.
 *
 * @since 0.1.0
 */
public class TrackingServlet extends HttpServlet implements AutoCloseable {
    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(TrackingServlet.class);
    /** How long the shutdown hook waits beyond the drain window for the drain's last steps. */
    private static final Duration HOOK_SLACK = Duration.ofSeconds(5);

    private final transient TrackingServletConfig config;
    private final transient HttpApi api;
    private final transient AtomicReference<CompletableFuture<Void>> drained = new AtomicReference<>();
    private final transient Thread shutdownHook;

    /**
     * Creates the servlet and its background work (keep-alives, leak sweeps) and, unless the config
     * turns it off, registers the JVM shutdown hook that drains it; {@link #close()} removes the hook.
     */
    public TrackingServlet(TrackingServletConfig config) {
        this.config = Objects.requireNonNull(config, "config must not be null");
        this.api = new HttpApi(config);
        this.shutdownHook = config.drainOnShutdown() ? new Thread(this::drainOnShutdown, "tracking-drain-on-shutdown")
                : null;
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().addShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                LOG.debug("the JVM is already shutting down; the servlet is not drained on shutdown", e);
            }
        }
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

    /**
     * Drains the servlet within its configured {@link TrackingServletConfig#drainWindow() drain window};
     * see {@link #drain(Duration)}.
     *
     * @since 0.1.0
     */
    public CompletionStage<Void> drain() {
        return drain(config.drainWindow());
    }

    /**
     * Stops this node gracefully within {@code window}, for a scheduled restart or a UPS that signals
     * minutes of battery left, and returns at once; the stage completes when the servlet has closed.
     * <ol>
     *   <li>At once: no new stream or driver socket opens on this node: a stream request gets 503
     *       {@code draining} ({@link ProblemType#DRAINING}) with a {@code Retry-After}, a socket an
     *       {@code error} frame {@code draining} and close code 1001. Other requests (transitions, polling,
     *       batches) are still served.</li>
     *   <li>Over the first two thirds of the window, in waves (at most a second apart): each open
     *       stream gets a {@code retry:} with its own delay and ends cleanly (the last chunk of its
     *       response), so that its {@code EventSource} reconnects after that delay — with
     *       {@code Last-Event-ID}, to whichever node the load balancer picks — and the reconnects of all
     *       clients are spread evenly over the window instead of landing in the same second; each driver
     *       socket is closed with 1001 (going away), and the driver app reconnects with its own backoff.</li>
     *   <li>When every connection has ended (at the latest at the end of the window, when whatever is
     *       left is closed), the servlet closes ({@link #close()}): later streams get 503
     *       {@code unavailable}. The tracker is not closed (it is the host's), so other requests are still
     *       served until the host closes it.</li>
     * </ol>
     *
     * <p>The drain never blocks the caller: wait with {@code drain(window).toCompletableFuture().get(…)}
     * where blocking is right (a shutdown hook, a UPS script's handler). Calling it again — or
     * {@link #drain()} — returns a stage of the same drain, whatever the window; {@link #close()} during
     * a drain closes at once and completes it. A {@link TrackingNode}'s servlet drains the whole node:
     * after the servlet, the tracker hands the bus what it was publishing and marks it, and pending
     * notifications are sent.
     *
     * @param window positive; the drain's end, including the last clients' reconnects
     * @throws IllegalArgumentException if {@code window} is zero or negative
     * @throws NullPointerException if {@code window} is null
     * @since 0.1.0
     */
    public CompletionStage<Void> drain(Duration window) {
        return drainThenClose(window).minimalCompletionStage();
    }

    /** The servlet's own drain: the streams, then {@link #close()}; one future however often it is called. */
    final CompletableFuture<Void> drainThenClose(Duration window) {
        requireWindow(window);
        CompletableFuture<Void> existing = drained.get();
        if (existing != null) {
            return existing;
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        if (!drained.compareAndSet(null, mine)) {
            return drained.get();
        }
        api.hub().drain(window).whenComplete((done, failure) -> {
            try {
                close();
            } finally {
                mine.complete(null);
            }
        });
        return mine;
    }

    static Duration requireWindow(Duration window) {
        Objects.requireNonNull(window, "window must not be null");
        if (window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("window must be positive, but was " + window);
        }
        return window;
    }

    /**
     * Returns whether a drain has begun and the servlet is not closed yet: a readiness check should then
     * take this node out of the load balancer.
     *
     * @since 0.1.0
     */
    public boolean isDraining() {
        return api.hub().isDraining();
    }

    private void drainOnShutdown() {
        Duration window = config.drainWindow();
        LOG.info("the JVM is shutting down: draining the tracking servlet within {}", window);
        try {
            drain(window).toCompletableFuture().get(window.plus(HOOK_SLACK).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("the drain on shutdown did not finish; closing", e);
            close();
        }
    }

    /** Ends every open stream and socket; stops the servlet's own threads; removes the shutdown hook. Idempotent. */
    @Override
    public void close() {
        api.close();
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs, or ran, and finds the servlet closed
            }
        }
    }

    @Override
    public void destroy() {
        close();
        super.destroy();
    }
}
