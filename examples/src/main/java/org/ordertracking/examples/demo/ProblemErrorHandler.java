package org.ordertracking.examples.demo;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.ordertracking.servlet.ProblemType;

/**
 * Jetty's own refusals — an ambiguous path, a URI or headers too large, an unknown path outside the
 * tracking servlet — as {@code application/problem+json} like every other error the demo sends,
 * instead of Jetty's HTML error page. Install it on the {@code Server} (refusals before any context
 * is chosen: 414, 431) and on the context (refusals inside it: ambiguous paths, {@code sendError}).
 *
 * <p>The {@code type} is the tracking servlet's {@link ProblemType} where one has the same status —
 * 414 {@code uri-too-long} and 431 {@code headers-too-large} exist for these container refusals —
 * otherwise {@code about:blank} (RFC 9457: the status code says it all) with the HTTP reason as the
 * title. The detail is Jetty's message for the status, never an exception's text.
 *
 * <p>Thread-safe; stateless.
 */
public final class ProblemErrorHandler extends ErrorHandler {
    private static final JsonFactory JSON = new JsonFactory();
    private static final String PROBLEM_JSON = "application/problem+json";

    public ProblemErrorHandler() {
        setShowStacks(false);
        setShowCauses(false);
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        byte[] body = body(code, message, request.getHttpURI() == null ? null : request.getHttpURI().getPath());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, PROBLEM_JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** The body Jetty sends for a message it could not parse into a request (no request exists yet). */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, PROBLEM_JSON));
        fields.put(HttpHeader.CACHE_CONTROL, "no-store");
        return ByteBuffer.wrap(body(status, reason, null));
    }

    /** The problem+json body for {@code status}; {@code instance} is left out when unknown. */
    static byte[] body(int status, String message, String instance) {
        ProblemType type = typeOf(status);
        String title = type != null ? type.title() : reason(status);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", type != null ? type.uri().toString() : "about:blank");
            g.writeStringField("title", title);
            g.writeNumberField("status", status);
            g.writeStringField("detail", detail(status, message, title));
            if (instance != null) {
                g.writeStringField("instance", instance.length() > 200 ? instance.substring(0, 200) + "…" : instance);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static ProblemType typeOf(int status) {
        return switch (status) {
            case 400 -> ProblemType.INVALID_REQUEST;
            case 401 -> ProblemType.UNAUTHORIZED;
            case 403 -> ProblemType.FORBIDDEN;
            case 404 -> ProblemType.NOT_FOUND;
            case 405 -> ProblemType.METHOD_NOT_ALLOWED;
            case 413 -> ProblemType.PAYLOAD_TOO_LARGE;
            case 414 -> ProblemType.URI_TOO_LONG;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
            case 431 -> ProblemType.HEADERS_TOO_LARGE;
            case 503 -> ProblemType.UNAVAILABLE;
            case 500 -> ProblemType.INTERNAL;
            default -> null;
        };
    }

    private static String detail(int status, String message, String title) {
        if (status >= 500 || message == null || message.isBlank()) {
            return title; // a 5xx message may carry internals
        }
        String clean = message.replaceAll("\\p{Cntrl}", " ").strip();
        return clean.length() > 200 ? clean.substring(0, 200) + "…" : clean;
    }

    private static String reason(int status) {
        String reason = HttpStatus.getMessage(status);
        return reason == null ? "HTTP " + status : reason;
    }
}
