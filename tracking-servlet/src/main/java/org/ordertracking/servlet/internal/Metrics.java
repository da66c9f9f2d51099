package org.ordertracking.servlet.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of what the servlet did. Thread-safe. */
public final class Metrics {
    /** The SSE event types counted, including the keep-alive comment. */
    public static final java.util.List<String> EVENT_TYPES =
            java.util.List.of("status", "location", "signal", "snapshot", "keep-alive", "retry");

    public final ConcurrentHashMap<String, LongAdder> eventsSent = new ConcurrentHashMap<>();

    public Metrics() {
        for (String type : EVENT_TYPES) {
            eventsSent.put(type, new LongAdder());
        }
    }
    public final LongAdder dropped = new LongAdder();
    public final LongAdder slowDisconnects = new LongAdder();
    public final LongAdder fixesApplied = new LongAdder();
    public final LongAdder fixesRejected = new LongAdder();
    public final LongAdder rateLimited = new LongAdder();

    void sent(String type) {
        LongAdder adder = eventsSent.get(type);
        if (adder == null) {
            adder = eventsSent.computeIfAbsent(type, t -> new LongAdder());
        }
        adder.increment();
    }
}
