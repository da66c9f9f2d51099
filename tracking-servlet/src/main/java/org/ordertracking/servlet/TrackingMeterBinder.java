package org.ordertracking.servlet;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.RestaurantPresenceMonitor;
import org.ordertracking.core.StuckOrderWatchdog;
import org.ordertracking.servlet.internal.Metrics;
import org.ordertracking.servlet.internal.StreamHub;

/**
 * Publishes a {@link TrackingServlet}'s figures — those of {@link TrackingServlet#metrics()} — as
 * Micrometer meters:
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><td>{@code tracking.connections.open{kind}}</td><td>gauge</td><td>open streams and sockets per kind</td></tr>
 *   <tr><td>{@code tracking.leaks}</td><td>gauge</td><td>leaked streams the last sweep found</td></tr>
 *   <tr><td>{@code tracking.leaks.closed}</td><td>counter</td><td>leaked streams closed</td></tr>
 *   <tr><td>{@code tracking.events.sent{type}}</td><td>counter</td><td>SSE events written, per type
 *       ({@code status}, {@code location}, {@code signal}, {@code snapshot}, {@code keep_alive}, {@code retry})</td></tr>
 *   <tr><td>{@code tracking.events.dropped}</td><td>counter</td><td>stale events dropped from full buffers</td></tr>
 *   <tr><td>{@code tracking.streams.slow.disconnects}</td><td>counter</td><td>streams closed for not keeping up</td></tr>
 *   <tr><td>{@code tracking.fixes{result=applied|rejected}}</td><td>counter</td><td>fixes the driver endpoints took</td></tr>
 *   <tr><td>{@code tracking.drivers.rate.limited}</td><td>counter</td><td>driver messages refused by the rate limit</td></tr>
 *   <tr><td>{@code tracking.streams.refused{limit=per_subject|per_address|open_rate}}</td><td>counter</td>
 *       <td>stream opens and driver sockets refused by the caps and the open rate</td></tr>
 *   <tr><td>{@code tracking.drain.active}</td><td>gauge</td><td>1 while the servlet drains
 *       ({@link TrackingServlet#drain(java.time.Duration)}), else 0</td></tr>
 *   <tr><td>{@code tracking.streams.drained}</td><td>counter</td><td>streams a drain told to come back
 *       later and ended</td></tr>
 *   <tr><td>{@code tracking.fixes.published}</td><td>counter</td><td>location events the configured
 *       {@code LocationIngestor} published; only if one is configured</td></tr>
 *   <tr><td>{@code tracking.retention.purged}</td><td>counter</td><td>finished orders the tracker's retention
 *       policy purged on this node ({@code OrderTracker.purgedOrders()})</td></tr>
 *   <tr><td>{@code tracking.orders.at_risk}</td><td>gauge</td><td>active orders at risk of a scheduled
 *       power cut ({@code OrderTracker.ordersAtRisk()}); only if the tracker has a power schedule</td></tr>
 *   <tr><td>{@code tracking.restaurants.offline}</td><td>gauge</td><td>restaurants counted offline at the
 *       presence monitor's last check; only if one is configured</td></tr>
 *   <tr><td>{@code tracking.orders.stuck{status}}</td><td>counter</td><td>stuck orders this node announced,
 *       per status ({@code accepted}, {@code preparing}, {@code ready}, {@code picked_up}); only with a
 *       stuck-order watchdog</td></tr>
 *   <tr><td>{@code tracking.orders.stuck.open}</td><td>gauge</td><td>orders stuck at the watchdog's last
 *       check</td></tr>
 * </table>
 *
 * <pre>{@code
 * TrackingMeterBinder binder = new TrackingMeterBinder(servlet);
 * binder.bindTo(meterRegistry);
 * // ... on shutdown, to take the meters out of a registry that outlives the servlet:
 * binder.close();
 * }</pre>
 *
 * <p>Micrometer is an optional dependency of tracking-servlet: this is the only class that uses it,
 * and it is loaded only by code that names it. The meters read the servlet's counters when the
 * registry asks; nothing is counted twice and the servlet's hot paths do not know about Micrometer.
 * A binder holds nothing but the servlet, the common tags and the meters it registered, so a
 * container (e.g. Spring) may create it as a bean from the servlet alone.
 *
 * <p>Thread-safe. {@link #bindTo} may be called for several registries; {@link #close()} removes
 * every meter this binder registered, from every registry, and is idempotent. Meters of a closed
 * servlet keep their last values until removed.
 *
 * @since 0.1.0
 */
public final class TrackingMeterBinder implements MeterBinder, AutoCloseable {
    private final TrackingServlet servlet;
    private final Tags tags;
    private final List<Bound> bound = new CopyOnWriteArrayList<>();

    private record Bound(MeterRegistry registry, Meter meter) {
    }

    /** The statuses a stuck-order watchdog can watch: one counter each, whatever is configured. */
    private static final List<OrderStatus> STUCK_STATUSES = List.of(OrderStatus.ACCEPTED, OrderStatus.PREPARING,
            OrderStatus.READY, OrderStatus.PICKED_UP);

    /** A binder for {@code servlet}'s meters, without extra tags. */
    public TrackingMeterBinder(TrackingServlet servlet) {
        this(servlet, Tags.empty());
    }

    /** A binder for {@code servlet}'s meters, each also carrying {@code tags} (e.g. to tell two servlets apart). */
    public TrackingMeterBinder(TrackingServlet servlet, Iterable<Tag> tags) {
        this.servlet = Objects.requireNonNull(servlet, "servlet must not be null");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags must not be null"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry must not be null");
        StreamHub hub = servlet.hub();
        ConnectionRegistry connections = hub.registry();
        for (ConnectionRegistry.Kind kind : ConnectionRegistry.Kind.values()) {
            add(registry, Gauge.builder("tracking.connections.open", connections, c -> c.count(kind))
                    .tags(tags).tag("kind", kind.wireName()).description("open streams and sockets")
                    .register(registry));
        }
        add(registry, Gauge.builder("tracking.leaks", hub, StreamHub::lastLeaks).tags(tags)
                .description("leaked streams found by the last sweep").register(registry));
        counter(registry, "tracking.leaks.closed", connections, c -> c.snapshot().leaksClosed(), null, null,
                "leaked streams closed");
        Metrics metrics = hub.metrics();
        for (String type : Metrics.EVENT_TYPES) {
            counter(registry, "tracking.events.sent", metrics, m -> m.eventsSent(type), "type", Metrics.wireKey(type),
                    "SSE events written to streams");
        }
        counter(registry, "tracking.events.dropped", metrics, Metrics::dropped, null, null,
                "stale location/signal events dropped from full stream buffers");
        counter(registry, "tracking.streams.slow.disconnects", metrics, Metrics::slowDisconnects, null, null,
                "streams closed because they could not take their status events");
        counter(registry, "tracking.fixes", metrics, Metrics::fixesApplied, "result", "applied",
                "fixes taken by the driver endpoints");
        counter(registry, "tracking.fixes", metrics, Metrics::fixesRejected, "result", "rejected",
                "fixes taken by the driver endpoints");
        counter(registry, "tracking.drivers.rate.limited", metrics, Metrics::rateLimited, null, null,
                "driver requests and frames refused by the rate limit");
        for (String limit : Metrics.STREAM_LIMITS) {
            counter(registry, "tracking.streams.refused", metrics, m -> m.streamsRefused(limit), "limit", limit,
                    "stream opens and driver sockets refused by a limit");
        }
        counter(registry, "tracking.retention.purged", servlet.config().tracker(), OrderTracker::purgedOrders, null,
                null, "finished orders purged by the retention policy on this node");
        OrderTracker tracker = servlet.config().tracker();
        if (tracker.powerSchedule().isPresent()) {
            add(registry, Gauge.builder("tracking.orders.at_risk", tracker, OrderTracker::ordersAtRisk).tags(tags)
                    .description("active orders at risk of a scheduled power cut").register(registry));
        }
        add(registry, Gauge.builder("tracking.drain.active", hub, h -> h.isDraining() ? 1 : 0).tags(tags)
                .description("1 while the servlet drains before a planned stop").register(registry));
        counter(registry, "tracking.streams.drained", metrics, Metrics::streamsDrained, null, null,
                "streams a drain told to come back later and ended");
        LocationIngestor ingestor = servlet.config().locationIngestor();
        if (ingestor != null) {
            counter(registry, "tracking.fixes.published", ingestor, i -> i.stats().published(), null, null,
                    "location events the ingestor published to the bus");
        }
        RestaurantPresenceMonitor presence = servlet.config().restaurantPresence();
        if (presence != null) {
            add(registry, Gauge.builder("tracking.restaurants.offline", presence, RestaurantPresenceMonitor::offlineCount)
                    .tags(tags).description("restaurants with waiting orders and no sign of life, counted offline")
                    .register(registry));
        }
        StuckOrderWatchdog watchdog = servlet.config().stuckOrders();
        if (watchdog != null) {
            for (OrderStatus status : STUCK_STATUSES) {
                counter(registry, "tracking.orders.stuck", watchdog, w -> w.announced(status), "status",
                        status.wireName(), "stuck orders announced by this node");
            }
            add(registry, Gauge.builder("tracking.orders.stuck.open", watchdog, StuckOrderWatchdog::openCount)
                    .tags(tags).description("orders stuck in their status at the last check").register(registry));
        }
    }

    private <T> void counter(MeterRegistry registry, String name, T state, ToDoubleFunction<T> count, String tag,
            String value, String description) {
        FunctionCounter.Builder<T> b = FunctionCounter.builder(name, state, count).tags(tags).description(description);
        if (tag != null) {
            b.tag(tag, value);
        }
        add(registry, b.register(registry));
    }

    private void add(MeterRegistry registry, Meter meter) {
        bound.add(new Bound(registry, meter));
    }

    /** Removes every meter this binder registered from the registry it was registered in. Idempotent. */
    @Override
    public void close() {
        for (Bound b : bound) {
            b.registry().remove(b.meter());
            bound.remove(b);
        }
    }
}
