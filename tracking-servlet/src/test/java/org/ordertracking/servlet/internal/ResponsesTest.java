package org.ordertracking.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponsesTest {

    @Test
    void streamHeaders_setASmallResponseBufferBeforeTheStatus_soAnOpenStreamHoldsLittleMemory() {
        List<String> calls = new ArrayList<>();
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
                    calls.add(method.getName() + (args == null ? "" : "=" + args[0]));
                    return null;
                });
        Responses.streamHeaders(response);
        assertEquals("setBufferSize=" + Responses.STREAM_BUFFER_BYTES, calls.get(0), calls.toString());
        assertTrue(Responses.STREAM_BUFFER_BYTES <= 4096, "a buffer is held for the whole life of a stream");
        assertTrue(calls.contains("setContentType=text/event-stream"), calls.toString());
    }
    private static final String TAG = Responses.etag("[]");

    @Test
    void etag_isTheQuotedHexOfTheFirst12BytesOfTheSha256() {
        // SHA-256("[]") = 4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
        assertEquals("\"4f53cda18c2baa0c0354bb5f\"", TAG);
        assertNotEquals(TAG, Responses.etag("[ ]"));
    }

    @Test
    void ifNoneMatch_exactTag_matches() {
        assertTrue(Responses.ifNoneMatch(TAG, TAG));
    }

    @Test
    void ifNoneMatch_weakTag_matchesByWeakComparison() {
        assertTrue(Responses.ifNoneMatch("W/" + TAG, TAG));
    }

    @Test
    void ifNoneMatch_listWithTheTagAnywhere_matches() {
        assertTrue(Responses.ifNoneMatch("\"aaa\", W/\"bbb\"," + TAG, TAG));
        assertTrue(Responses.ifNoneMatch(" " + TAG + " ,\"aaa\"", TAG));
    }

    @Test
    void ifNoneMatch_star_matchesAnyTag() {
        assertTrue(Responses.ifNoneMatch("*", TAG));
        assertTrue(Responses.ifNoneMatch("\"aaa\", *", TAG));
    }

    @Test
    void ifNoneMatch_otherTagsOrNoHeader_doNotMatch() {
        assertFalse(Responses.ifNoneMatch(null, TAG));
        assertFalse(Responses.ifNoneMatch("", TAG));
        assertFalse(Responses.ifNoneMatch("\"aaa\", W/\"bbb\"", TAG));
        assertFalse(Responses.ifNoneMatch(TAG.substring(1, TAG.length() - 1), TAG), "an unquoted tag is another tag");
    }
}
