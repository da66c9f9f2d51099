package org.ordertracking.servlet.internal;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ordertracking.core.IngestResult;
import org.ordertracking.core.InvalidFixException;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.servlet.ProblemType;
import org.ordertracking.servlet.TrackingServletConfig;

/**
 * The driver side shared by the batch endpoint and the WebSocket: rate limit, parsing of fixes,
 * ingestion, and the live view (location, signal, ETA) of snapshots. Thread-safe.
 */
public final class DriverEndpoints {
    private final TrackingServletConfig config;
    private final RateLimiter rateLimiter;
    private final LocationIngestor ingest;
    private final StreamHub hub;

    /** The driver side of {@code hub}: its counters and its connection registry for sockets. */
    public DriverEndpoints(TrackingServletConfig config, StreamHub hub) {
        this.config = config;
        this.hub = hub;
        this.rateLimiter = new RateLimiter(config.tracker().clock(), config.driverRateLimit(), config.driverRateWindow());
        this.ingest = config.locationIngestor();
    }

    public StreamHub hub() {
        return hub;
    }

    public TrackingServletConfig config() {
        return config;
    }

    /** Returns 0 if the driver may send now, else the milliseconds to wait. */
    public long rateLimit(String driverId) {
        long wait = rateLimiter.tryAcquire(driverId);
        if (wait > 0) {
            hub.metrics().countRateLimited();
        }
        return wait;
    }

    /** {@code POST /drivers/{id}/locations}, after authorization. */
    public void batch(HttpServletRequest request, HttpServletResponse response, String driverId) throws IOException {
        long wait = rateLimit(driverId);
        if (wait > 0) {
            long seconds = Math.max(1, (wait + 999) / 1000);
            throw Problem.of(ProblemType.RATE_LIMITED, "driver '" + driverId + "' sends more than "
                    + config.driverRateLimit() + " messages per " + config.driverRateWindow())
                    .header("Retry-After", Long.toString(seconds));
        }
        JsonNode body = Requests.jsonBody(request, config.maxBodyBytes());
        JsonNode fixes = body.get("fixes");
        if (fixes == null || !fixes.isArray()) {
            throw Problem.of(ProblemType.INVALID_REQUEST, "fixes must be an array of fix objects");
        }
        if (ingest == null) {
            throw Problem.of(ProblemType.UNAVAILABLE, "no location pipeline is configured on this server");
        }
        IngestResult outcome = apply(driverId, fixes);
        String json = Snapshots.write(g -> {
            g.writeStartObject();
            g.writeNumberField("applied", outcome.applied());
            g.writeArrayFieldStart("rejected");
            for (IngestResult.Rejected r : outcome.rejected()) {
                g.writeStartObject();
                g.writeNumberField("index", r.index());
                g.writeStringField("reason", r.reason().code());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("up_to", outcome.upTo() == null ? null : outcome.upTo().toString());
            g.writeEndObject();
        });
        Responses.json(response, 200, json);
    }

    /**
     * Parses and ingests a JSON array of fixes; entries that cannot be parsed are rejected by index
     * without affecting the others.
     *
     * @throws Problem {@link ProblemType#BATCH_TOO_LARGE} if the array exceeds the batch limit
     */
    public IngestResult apply(String driverId, JsonNode array) {
        if (array.size() > config.maxBatchSize()) {
            throw Problem.of(ProblemType.BATCH_TOO_LARGE, "a batch may hold at most " + config.maxBatchSize()
                    + " fixes, but had " + array.size()).with("max_batch_size", config.maxBatchSize());
        }
        Instant now = config.tracker().now();
        List<LocationFix> parsed = new ArrayList<>(array.size());
        int[] index = new int[array.size()];
        List<IngestResult.Rejected> unparsed = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            try {
                LocationFix fix = JsonCodec.readFix(array.get(i), now);
                index[parsed.size()] = i;
                parsed.add(fix);
            } catch (InvalidFixException e) {
                unparsed.add(new IngestResult.Rejected(i, e.reason(), e.getMessage()));
            }
        }
        IngestResult outcome = parsed.isEmpty() ? IngestResult.empty() : ingest.ingest(driverId, parsed);
        if (!unparsed.isEmpty() || parsed.size() != array.size()) {
            outcome = outcome.remap(Arrays.copyOf(index, parsed.size()), unparsed);
        }
        hub.metrics().countFixes(outcome.applied(), outcome.rejected().size());
        return outcome;
    }

    public boolean hasIngest() {
        return ingest != null;
    }
}
