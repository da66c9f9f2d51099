package org.ordertracking.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.servlet.ProblemType;

/**
 * Reading requests without a container: tokens, query parameters, path ids, bounded JSON bodies and
 * typed fields. Each malformed input must end in the problem the HTTP edge answers with.
 */
class RequestsTest {
    private static final int MAX = 64;

    // ---- tokens and query parameters

    @Test
    void token_bearerHeader_inAnyCase_isTheTrimmedToken() {
        assertEquals("abc", Requests.token("Bearer abc", null));
        assertEquals("abc", Requests.token("  bearer   abc  ", "access_token=other"));
    }

    @Test
    void token_headerOfAnotherScheme_isEmptySoItFailsAuthentication() {
        assertEquals("", Requests.token("Basic dXNlcjpwYXNz", "access_token=abc"));
    }

    @Test
    void token_blankHeader_fallsBackToNothingNotToTheQuery() {
        assertNull(Requests.token("   ", "access_token=abc"));
    }

    @Test
    void token_noHeader_isThePercentDecodedAccessTokenParameter() {
        assertEquals("a.b+c", Requests.token(null, "x=1&access_token=a.b%2Bc"));
        assertNull(Requests.token(null, "x=1"));
        assertNull(Requests.token(null, null));
    }

    @Test
    void queryParameter_firstOccurrenceWins_andAKeyWithoutValueIsEmpty() {
        assertEquals("1", Requests.queryParameter("a=1&a=2", "a"));
        assertEquals("", Requests.queryParameter("flag&a=1", "flag"));
        assertEquals("x y", Requests.queryParameter("q=x+y", "q"));
        assertNull(Requests.queryParameter("", "a"));
    }

    @Test
    void queryParameter_brokenPercentEncoding_isAnInvalidRequest() {
        assertProblem(ProblemType.INVALID_REQUEST, "the query string is not valid percent-encoding",
                () -> Requests.queryParameter("a=%zz", "a"));
    }

    // ---- ids

    @Test
    void pathId_validId_isReturned() {
        assertEquals("o-1_A.b", Requests.pathId("o-1_A.b", "order id"));
        assertEquals("x".repeat(128), Requests.pathId("x".repeat(128), "order id"));
    }

    @Test
    void pathId_emptyTooLongOrOddCharacters_isAnInvalidRequestNamingTheField() {
        for (String bad : new String[] {"", "x".repeat(129), "o 1", "o/1", "ö", "o%201"}) {
            assertProblem(ProblemType.INVALID_REQUEST, "order id must be 1 to 128 characters of [A-Za-z0-9_.-]",
                    () -> Requests.pathId(bad, "order id"));
        }
    }

    // ---- bodies: media type and encoding

    @Test
    void jsonBody_jsonObject_isRead() throws Exception {
        JsonNode body = Requests.jsonBody(request("application/json", null, "{\"a\":1}"), MAX);
        assertEquals(1, body.get("a").asInt());
    }

    @Test
    void jsonBody_charsetParameterOrStructuredJsonSuffix_isAccepted() throws Exception {
        assertEquals(1, Requests.jsonBody(request("Application/JSON; charset=utf-8", null, "{\"a\":1}"), MAX)
                .get("a").asInt());
        assertEquals(1, Requests.jsonBody(request("application/merge-patch+json", null, "{\"a\":1}"), MAX)
                .get("a").asInt());
    }

    @Test
    void jsonBody_otherMediaType_isUnsupportedAndAdvertisesJson() throws Exception {
        Problem p = assertProblem(ProblemType.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json, but was 'text/plain'",
                () -> Requests.jsonBody(request("text/plain", null, "{}"), MAX));
        assertEquals("application/json", headersOf(p).get("Accept"));
    }

    @Test
    void jsonBody_noContentType_isUnsupportedAndSaysAbsent() {
        assertProblem(ProblemType.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json, but was absent",
                () -> Requests.jsonBody(request(null, null, "{}"), MAX));
    }

    @Test
    void jsonBody_contentTypeWithControlCharacters_isEchoedSafelyAndShort() {
        String hostile = "text/\u0007" + "x".repeat(100);
        Problem p = assertThrows(Problem.class, () -> Requests.jsonBody(request(hostile, null, "{}"), MAX));
        assertEquals(ProblemType.UNSUPPORTED_MEDIA_TYPE, p.type());
        assertTrue(p.detail().contains("'text/?" + "x".repeat(54) + "…'"), p.detail());
    }

    @Test
    void jsonBody_gzipOrIdentityEncoding_isDecoded() throws Exception {
        assertEquals(1, Requests.jsonBody(request("application/json", "gzip", gzip("{\"a\":1}")), MAX).get("a").asInt());
        assertEquals(1, Requests.jsonBody(request("application/json", "X-GZIP", gzip("{\"a\":1}")), MAX).get("a").asInt());
        assertEquals(1, Requests.jsonBody(request("application/json", "identity", "{\"a\":1}"), MAX).get("a").asInt());
    }

    @Test
    void jsonBody_otherEncoding_isUnsupportedAndAdvertisesGzip() throws Exception {
        Problem p = assertProblem(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Content-Encoding must be gzip or identity, but was 'br'",
                () -> Requests.jsonBody(request("application/json", "br", "{}"), MAX));
        assertEquals("gzip, identity", headersOf(p).get("Accept-Encoding"));
    }

    @Test
    void jsonBody_corruptOrTruncatedGzip_isMalformed() throws Exception {
        byte[] zipped = gzip("{\"a\":1}");
        assertProblem(ProblemType.MALFORMED_JSON, "the gzip body is corrupt or truncated",
                () -> Requests.jsonBody(request("application/json", "gzip", "{\"a\":1}"), MAX));
        assertProblem(ProblemType.MALFORMED_JSON, "the gzip body is corrupt or truncated",
                () -> Requests.jsonBody(request("application/json", "gzip", java.util.Arrays.copyOf(zipped, zipped.length / 2)), MAX));
    }

    // ---- bodies: sizes

    @Test
    void jsonBody_exactlyTheLimit_isAccepted() throws Exception {
        String json = "{\"a\":\"" + "x".repeat(MAX - 8) + "\"}";
        assertEquals(MAX, json.length());
        assertEquals(MAX - 8, Requests.jsonBody(request("application/json", null, json), MAX).get("a").asText().length());
    }

    @Test
    void jsonBody_declaredLengthOverTheLimit_isTooLargeBeforeReadingAByte() throws Exception {
        FakeBody body = new FakeBody("{}".getBytes(StandardCharsets.UTF_8));
        Problem p = assertProblem(ProblemType.PAYLOAD_TOO_LARGE, "the body is larger than " + MAX + " bytes",
                () -> Requests.jsonBody(request("application/json", null, body, MAX + 1), MAX));
        assertEquals(0, body.reads, "nothing was read");
        assertEquals(MAX, JsonCodec.mapper().readTree(p.body(null)).get("max_bytes").asInt());
    }

    @Test
    void jsonBody_undeclaredLengthOverTheLimit_isTooLarge() {
        byte[] big = ("{\"a\":\"" + "x".repeat(MAX) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertProblem(ProblemType.PAYLOAD_TOO_LARGE, "the body is larger than " + MAX + " bytes",
                () -> Requests.jsonBody(request("application/json", null, new FakeBody(big), -1), MAX));
    }

    @Test
    void jsonBody_moreBytesThanDeclared_isStillBoundedByTheLimit() {
        byte[] big = ("{\"a\":\"" + "x".repeat(MAX) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertProblem(ProblemType.PAYLOAD_TOO_LARGE, "the body is larger than " + MAX + " bytes",
                () -> Requests.jsonBody(request("application/json", null, new FakeBody(big), 10), MAX));
    }

    @Test
    void jsonBody_smallGzipThatInflatesPastTheLimit_isTooLarge() throws Exception {
        byte[] bomb = gzip("{\"a\":\"" + " ".repeat(100_000) + "\"}");
        assertTrue(bomb.length < MAX * 8, "compressed it is small: " + bomb.length);
        assertProblem(ProblemType.PAYLOAD_TOO_LARGE, "the body is larger than " + MAX * 8 + " bytes",
                () -> Requests.jsonBody(request("application/json", "gzip", bomb), MAX * 8));
    }

    // ---- bodies: JSON

    @Test
    void jsonBody_empty_isMalformedAndSaysAnObjectIsRequired() {
        assertProblem(ProblemType.MALFORMED_JSON, "the body is empty; a JSON object is required",
                () -> Requests.jsonBody(request("application/json", null, ""), MAX));
    }

    @Test
    void jsonBody_invalidDuplicateKeyOrTrailingJson_isMalformed() {
        for (String bad : new String[] {"{", "{\"a\":}", "{'a':1}", "{\"a\":1,\"a\":2}", "{} {}", "{}x"}) {
            assertProblem(ProblemType.MALFORMED_JSON, "the body is not valid JSON",
                    () -> Requests.jsonBody(request("application/json", null, bad), MAX));
        }
    }

    @Test
    void jsonBody_jsonThatIsNotAnObject_isMalformed() {
        for (String bad : new String[] {"[]", "1", "\"a\"", "null", "true"}) {
            assertProblem(ProblemType.MALFORMED_JSON, "the body must be a JSON object",
                    () -> Requests.jsonBody(request("application/json", null, bad), MAX));
        }
    }

    // ---- fields

    @Test
    void text_presentString_isReturned_missingNullOrNonStringIsInvalid() {
        ObjectNode body = object("{\"s\":\"v\",\"n\":null,\"i\":1,\"o\":{}}");
        assertEquals("v", Requests.text(body, "s"));
        assertProblem(ProblemType.INVALID_REQUEST, "missing is required", () -> Requests.text(body, "missing"));
        assertProblem(ProblemType.INVALID_REQUEST, "n is required", () -> Requests.text(body, "n"));
        assertProblem(ProblemType.INVALID_REQUEST, "i must be a string", () -> Requests.text(body, "i"));
        assertProblem(ProblemType.INVALID_REQUEST, "o must be a string", () -> Requests.text(body, "o"));
    }

    @Test
    void optionalText_missingOrNull_isNull_nonStringIsInvalid() {
        ObjectNode body = object("{\"s\":\"v\",\"n\":null,\"b\":true}");
        assertEquals("v", Requests.optionalText(body, "s"));
        assertNull(Requests.optionalText(body, "missing"));
        assertNull(Requests.optionalText(body, "n"));
        assertProblem(ProblemType.INVALID_REQUEST, "b must be a string", () -> Requests.optionalText(body, "b"));
    }

    @Test
    void id_validId_isReturned_badOrMissingIdIsInvalid() {
        ObjectNode body = object("{\"ok\":\"d-7\",\"space\":\"d 7\",\"empty\":\"\",\"num\":7}");
        assertEquals("d-7", Requests.id(body, "ok"));
        assertProblem(ProblemType.INVALID_REQUEST, "space must be 1 to 128 characters of [A-Za-z0-9_.-]",
                () -> Requests.id(body, "space"));
        assertProblem(ProblemType.INVALID_REQUEST, "empty must be 1 to 128 characters of [A-Za-z0-9_.-]",
                () -> Requests.id(body, "empty"));
        assertProblem(ProblemType.INVALID_REQUEST, "num must be a string", () -> Requests.id(body, "num"));
        assertProblem(ProblemType.INVALID_REQUEST, "driver_id is required", () -> Requests.id(body, "driver_id"));
    }

    @Test
    void number_finiteNumber_isReturned_missingTextOrNonFiniteIsInvalidUnderItsPath() {
        ObjectNode body = object("{\"lat\":33.9,\"int\":35,\"text\":\"33.9\",\"n\":null}");
        body.put("inf", Double.POSITIVE_INFINITY);
        body.put("nan", Double.NaN);
        assertEquals(33.9, Requests.number(body, "lat", "destination.lat"));
        assertEquals(35.0, Requests.number(body, "int", "destination.lon"));
        assertProblem(ProblemType.INVALID_REQUEST, "destination.lat is required",
                () -> Requests.number(body, "missing", "destination.lat"));
        assertProblem(ProblemType.INVALID_REQUEST, "destination.lat is required",
                () -> Requests.number(body, "n", "destination.lat"));
        assertProblem(ProblemType.INVALID_REQUEST, "destination.lat must be a number",
                () -> Requests.number(body, "text", "destination.lat"));
        assertProblem(ProblemType.INVALID_REQUEST, "destination.lat must be a number",
                () -> Requests.number(body, "inf", "destination.lat"));
        assertProblem(ProblemType.INVALID_REQUEST, "destination.lat must be a number",
                () -> Requests.number(body, "nan", "destination.lat"));
    }

    @Test
    void abbreviate_replacesControlCharactersAndCutsAtSixty() {
        assertEquals("a?b", Requests.abbreviate("a\nb"));
        assertEquals("x".repeat(60), Requests.abbreviate("x".repeat(60)));
        assertEquals("x".repeat(60) + "…", Requests.abbreviate("x".repeat(61)));
    }

    // ---- helpers

    private static Problem assertProblem(ProblemType type, String detail, Executable call) {
        Problem p = assertThrows(Problem.class, call);
        assertEquals(type, p.type(), p.detail());
        assertEquals(detail, p.detail());
        return p;
    }

    private static ObjectNode object(String json) {
        try {
            return (ObjectNode) JsonCodec.mapper().readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static HttpServletRequest request(String contentType, String encoding, String body) {
        return request(contentType, encoding, body.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpServletRequest request(String contentType, String encoding, byte[] body) {
        return request(contentType, encoding, new FakeBody(body), body.length);
    }

    /**
     * A request answering only what {@link Requests#jsonBody} asks: content type, Content-Encoding,
     * declared length and the body. Anything else fails the test.
     */
    private static HttpServletRequest request(String contentType, String encoding, ServletInputStream body,
            long declaredLength) {
        return (HttpServletRequest) Proxy.newProxyInstance(RequestsTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getContentType" -> contentType;
                    case "getHeader" -> "Content-Encoding".equalsIgnoreCase((String) args[0]) ? encoding : null;
                    case "getContentLengthLong" -> declaredLength;
                    case "getInputStream" -> body;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** The headers a problem sets on its response, read by writing it to a recording response. */
    private static Map<String, String> headersOf(Problem problem) throws IOException {
        Map<String, String> headers = new HashMap<>();
        ServletOutputStream sink = new ServletOutputStream() {
            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void write(int b) {
            }
        };
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(RequestsTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "isCommitted" -> false;
                    case "setHeader" -> headers.put((String) args[0], (String) args[1]);
                    case "getOutputStream" -> sink;
                    case "resetBuffer", "setStatus", "setContentType", "setCharacterEncoding", "setContentLength" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        problem.write(response, null);
        return headers;
    }

    /** A blocking body over bytes that counts the reads made of it. */
    private static final class FakeBody extends ServletInputStream {
        private final ByteArrayInputStream in;
        int reads;

        FakeBody(byte[] bytes) {
            this.in = new ByteArrayInputStream(bytes);
        }

        @Override
        public int read() {
            reads++;
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            reads++;
            return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
            return in.available() == 0;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            throw new UnsupportedOperationException();
        }
    }
}
