package org.ordertracking.servlet.internal;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.ordertracking.core.internal.Checks;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.servlet.ProblemType;

/** Reading requests: tokens, query parameters, bounded JSON bodies, typed fields. Stateless. */
public final class Requests {
    private static final ObjectReader READER = JsonCodec.mapper().reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The query parameter that may carry the token where a header cannot be sent. */
    public static final String ACCESS_TOKEN = "access_token";

    private Requests() {
    }

    /** The bearer token of the Authorization header, else the access_token query parameter, else null. */
    public static String token(String authorization, String query) {
        if (authorization != null) {
            String trimmed = authorization.trim();
            if (trimmed.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return trimmed.substring(7).trim();
            }
            return trimmed.isEmpty() ? null : "";
        }
        return queryParameter(query, ACCESS_TOKEN);
    }

    /** A query parameter from the raw query string (never from a form body), or null. */
    public static String queryParameter(String query, String name) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (decode(key).equals(name)) {
                return eq < 0 ? "" : decode(pair.substring(eq + 1));
            }
        }
        return null;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw Problem.of(ProblemType.INVALID_REQUEST, "the query string is not valid percent-encoding");
        }
    }

    /** Requires a valid id from a path segment. */
    public static String pathId(String value, String what) {
        if (!Checks.isValidId(value)) {
            throw Problem.of(ProblemType.INVALID_REQUEST, what + " must be 1 to 128 characters of [A-Za-z0-9_.-]");
        }
        return value;
    }

    /**
     * Reads the body as one JSON object: {@code application/json} (or {@code +json}), identity or gzip
     * encoded, at most {@code maxBytes} after decompression.
     */
    public static JsonNode jsonBody(HttpServletRequest request, int maxBytes) throws IOException {
        String contentType = request.getContentType();
        String media = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json") && !(media.startsWith("application/") && media.endsWith("+json"))) {
            throw Problem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "the body must be application/json, but was " + (contentType == null ? "absent" : "'" + abbreviate(contentType) + "'"))
                    .header("Accept", "application/json");
        }
        String encoding = request.getHeader("Content-Encoding");
        boolean gzip = false;
        if (encoding != null && !encoding.isBlank()) {
            String e = encoding.trim().toLowerCase(Locale.ROOT);
            if (e.equals("gzip") || e.equals("x-gzip")) {
                gzip = true;
            } else if (!e.equals("identity")) {
                throw Problem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                        "Content-Encoding must be gzip or identity, but was '" + abbreviate(encoding) + "'")
                        .header("Accept-Encoding", "gzip, identity");
            }
        }
        long length = request.getContentLengthLong();
        if (length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        byte[] bytes;
        try (InputStream raw = request.getInputStream()) {
            byte[] wire = length >= 0 ? readDeclared(raw, (int) length, maxBytes) : readAtMost(raw, maxBytes);
            if (gzip) {
                try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(wire))) {
                    bytes = readAtMost(in, maxBytes);
                } catch (ZipException | java.io.EOFException e) {
                    throw Problem.of(ProblemType.MALFORMED_JSON, "the gzip body is corrupt or truncated");
                }
            } else {
                bytes = wire;
            }
        }
        if (bytes.length == 0) {
            throw Problem.of(ProblemType.MALFORMED_JSON, "the body is empty; a JSON object is required");
        }
        JsonNode node;
        try {
            node = READER.readTree(bytes);
        } catch (IOException e) {
            throw Problem.of(ProblemType.MALFORMED_JSON, "the body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw Problem.of(ProblemType.MALFORMED_JSON, "the body must be a JSON object");
        }
        return node;
    }

    /**
     * Reads a body of declared length into an array of that size, with no growing copies; a body
     * longer than declared (which a container should never deliver) is read on and bounded as usual.
     */
    private static byte[] readDeclared(InputStream in, int length, int maxBytes) throws IOException {
        byte[] bytes = in.readNBytes(length);
        int next = bytes.length < length ? -1 : in.read();
        if (next < 0) {
            return bytes;
        }
        if (length + 1 > maxBytes) {
            throw tooLarge(maxBytes);
        }
        byte[] rest = readAtMost(in, maxBytes - length - 1, maxBytes);
        byte[] all = java.util.Arrays.copyOf(bytes, length + 1 + rest.length);
        all[length] = (byte) next;
        System.arraycopy(rest, 0, all, length + 1, rest.length);
        return all;
    }

    private static byte[] readAtMost(InputStream in, int maxBytes) throws IOException {
        return readAtMost(in, maxBytes, maxBytes);
    }

    /** Reads at most {@code budget} bytes; more is refused as larger than {@code maxBytes}, the body's limit. */
    private static byte[] readAtMost(InputStream in, int budget, int maxBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(budget, 8192));
        byte[] buffer = new byte[8192];
        int total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            total += n;
            if (total > budget) {
                throw tooLarge(maxBytes);
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static Problem tooLarge(int maxBytes) {
        return Problem.of(ProblemType.PAYLOAD_TOO_LARGE, "the body is larger than " + maxBytes + " bytes")
                .with("max_bytes", maxBytes);
    }

    /** A required string field. */
    public static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw Problem.of(ProblemType.INVALID_REQUEST, field + " is required");
        }
        if (!value.isTextual()) {
            throw Problem.of(ProblemType.INVALID_REQUEST, field + " must be a string");
        }
        return value.asText();
    }

    /** An optional string field, null when absent or null. */
    public static String optionalText(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw Problem.of(ProblemType.INVALID_REQUEST, field + " must be a string");
        }
        return value.asText();
    }

    /** A required id field. */
    public static String id(JsonNode body, String field) {
        String value = text(body, field);
        if (!Checks.isValidId(value)) {
            throw Problem.of(ProblemType.INVALID_REQUEST, field + " must be 1 to 128 characters of [A-Za-z0-9_.-]");
        }
        return value;
    }

    /** A required finite number field. */
    public static double number(JsonNode body, String field, String path) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw Problem.of(ProblemType.INVALID_REQUEST, path + " is required");
        }
        if (!value.isNumber() || !Double.isFinite(value.doubleValue())) {
            throw Problem.of(ProblemType.INVALID_REQUEST, path + " must be a number");
        }
        return value.doubleValue();
    }

    public static String abbreviate(String s) {
        String clean = s.replaceAll("[\\p{Cntrl}]", "?");
        return clean.length() > 60 ? clean.substring(0, 60) + "…" : clean;
    }
}
