package org.ordertracking.client.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.ordertracking.client.Fix;
import org.ordertracking.client.Instruction;

/** The JSON the client sends and reads: the server's wire format for fixes, batches and socket frames. */
public final class Wire {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();
    private static final Pattern FIX_INDEX = Pattern.compile("^fix (\\d+): ");

    /** The fix rejection codes of the server (a fix, not a frame, was refused). */
    private static final java.util.Set<String> FIX_CODES = java.util.Set.of("malformed", "invalid_coordinates",
            "null_island", "invalid_accuracy", "invalid_heading", "invalid_speed", "recorded_in_future", "too_old",
            "gps_jump");

    private Wire() {
    }

    /** What a socket frame from the server says. */
    public sealed interface ServerFrame {
    }

    /** {@code {"type":"ack","up_to":"…"}}. */
    public record Ack(Instant upTo) implements ServerFrame {
    }

    /**
     * {@code {"type":"error","code","message"}}; {@code index} is the fix's index in a batch frame: an
     * {@code "index"} field if the server sends one, else the message's {@code "fix 3: …"} prefix (what
     * today's server writes), else -1.
     */
    public record Error(String code, String message, int index) implements ServerFrame {
        /** Whether the code is a fix rejection (as opposed to a refusal of the whole frame). */
        public boolean isFixRejection() {
            return FIX_CODES.contains(code);
        }
    }

    /** An instruction frame. */
    public record InstructionFrame(Instruction instruction) implements ServerFrame {
    }

    /** A frame this client does not know (a newer server): ignored. */
    public record Unknown(String type) implements ServerFrame {
    }

    /** One rejected fix of a batch answer. */
    public record Rejection(int index, String reason) {
    }

    /** The answer to {@code POST /drivers/{id}/locations}. */
    public record BatchAnswer(int applied, List<Rejection> rejected, Instant upTo) {
    }

    /** Parses a frame from the server; malformed frames are {@link Unknown}. */
    public static ServerFrame parseFrame(String text) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (IOException e) {
            return new Unknown(null);
        }
        if (node == null || !node.isObject() || !node.path("type").isTextual()) {
            return new Unknown(null);
        }
        String type = node.get("type").asText();
        switch (type) {
            case "ack" -> {
                Instant upTo = instant(node.get("up_to"));
                return upTo == null ? new Unknown(type) : new Ack(upTo);
            }
            case "error" -> {
                String code = node.path("code").asText("");
                String message = node.path("message").asText("");
                Matcher m = FIX_INDEX.matcher(message);
                int index = -1;
                if (m.find()) {
                    try {
                        index = Integer.parseInt(m.group(1));
                        message = message.substring(m.end());
                    } catch (NumberFormatException e) {
                        index = -1;
                    }
                }
                if (node.path("index").isInt()) {
                    index = node.get("index").asInt(); // an explicit index field wins over the message's prefix
                }
                return new Error(code, message, index);
            }
            default -> {
                Instruction.Type kind = Instruction.Type.fromWire(type);
                JsonNode order = node.get("order_id");
                if (kind != null && order != null && order.isTextual() && !order.asText().isBlank()) {
                    return new InstructionFrame(new Instruction(kind, order.asText()));
                }
                return new Unknown(type);
            }
        }
    }

    /**
     * Parses the batch endpoint's 200 answer.
     *
     * @throws IOException if it is not the documented shape
     */
    public static BatchAnswer parseBatchAnswer(String body) throws IOException {
        JsonNode node = MAPPER.readTree(body);
        if (node == null || !node.isObject() || !node.path("applied").isInt() || !node.path("rejected").isArray()) {
            throw new IOException("the batch answer is not {applied, rejected, up_to}: " + abbreviate(body));
        }
        List<Rejection> rejected = new ArrayList<>();
        for (JsonNode r : node.get("rejected")) {
            rejected.add(new Rejection(r.path("index").asInt(-1), r.path("reason").asText("")));
        }
        return new BatchAnswer(node.get("applied").asInt(), rejected, instant(node.get("up_to")));
    }

    /** The {@code detail} of a problem+json body, or the body itself (abbreviated). */
    public static String problemDetail(String body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node != null && node.path("detail").isTextual()) {
                return node.get("detail").asText();
            }
        } catch (IOException e) {
            // not JSON
        }
        return abbreviate(body);
    }

    /** The problem type's last path segment ({@code batch-too-large}), or "". */
    public static String problemType(String body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node != null && node.path("type").isTextual()) {
                String t = node.get("type").asText();
                return t.substring(t.lastIndexOf('/') + 1);
            }
        } catch (IOException e) {
            // not JSON
        }
        return "";
    }

    private static Instant instant(JsonNode node) {
        if (node == null || !node.isTextual()) {
            return null;
        }
        try {
            return Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** {@code {"fixes":[…]}}, gzip-compressed. */
    public static byte[] gzippedBatch(List<Journal.Entry> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + entries.size() * 40);
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes, 4096);
                JsonGenerator g = FACTORY.createGenerator(gzip)) {
            g.writeStartObject();
            g.writeArrayFieldStart("fixes");
            for (Journal.Entry e : entries) {
                writeFix(g, e.fix());
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: cannot happen
        }
        return bytes.toByteArray();
    }

    /** A socket frame: {@code location} for one fix, {@code batch} for several. */
    public static String frame(List<Journal.Entry> entries) {
        StringWriter out = new StringWriter(64 + entries.size() * 100);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            if (entries.size() == 1) {
                g.writeStringField("type", "location");
                g.writeFieldName("fix");
                writeFix(g, entries.get(0).fix());
            } else {
                g.writeStringField("type", "batch");
                g.writeArrayFieldStart("fixes");
                for (Journal.Entry e : entries) {
                    writeFix(g, e.fix());
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static void writeFix(JsonGenerator g, Fix fix) throws IOException {
        g.writeStartObject();
        g.writeNumberField("lat", fix.lat());
        g.writeNumberField("lon", fix.lon());
        if (fix.accuracy() != null) {
            g.writeNumberField("accuracy", fix.accuracy());
        }
        if (fix.heading() != null) {
            g.writeNumberField("heading", fix.heading());
        }
        if (fix.speed() != null) {
            g.writeNumberField("speed", fix.speed());
        }
        g.writeStringField("recorded_at", fix.recordedAt().toString());
        g.writeEndObject();
    }

    static String abbreviate(String s) {
        return s == null ? "" : s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
