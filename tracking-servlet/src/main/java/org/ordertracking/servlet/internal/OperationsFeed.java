package org.ordertracking.servlet.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.OutboxBacklog;
import org.ordertracking.core.RestaurantPresenceMonitor;
import org.ordertracking.core.SignalState;
import org.ordertracking.core.StalenessMonitor;
import org.ordertracking.core.StuckOrderWatchdog;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.servlet.TrackingServletConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the operators' streams show: the {@code snapshot} document (offline restaurants, stuck and
 * at-risk orders, the node's figures), read from the store on each stream's open, and the
 * {@code figures} recomputed every {@link TrackingServletConfig#operationsRefresh()} on the fill
 * threads (the outbox read is a query; the scheduler only hands it over) and offered to every open
 * operations stream, which sends it when it differs from what it sent last. Thread-safe.
 */
public final class OperationsFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperationsFeed.class);

    private final StreamHub hub;
    private final TrackingServletConfig config;
    private final Set<OperationsStream> streams = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final ScheduledFuture<?> task;

    public OperationsFeed(StreamHub hub) {
        this.hub = hub;
        this.config = hub.config();
        long period = config.operationsRefresh().toMillis();
        this.task = hub.executor().scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    StreamHub hub() {
        return hub;
    }

    void add(OperationsStream stream) {
        streams.add(stream);
    }

    void remove(OperationsStream stream) {
        streams.remove(stream);
    }

    private void tick() {
        if (streams.isEmpty() || !refreshing.compareAndSet(false, true)) {
            return;
        }
        try {
            hub.fill(() -> {
                try {
                    String figures = figuresJson();
                    for (OperationsStream stream : streams) {
                        if (stream.isClosed()) {
                            streams.remove(stream);
                        } else {
                            stream.figures(figures);
                        }
                    }
                } catch (RuntimeException e) {
                    LOG.warn("could not compute the operators' figures", e);
                } finally {
                    refreshing.set(false);
                }
            }, 0);
        } catch (RuntimeException e) {
            refreshing.set(false);
            LOG.debug("could not hand the operators' figures over; the hub is closing", e);
        }
    }

    /**
     * The {@code snapshot} document, read now:
     * {@code {"at", "offline_restaurants":[…], "stuck_orders":[…], "at_risk_orders":[…], "figures":{…}}};
     * each array element is the data of the event that announces it.
     */
    String snapshotJson(String figures) {
        RestaurantPresenceMonitor presence = config.restaurantPresence();
        StuckOrderWatchdog watchdog = config.stuckOrders();
        List<TrackingMessage.RestaurantOffline> offline = presence == null ? List.of() : presence.readOffline();
        List<TrackingMessage.OrderStuck> stuck = watchdog == null ? List.of() : watchdog.readStuck();
        Collection<? extends TrackingMessage> atRisk = config.atRiskOrders().get();
        Instant now = hub.tracker().clock().instant();
        return Snapshots.write(g -> {
            g.writeStartObject();
            g.writeStringField("at", now.toString());
            writeMessages(g, "offline_restaurants", offline);
            writeMessages(g, "stuck_orders", stuck);
            writeMessages(g, "at_risk_orders", atRisk == null ? List.of() : atRisk);
            g.writeFieldName("figures");
            g.writeRawValue(figures);
            g.writeEndObject();
        });
    }

    private static void writeMessages(JsonGenerator g, String field, Collection<? extends TrackingMessage> messages)
            throws IOException {
        g.writeArrayFieldStart(field);
        for (TrackingMessage message : messages) {
            JsonCodec.writeMessage(g, message);
        }
        g.writeEndArray();
    }

    /**
     * The node's figures now, without a time (so that two readings compare equal when nothing changed):
     * {@code {"connections":{kind:n}, "connections_total", "leaks", "leaks_closed", "restaurants_offline",
     * "orders_stuck", "staleness":{band:n}|null, "outbox":{"backlog","oldest_age_seconds"}|null}}.
     */
    String figuresJson() {
        ConnectionRegistry.Snapshot connections = hub.registry().snapshot();
        RestaurantPresenceMonitor presence = config.restaurantPresence();
        StuckOrderWatchdog watchdog = config.stuckOrders();
        StalenessMonitor staleness = config.stalenessMonitor();
        Instant now = hub.tracker().clock().instant();
        OutboxBacklog backlog;
        try {
            backlog = hub.tracker().repository().outboxBacklog();
        } catch (RuntimeException e) {
            LOG.debug("could not read the outbox backlog for the operators' figures", e);
            backlog = null;
        }
        OutboxBacklog outbox = backlog;
        return Snapshots.write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("connections");
            for (Map.Entry<String, Integer> e : new TreeMap<>(connections.open()).entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("connections_total", connections.total());
            g.writeNumberField("leaks", hub.lastLeaks());
            g.writeNumberField("leaks_closed", connections.leaksClosed());
            if (presence == null) {
                g.writeNullField("restaurants_offline");
            } else {
                g.writeNumberField("restaurants_offline", presence.offlineCount());
            }
            if (watchdog == null) {
                g.writeNullField("orders_stuck");
            } else {
                g.writeNumberField("orders_stuck", watchdog.openCount());
            }
            if (staleness == null) {
                g.writeNullField("staleness");
            } else {
                g.writeObjectFieldStart("staleness");
                for (Map.Entry<SignalState, Integer> e : staleness.bandCounts().entrySet()) {
                    g.writeNumberField(e.getKey().wireName(), e.getValue());
                }
                g.writeEndObject();
            }
            if (outbox == null) {
                g.writeNullField("outbox");
            } else {
                g.writeObjectFieldStart("outbox");
                g.writeNumberField("backlog", outbox.events());
                if (outbox.oldestCommittedAt() == null) {
                    g.writeNullField("oldest_age_seconds");
                } else {
                    g.writeNumberField("oldest_age_seconds",
                            Math.max(0, Duration.between(outbox.oldestCommittedAt(), now).getSeconds()));
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        });
    }

    /** Stops the periodic figures; the streams themselves are closed by the hub. Idempotent. */
    @Override
    public void close() {
        task.cancel(false);
        streams.clear();
    }
}
