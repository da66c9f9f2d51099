package org.ordertracking.servlet.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.servlet.ProblemType;

/** A request refused with an RFC 9457 problem; thrown inside the servlet, written by {@link #write}. */
public final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ProblemType type;
    private final transient Map<String, Object> extensions = new LinkedHashMap<>();
    private final transient Map<String, String> headers = new LinkedHashMap<>();

    public Problem(ProblemType type, String detail) {
        super(detail, null, false, false);
        this.type = type;
    }

    public static Problem of(ProblemType type, String detail) {
        return new Problem(type, detail);
    }

    public Problem with(String name, Object value) {
        extensions.put(name, value);
        return this;
    }

    public Problem header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** The headers {@link #write} sets besides the standard ones, e.g. {@code Allow}; read-only. */
    public Map<String, String> headers() {
        return java.util.Collections.unmodifiableMap(headers);
    }

    public ProblemType type() {
        return type;
    }

    public String detail() {
        return getMessage();
    }

    public byte[] body(String instance) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JsonCodec.mapper().getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", type.uri().toString());
            g.writeStringField("title", type.title());
            g.writeNumberField("status", type.status());
            g.writeStringField("detail", getMessage());
            if (instance != null) {
                g.writeStringField("instance", instance);
            }
            for (Map.Entry<String, Object> e : extensions.entrySet()) {
                g.writeFieldName(e.getKey());
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static void writeValue(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof Number n) {
            g.writeNumber(n.longValue());
        } else if (value instanceof Iterable<?> items) {
            g.writeStartArray();
            for (Object item : items) {
                writeValue(g, item);
            }
            g.writeEndArray();
        } else {
            g.writeString(value.toString());
        }
    }

    /** Writes the problem unless the response is already committed. */
    public void write(HttpServletResponse response, String instance) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(type.status());
        headers.forEach(response::setHeader);
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/problem+json");
        response.setCharacterEncoding("UTF-8");
        byte[] body = body(instance);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
