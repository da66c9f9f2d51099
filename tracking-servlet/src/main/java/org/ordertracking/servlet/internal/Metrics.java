package org.ordertracking.servlet.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of what the servlet did. Only this package counts; everyone else reads sums (the
 * metrics document and the Micrometer binder). Thread-safe.
 */
public final class Metrics {
    /** The SSE event types counted, including the keep-alive comment, as frames name them. */
    public static final List<String> EVENT_TYPES = List.of("status", "location", "signal", "snapshot", "keep-alive", "retry");

    private final ConcurrentHashMap<String, LongAdder> eventsSent = new ConcurrentHashMap<>();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder slowDisconnects = new LongAdder();
    private final LongAdder fixesApplied = new LongAdder();
    private final LongAdder fixesRejected = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder streamsDrained = new LongAdder();
    private final LongAdder[] streamsRefused = {new LongAdder(), new LongAdder(), new LongAdder()};

    Metrics() {
        for (String type : EVENT_TYPES) {
            eventsSent.put(type, new LongAdder());
        }
    }

    // ---- counting, from this package only (the SSE write path calls countSent once per frame)

    void countSent(String type) {
        LongAdder adder = eventsSent.get(type);
        if (adder == null) {
            adder = eventsSent.computeIfAbsent(type, t -> new LongAdder());
        }
        adder.increment();
    }

    void countDropped() {
        dropped.increment();
    }

    void countSlowDisconnect() {
        slowDisconnects.increment();
    }

    void countFixes(int applied, int rejected) {
        fixesApplied.add(applied);
        fixesRejected.add(rejected);
    }

    void countRateLimited() {
        rateLimited.increment();
    }

    void countDrained() {
        streamsDrained.increment();
    }

    void countStreamRefused(StreamLimits.Limit limit) {
        streamsRefused[limit.ordinal()].increment();
    }

    // ---- reading

    /** Events of {@code type} (one of {@link #EVENT_TYPES}) written to streams so far. */
    public long eventsSent(String type) {
        LongAdder adder = eventsSent.get(type);
        return adder == null ? 0 : adder.sum();
    }

    /** Events sent per type, in {@link #EVENT_TYPES} order, keyed by wire key ({@code keep_alive}). */
    public Map<String, Long> eventsSent() {
        Map<String, Long> sums = new LinkedHashMap<>();
        for (String type : EVENT_TYPES) {
            sums.put(wireKey(type), eventsSent(type));
        }
        return sums;
    }

    /** The key of an event type in the metrics document and the Micrometer tag: {@code keep-alive} → {@code keep_alive}. */
    public static String wireKey(String type) {
        return type.replace('-', '_');
    }

    public long dropped() {
        return dropped.sum();
    }

    public long slowDisconnects() {
        return slowDisconnects.sum();
    }

    public long fixesApplied() {
        return fixesApplied.sum();
    }

    public long fixesRejected() {
        return fixesRejected.sum();
    }

    public long rateLimited() {
        return rateLimited.sum();
    }

    /** Streams a drain told to come back later and ended (the {@code tracking.streams.drained} counter). */
    public long streamsDrained() {
        return streamsDrained.sum();
    }

    /** The keys of {@link #streamsRefused()}, in order: {@code per_subject}, {@code per_address}, {@code open_rate}. */
    public static final List<String> STREAM_LIMITS = List.of("per_subject", "per_address", "open_rate");

    /** Stream opens and driver sockets refused by the limit {@code key} (one of {@link #STREAM_LIMITS}). */
    public long streamsRefused(String key) {
        for (StreamLimits.Limit limit : StreamLimits.Limit.values()) {
            if (limit.key.equals(key)) {
                return streamsRefused[limit.ordinal()].sum();
            }
        }
        return 0;
    }

    /** Stream opens and driver sockets refused per limit, in {@link #STREAM_LIMITS} order. */
    public Map<String, Long> streamsRefused() {
        Map<String, Long> sums = new LinkedHashMap<>();
        for (String key : STREAM_LIMITS) {
            sums.put(key, streamsRefused(key));
        }
        return sums;
    }
}
