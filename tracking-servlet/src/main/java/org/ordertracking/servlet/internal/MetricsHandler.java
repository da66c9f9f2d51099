package org.ordertracking.servlet.internal;

import java.io.IOException;
import java.util.Map;
import org.ordertracking.servlet.Access;
import org.ordertracking.servlet.Action;
import org.ordertracking.servlet.TrackingMetrics;

/** {@code GET /metrics}: the guard, then a {@link TrackingMetrics} snapshot as the metrics document. Thread-safe. */
final class MetricsHandler implements RouteTable.Handler {
    private final StreamHub hub;
    private final Guard guard;

    MetricsHandler(StreamHub hub, Guard guard) {
        this.hub = hub;
        this.guard = guard;
    }

    @Override
    public void handle(RouteTable.Exchange ex) throws IOException {
        guard.authorize(ex.caller(), Access.global(Action.READ_METRICS));
        Responses.json(ex.response(), 200, render(hub.snapshot()));
    }

    /** The metrics document of docs/servlet.md; field order is part of the format. */
    static String render(TrackingMetrics m) {
        return Snapshots.write(g -> {
            g.writeStartObject();
            g.writeStringField("at", m.at().toString());
            g.writeObjectFieldStart("connections");
            for (Map.Entry<String, Integer> e : m.connections().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("connections_total", m.connectionsTotal());
            if (m.oldestConnectionAgeSeconds() == null) {
                g.writeNullField("oldest_connection_age_seconds");
            } else {
                g.writeNumberField("oldest_connection_age_seconds", m.oldestConnectionAgeSeconds());
            }
            g.writeObjectFieldStart("viewers");
            for (Map.Entry<String, Integer> e : m.viewers().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("leaks", m.leaks());
            g.writeNumberField("leaks_closed", m.leaksClosed());
            g.writeObjectFieldStart("events");
            for (Map.Entry<String, Long> e : m.eventsSent().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeNumberField("dropped", m.eventsDropped());
            g.writeNumberField("slow_disconnects", m.slowDisconnects());
            g.writeEndObject();
            g.writeObjectFieldStart("fixes");
            g.writeNumberField("applied", m.fixesApplied());
            g.writeNumberField("rejected", m.fixesRejected());
            g.writeNumberField("rate_limited", m.rateLimited());
            if (m.fixesPublished() != null) {
                g.writeNumberField("published", m.fixesPublished());
            }
            g.writeEndObject();
            g.writeObjectFieldStart("streams_refused");
            for (Map.Entry<String, Long> e : m.streamsRefused().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        });
    }
}
