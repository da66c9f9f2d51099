package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.ordertracking.core.internal.JsonCodec;

/** Reads GET /metrics as the operator. */
final class Metrics {
    private Metrics() {
    }

    /** How long a test waits for the metrics to show what it expects. */
    static final Duration WAIT = Duration.ofSeconds(20);

    static JsonNode read(Node node) throws Exception {
        HttpResponse<String> r = node.get("/metrics", Node.operator());
        assertEquals(200, r.statusCode(), r.body());
        return JsonCodec.mapper().readTree(r.body());
    }

    /** The open connections of one kind ({@code customer_stream}, {@code driver_socket}, ...). */
    static int connections(Node node, String kind) throws Exception {
        return read(node).get("connections").get(kind).asInt();
    }

    /** The streams the leak sweep has closed. */
    static int leaksClosed(Node node) throws Exception {
        return read(node).get("leaks_closed").asInt();
    }
}
