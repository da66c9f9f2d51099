package org.ordertracking.servlet.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one place responses are written: JSON bodies ({@code Cache-Control: no-store} unless set),
 * JSON with an {@code ETag} answering {@code If-None-Match} with 304, the headers of an SSE
 * response, and problem+json (through {@link Problem#write}). Stateless.
 */
public final class Responses {
    /** Hex digits of the SHA-256 prefix that make an ETag: 12 bytes, 96 bits. */
    private static final int ETAG_BYTES = 12;
    private static final HexFormat HEX = HexFormat.of();

    private Responses() {
    }

    /** Writes {@code json} with {@code status}; {@code Cache-Control: no-store} unless a handler set one. */
    public static void json(HttpServletResponse response, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        if (response.getHeader("Cache-Control") == null) {
            response.setHeader("Cache-Control", "no-store");
        }
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /**
     * Writes a cacheable-but-revalidated {@code json} body ({@code Cache-Control: private, no-cache})
     * with its {@link #etag}; answers 304 without a body if {@code If-None-Match} names it.
     */
    public static void jsonWithEtag(HttpServletRequest request, HttpServletResponse response, String json)
            throws IOException {
        String etag = etag(json);
        response.setHeader("ETag", etag);
        response.setHeader("Cache-Control", "private, no-cache");
        if (ifNoneMatch(request.getHeader("If-None-Match"), etag)) {
            response.setStatus(304);
            return;
        }
        json(response, 200, json);
    }

    /** The strong ETag of a body: the first 12 bytes of its UTF-8 SHA-256 in lower-case hex, quoted. */
    public static String etag(String body) {
        byte[] digest = sha256().digest(body.getBytes(StandardCharsets.UTF_8));
        return '"' + HEX.formatHex(digest, 0, ETAG_BYTES) + '"';
    }

    /**
     * Whether an {@code If-None-Match} header value matches {@code etag} under the weak comparison of
     * RFC 9110 §13.1.2: any member of the comma-separated list equal to it with or without a
     * {@code W/} prefix, or {@code *}. A null header matches nothing.
     */
    public static boolean ifNoneMatch(String header, String etag) {
        if (header == null) {
            return false;
        }
        for (String candidate : header.split(",")) {
            String c = candidate.trim();
            if (c.startsWith("W/")) {
                c = c.substring(2);
            }
            if (c.equals("*") || c.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The response buffer of an SSE stream, in bytes. A stream writes each frame and flushes at once, so
     * the buffer never holds more than the frames queued at one moment; a frame larger than it is
     * written past it. The container keeps the buffer for the whole life of the response (Jetty's
     * default is 32 KB, and by default off the heap), so its size is memory held per open stream, not
     * speed.
     */
    public static final int STREAM_BUFFER_BYTES = 2048;

    /**
     * The headers of an SSE response: 200, {@code text/event-stream}, no caching, no proxy buffering,
     * and a {@linkplain #STREAM_BUFFER_BYTES small response buffer}.
     */
    public static void streamHeaders(HttpServletResponse response) {
        response.setBufferSize(STREAM_BUFFER_BYTES);
        response.setStatus(200);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Accel-Buffering", "no");
    }

    /** 204 with {@code Cache-Control: no-store}: a stream with nothing left to send. */
    public static void noContent(HttpServletResponse response) {
        response.setStatus(204);
        response.setHeader("Cache-Control", "no-store");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
