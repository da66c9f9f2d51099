package org.ordertracking.servlet;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one {@link TrackingServlet} has seen, read at one instant: open connections, leaks, the events
 * its streams wrote and the fixes its driver endpoints took. {@code GET /metrics} renders exactly
 * this record; {@link TrackingMeterBinder} publishes the same figures as Micrometer meters. Obtain it
 * from {@link TrackingServlet#metrics()}.
 *
 * <p>Immutable and thread-safe: the maps are unmodifiable copies. Counters count since the servlet
 * was created; connections and viewers are the state at {@link #at()}.
 *
 * @param at when the figures were read (the tracker's clock)
 * @param connections open connections per kind, by {@code ConnectionRegistry.Kind} wire name
 *     ({@code customer_stream}, {@code driver_socket}, {@code restaurant_stream}), sorted by name
 * @param connectionsTotal all open connections
 * @param oldestConnectionAgeSeconds age of the oldest open connection, or {@code null} if none is open
 * @param viewers open customer streams per order id, sorted by order id
 * @param leaks leaked streams the last leak sweep found (and closed)
 * @param leaksClosed leaked streams closed since the connection registry was created
 * @param eventsSent SSE events written per type ({@code status}, {@code location}, {@code signal},
 *     {@code snapshot}, {@code keep_alive}, {@code retry}), in that order
 * @param eventsDropped stale {@code location}/{@code signal} events dropped from full stream buffers
 * @param slowDisconnects streams closed because they could not take their {@code status} events
 * @param fixesApplied fixes the driver endpoints (batch and socket) applied
 * @param fixesRejected fixes the driver endpoints rejected
 * @param rateLimited driver requests and frames refused by the per-driver rate limit
 * @param fixesPublished location events the configured {@code LocationIngestor} published to the
 *     bus ({@code LocationIngestor.Stats#published()}), or {@code null} if no ingestor is configured
 * @param streamsRefused stream opens and driver sockets refused per limit: {@code per_subject}
 *     ({@code maxStreamsPerSubject}, sockets included), {@code per_address} ({@code maxStreamsPerAddress}),
 *     {@code open_rate} ({@code streamOpenRate}), in that order
 * @since 0.1.0
 */
public record TrackingMetrics(
        Instant at,
        Map<String, Integer> connections,
        int connectionsTotal,
        Long oldestConnectionAgeSeconds,
        Map<String, Integer> viewers,
        int leaks,
        long leaksClosed,
        Map<String, Long> eventsSent,
        long eventsDropped,
        long slowDisconnects,
        long fixesApplied,
        long fixesRejected,
        long rateLimited,
        Long fixesPublished,
        Map<String, Long> streamsRefused) {

    /** Copies the maps (connections and viewers sorted by key, events and refusals in the given order). */
    public TrackingMetrics {
        Objects.requireNonNull(at, "at must not be null");
        connections = Collections.unmodifiableMap(new TreeMap<>(connections));
        viewers = Collections.unmodifiableMap(new TreeMap<>(viewers));
        eventsSent = Collections.unmodifiableMap(new LinkedHashMap<>(eventsSent));
        streamsRefused = Collections.unmodifiableMap(new LinkedHashMap<>(streamsRefused));
    }

    /** Returns the events of one type written so far, e.g. {@code eventsSent("keep_alive")}; 0 if unknown. */
    public long eventsSent(String type) {
        return eventsSent.getOrDefault(type, 0L);
    }
}
