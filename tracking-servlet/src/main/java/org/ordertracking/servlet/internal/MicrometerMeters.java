package org.ordertracking.servlet.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.ordertracking.core.ConnectionRegistry;

/**
 * Publishes the servlet's counts as Micrometer meters. Only loaded when a registry is configured,
 * which requires Micrometer on the classpath (an optional dependency). Thread-safe.
 */
final class MicrometerMeters {
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    private MicrometerMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the meters; returns what {@link #close} removes. */
    static MicrometerMeters bind(Object registry, StreamHub hub) {
        MicrometerMeters m = new MicrometerMeters((MeterRegistry) registry);
        ConnectionRegistry connections = hub.registry();
        for (ConnectionRegistry.Kind kind : ConnectionRegistry.Kind.values()) {
            m.meters.add(Gauge.builder("tracking.connections.open", connections, c -> c.count(kind))
                    .tag("kind", kind.wireName()).description("open streams and sockets").register(m.registry));
        }
        m.meters.add(Gauge.builder("tracking.leaks", hub, StreamHub::lastLeaks)
                .description("leaked streams found by the last sweep").register(m.registry));
        m.meters.add(FunctionCounter.builder("tracking.leaks.closed", connections, c -> c.snapshot().leaksClosed())
                .description("leaked streams closed").register(m.registry));
        Metrics metrics = hub.metrics();
        for (String type : Metrics.EVENT_TYPES) {
            m.counter("tracking.events.sent", metrics.eventsSent.get(type), "type", type.replace('-', '_'));
        }
        m.counter("tracking.events.dropped", metrics.dropped, null, null);
        m.counter("tracking.streams.slow.disconnects", metrics.slowDisconnects, null, null);
        m.counter("tracking.fixes", metrics.fixesApplied, "result", "applied");
        m.counter("tracking.fixes", metrics.fixesRejected, "result", "rejected");
        m.counter("tracking.drivers.rate.limited", metrics.rateLimited, null, null);
        return m;
    }

    private void counter(String name, LongAdder adder, String tag, String value) {
        FunctionCounter.Builder<LongAdder> b = FunctionCounter.builder(name, adder, LongAdder::sum);
        if (tag != null) {
            b.tag(tag, value);
        }
        meters.add(b.register(registry));
    }

    void close() {
        meters.forEach(registry::remove);
        meters.clear();
    }
}
