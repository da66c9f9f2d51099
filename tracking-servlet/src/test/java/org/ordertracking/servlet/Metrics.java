package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.ordertracking.core.internal.JsonCodec;

/** Reads GET /metrics as the operator. */
final class Metrics {
    private Metrics() {
    }

    static JsonNode read(Node node) throws Exception {
        HttpResponse<String> r = node.get("/metrics", Node.operator());
        assertEquals(200, r.statusCode(), r.body());
        return JsonCodec.mapper().readTree(r.body());
    }
}
