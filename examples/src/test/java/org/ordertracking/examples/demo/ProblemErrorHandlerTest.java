package org.ordertracking.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.ordertracking.servlet.ProblemType;

class ProblemErrorHandlerTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void uriTooLong_isItsOwnProblemType() throws Exception {
        JsonNode body = MAPPER.readTree(ProblemErrorHandler.body(414, "URI Too Long", null));
        assertEquals(ProblemType.URI_TOO_LONG.uri().toString(), body.path("type").asText());
        assertEquals(ProblemType.URI_TOO_LONG.title(), body.path("title").asText());
        assertEquals(414, body.path("status").asInt());
        assertFalse(body.has("instance"), "no request, no instance");
    }

    @Test
    void headersTooLarge_isItsOwnProblemType() throws Exception {
        JsonNode body = MAPPER.readTree(ProblemErrorHandler.body(431, "Request Header Fields Too Large", "/x"));
        assertEquals(ProblemType.HEADERS_TOO_LARGE.uri().toString(), body.path("type").asText());
        assertEquals(ProblemType.HEADERS_TOO_LARGE.title(), body.path("title").asText());
        assertEquals(431, body.path("status").asInt());
        assertEquals("Request Header Fields Too Large", body.path("detail").asText());
    }

    @Test
    void aStatusWithoutAProblemType_isAboutBlankWithTheReasonAsTitle() throws Exception {
        JsonNode body = MAPPER.readTree(ProblemErrorHandler.body(418, null, null));
        assertEquals("about:blank", body.path("type").asText());
        assertEquals(418, body.path("status").asInt());
        assertEquals(body.path("title").asText(), body.path("detail").asText());
    }
}
