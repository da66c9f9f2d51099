package org.ordertracking.servlet;

import java.net.URI;

/**
 * The stable {@code type} URIs of the {@code application/problem+json} (RFC 9457) error bodies,
 * each with its HTTP status and title. Clients may switch on {@link #uri()}; the URIs do not
 * change within a major version. They identify, they need not resolve.
 *
 * @since 0.1.0
 */
public enum ProblemType {
    /** 400: the body is not JSON, or not the JSON object expected. */
    MALFORMED_JSON(400, "malformed-json", "Malformed JSON"),
    /** 400: a field is missing, has the wrong type or an invalid value; an id or a query parameter is invalid. */
    INVALID_REQUEST(400, "invalid-request", "Invalid request"),
    /** 401: no token, or a malformed, tampered or expired one. */
    UNAUTHORIZED(401, "unauthorized", "Unauthorized"),
    /** 403: the caller may not do this to this resource. */
    FORBIDDEN(403, "forbidden", "Forbidden"),
    /** 404: no such order, or no such endpoint. */
    NOT_FOUND(404, "not-found", "Not found"),
    /** 405: the path exists but not with this method. */
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    /** 409: the state machine has no such edge from the order's current status. */
    ILLEGAL_TRANSITION(409, "illegal-transition", "Illegal transition"),
    /** 409: an order with this id is already registered. */
    DUPLICATE_ORDER(409, "duplicate-order", "Duplicate order"),
    /** 413: the body exceeds the size limit. */
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "Payload too large"),
    /** 413: a batch holds more fixes than the batch limit. */
    BATCH_TOO_LARGE(413, "batch-too-large", "Batch too large"),
    /** 415: the body is not {@code application/json}, or its encoding is neither identity nor gzip. */
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
    /**
     * 414: the request line's URI (path and query) is longer than the container accepts. Sent by the
     * container before any servlet runs, so only by an error handler that writes problem+json (see
     * docs/servlet.md, "Container refusals as problem+json"); the servlet itself never sends it.
     *
     * @since 0.1.0
     */
    URI_TOO_LONG(414, "uri-too-long", "URI too long"),
    /**
     * 431: the request's header fields are larger than the container accepts (a header line, or all
     * of them). Sent by the container before any servlet runs, like {@link #URI_TOO_LONG}.
     *
     * @since 0.1.0
     */
    HEADERS_TOO_LARGE(431, "headers-too-large", "Request header fields too large"),
    /**
     * 429: the driver sends faster than the per-driver rate limit, or a client address opens streams
     * faster than the stream open rate; with {@code Retry-After}.
     */
    RATE_LIMITED(429, "rate-limited", "Too many requests"),
    /**
     * 429: the caller's subject or client address already holds as many open streams (and, for a
     * subject, driver sockets) as the caps allow; with {@code Retry-After}.
     *
     * @since 0.1.0
     */
    TOO_MANY_STREAMS(429, "too-many-streams", "Too many streams"),
    /** 503: the server is shutting down or cannot take the stream now. */
    UNAVAILABLE(503, "unavailable", "Service unavailable"),
    /**
     * 503: this node is draining before a planned stop ({@link TrackingServlet#drain(java.time.Duration)})
     * and opens no new stream; with {@code Retry-After}. Connect again, to another node.
     *
     * @since 0.1.0
     */
    DRAINING(503, "draining", "Draining"),
    /** 500: a bug; the detail never reveals internals. */
    INTERNAL(500, "internal", "Internal error");

    /** Common prefix of every type URI. */
    public static final String BASE = "https://ordertracking.org/problems/";

    private final int status;
    private final String slug;
    private final String title;
    private final URI uri;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.uri = URI.create(BASE + slug);
    }

    /** Returns the HTTP status. */
    public int status() {
        return status;
    }

    /** Returns the stable {@code type} URI, e.g. {@code https://ordertracking.org/problems/illegal-transition}. */
    public URI uri() {
        return uri;
    }

    /** Returns the last path segment of the URI, e.g. {@code illegal-transition}; also the WebSocket error code. */
    public String slug() {
        return slug;
    }

    /** Returns the short human title. */
    public String title() {
        return title;
    }
}
