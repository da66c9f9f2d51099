package org.ordertracking.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The JSON wire format of the design, in one place: status, location, signal, and the driver
 * instructions assignment, unassigned and cancelled (each {@code {"order_id","driver_id"}}) as
 * messages, orders, and driver location fixes. Field names are {@code snake_case}, statuses their
 * wire names, instants ISO-8601 UTC ({@code 2026-11-24T10:00:00Z}).
 *
 * <p>Stateless and thread-safe. Encoding streams straight to text without reflection.
 *
 * @since 0.1.0
 */
public final class WireCodec {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private WireCodec() {
    }

    /** Returns the JSON object of a message, exactly as the {@code data} of its SSE event. */
    public static String toJson(TrackingMessage message) {
        return write(g -> writeMessage(g, message));
    }

    /** Returns the JSON object of an event, as the {@code data} of a {@code status} SSE event. */
    public static String toJson(OrderEvent event) {
        return write(g -> writeEvent(g, event));
    }

    /**
     * Returns the JSON object of an order: {@code order_id}, {@code restaurant_id},
     * {@code customer_id}, {@code driver_id}, {@code destination}, {@code status}, {@code seq},
     * {@code created_at}, {@code updated_at}.
     */
    public static String toJson(TrackedOrder order) {
        return write(g -> writeOrder(g, order));
    }

    /**
     * Returns the JSON object of a fix as stored (every field, including {@code received_at}),
     * the form {@link #readStoredFix(String)} reads back.
     */
    public static String toStoredJson(LocationFix fix) {
        return write(g -> {
            g.writeStartObject();
            writeFixFields(g, fix);
            g.writeStringField("received_at", fix.receivedAt().toString());
            g.writeEndObject();
        });
    }

    /** Writes a message's JSON object to a generator; for adapters that compose larger documents. */
    public static void writeMessage(JsonGenerator g, TrackingMessage message) throws IOException {
        if (message instanceof TrackingMessage.StatusUpdate status) {
            writeEvent(g, status.event());
        } else if (message instanceof TrackingMessage.LocationUpdate location) {
            g.writeStartObject();
            g.writeStringField("order_id", location.orderId());
            g.writeStringField("driver_id", location.driverId());
            LocationFix fix = location.fix();
            g.writeNumberField("lat", fix.lat());
            g.writeNumberField("lon", fix.lon());
            writeNullableNumber(g, "accuracy", fix.accuracy());
            g.writeStringField("recorded_at", fix.recordedAt().toString());
            writeNullableNumber(g, "eta_seconds", location.etaSeconds());
            g.writeEndObject();
        } else if (message instanceof TrackingMessage.SignalUpdate signal) {
            g.writeStartObject();
            g.writeStringField("order_id", signal.orderId());
            g.writeStringField("state", signal.state().wireName());
            writeNullableInstant(g, "last_seen_at", signal.lastSeenAt());
            writeNullableNumber(g, "age_seconds", signal.ageSeconds());
            g.writeEndObject();
        } else if (message instanceof TrackingMessage.DriverAssigned assigned) {
            writeDriverInstruction(g, assigned.orderId(), assigned.driverId());
        } else if (message instanceof TrackingMessage.DriverUnassigned unassigned) {
            writeDriverInstruction(g, unassigned.orderId(), unassigned.driverId());
        } else if (message instanceof TrackingMessage.OrderCancelled cancelled) {
            writeDriverInstruction(g, cancelled.orderId(), cancelled.driverId());
        } else {
            throw new IllegalArgumentException("unknown message " + message);
        }
    }

    private static void writeDriverInstruction(JsonGenerator g, String orderId, String driverId) throws IOException {
        g.writeStartObject();
        g.writeStringField("order_id", orderId);
        g.writeStringField("driver_id", driverId);
        g.writeEndObject();
    }

    /** Writes an event's JSON object to a generator. */
    public static void writeEvent(JsonGenerator g, OrderEvent event) throws IOException {
        g.writeStartObject();
        g.writeStringField("order_id", event.orderId());
        g.writeNumberField("seq", event.seq());
        g.writeStringField("status", event.status().wireName());
        g.writeStringField("previous", event.previous() == null ? null : event.previous().wireName());
        g.writeStringField("reason", event.reason());
        g.writeStringField("at", event.at().toString());
        g.writeEndObject();
    }

    /** Writes an order's JSON object to a generator. */
    public static void writeOrder(JsonGenerator g, TrackedOrder order) throws IOException {
        g.writeStartObject();
        g.writeStringField("order_id", order.orderId());
        g.writeStringField("restaurant_id", order.restaurantId());
        g.writeStringField("customer_id", order.customerId());
        g.writeStringField("driver_id", order.driverId());
        g.writeObjectFieldStart("destination");
        g.writeNumberField("lat", order.destination().lat());
        g.writeNumberField("lon", order.destination().lon());
        g.writeEndObject();
        g.writeStringField("status", order.status().wireName());
        g.writeNumberField("seq", order.seq());
        g.writeStringField("created_at", order.createdAt().toString());
        g.writeStringField("updated_at", order.updatedAt().toString());
        g.writeEndObject();
    }

    /**
     * Reads a message of the given type from its JSON object, as written by {@link #toJson(TrackingMessage)}.
     * A status event read back has no actor (the wire form does not carry it).
     *
     * @throws IllegalArgumentException if the JSON or the type is not valid
     */
    public static TrackingMessage readMessage(String type, String json) {
        JsonNode node = parse(json);
        try {
            return switch (type) {
                case TrackingMessage.StatusUpdate.TYPE -> new TrackingMessage.StatusUpdate(readEvent(node));
                case TrackingMessage.LocationUpdate.TYPE -> new TrackingMessage.LocationUpdate(
                        text(node, "order_id"), text(node, "driver_id"),
                        new LocationFix(number(node, "lat"), number(node, "lon"), optionalNumber(node, "accuracy"),
                                null, null, instant(node, "recorded_at"), instant(node, "recorded_at")),
                        optionalLong(node, "eta_seconds"));
                case TrackingMessage.SignalUpdate.TYPE -> new TrackingMessage.SignalUpdate(
                        text(node, "order_id"), SignalState.fromWireName(text(node, "state")),
                        optionalInstant(node, "last_seen_at"), optionalLong(node, "age_seconds"));
                case TrackingMessage.DriverAssigned.TYPE -> new TrackingMessage.DriverAssigned(
                        text(node, "order_id"), text(node, "driver_id"));
                case TrackingMessage.DriverUnassigned.TYPE -> new TrackingMessage.DriverUnassigned(
                        text(node, "order_id"), text(node, "driver_id"));
                case TrackingMessage.OrderCancelled.TYPE -> new TrackingMessage.OrderCancelled(
                        text(node, "order_id"), text(node, "driver_id"));
                default -> throw new IllegalArgumentException("unknown message type '" + type + "'");
            };
        } catch (InvalidFixException e) {
            throw new IllegalArgumentException("invalid location in message: " + e.getMessage(), e);
        }
    }

    /** Reads an event from its JSON object. */
    public static OrderEvent readEvent(String json) {
        return readEvent(parse(json));
    }

    private static OrderEvent readEvent(JsonNode node) {
        JsonNode previous = node.get("previous");
        JsonNode reason = node.get("reason");
        return new OrderEvent(text(node, "order_id"), node.path("seq").asLong(0),
                OrderStatus.fromWireName(text(node, "status")),
                previous == null || previous.isNull() ? null : OrderStatus.fromWireName(previous.asText()),
                reason == null || reason.isNull() ? null : reason.asText(), null, instant(node, "at"));
    }

    /** Reads a fix written by {@link #toStoredJson(LocationFix)}. */
    public static LocationFix readStoredFix(String json) {
        JsonNode node = parse(json);
        Instant receivedAt = instant(node, "received_at");
        return readFix(node, receivedAt);
    }

    /**
     * Reads a fix sent by a driver app: {@code {"lat","lon","accuracy"?,"heading"?,"speed"?,"recorded_at"}}.
     * Unknown fields are ignored (newer apps may send more).
     *
     * @param node the fix object
     * @param receivedAt the server time of receipt, recorded in the fix
     * @throws InvalidFixException with {@link FixRejection#MALFORMED} if the shape or a type is wrong,
     *     or the reason of the failed check
     */
    public static LocationFix readFix(JsonNode node, Instant receivedAt) {
        if (node == null || !node.isObject()) {
            throw new InvalidFixException(FixRejection.MALFORMED, "a fix must be a JSON object");
        }
        JsonNode lat = node.get("lat");
        JsonNode lon = node.get("lon");
        if (lat == null || lon == null || !lat.isNumber() || !lon.isNumber()) {
            throw new InvalidFixException(FixRejection.INVALID_COORDINATES, "lat and lon must be numbers");
        }
        JsonNode recordedAt = node.get("recorded_at");
        if (recordedAt == null || !recordedAt.isTextual()) {
            throw new InvalidFixException(FixRejection.MALFORMED, "recorded_at must be an ISO-8601 instant string");
        }
        Instant recorded;
        try {
            recorded = Instant.parse(recordedAt.asText());
        } catch (DateTimeParseException e) {
            throw new InvalidFixException(FixRejection.MALFORMED,
                    "recorded_at must be an ISO-8601 UTC instant, but was '" + abbreviate(recordedAt.asText()) + "'");
        }
        return new LocationFix(lat.doubleValue(), lon.doubleValue(), fixNumber(node, "accuracy"),
                fixNumber(node, "heading"), fixNumber(node, "speed"), recorded, receivedAt);
    }

    /** Returns the shared, configured Jackson mapper (do not reconfigure it). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Writes a list of events as a JSON array to a generator. */
    public static void writeEvents(JsonGenerator g, List<OrderEvent> events) throws IOException {
        g.writeStartArray();
        for (OrderEvent event : events) {
            writeEvent(g, event);
        }
        g.writeEndArray();
    }

    private static Double fixNumber(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw new InvalidFixException(FixRejection.MALFORMED, field + " must be a number");
        }
        return value.doubleValue();
    }

    private static void writeNullableNumber(JsonGenerator g, String field, Number value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else if (value instanceof Long l) {
            g.writeNumberField(field, l);
        } else {
            g.writeNumberField(field, value.doubleValue());
        }
    }

    private static void writeNullableInstant(JsonGenerator g, String field, Instant value) throws IOException {
        g.writeStringField(field, value == null ? null : value.toString());
    }

    private static void writeFixFields(JsonGenerator g, LocationFix fix) throws IOException {
        g.writeNumberField("lat", fix.lat());
        g.writeNumberField("lon", fix.lon());
        writeNullableNumber(g, "accuracy", fix.accuracy());
        writeNullableNumber(g, "heading", fix.heading());
        writeNullableNumber(g, "speed", fix.speed());
        g.writeStringField("recorded_at", fix.recordedAt().toString());
    }

    private static JsonNode parse(String json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("expected a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return value.asText();
    }

    private static double number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) {
            throw new IllegalArgumentException(field + " must be a number");
        }
        return value.doubleValue();
    }

    private static Double optionalNumber(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : number(node, field);
    }

    private static Long optionalLong(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToLong()) {
            throw new IllegalArgumentException(field + " must be a whole number");
        }
        return value.asLong();
    }

    private static Instant instant(JsonNode node, String field) {
        try {
            return Instant.parse(text(node, field));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + " must be an ISO-8601 instant", e);
        }
    }

    private static Instant optionalInstant(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : instant(node, field);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    @FunctionalInterface
    private interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    private static String write(Writer writer) {
        SegmentedStringWriter out = new SegmentedStringWriter(FACTORY._getBufferRecycler());
        try {
            try (JsonGenerator g = FACTORY.createGenerator(out)) {
                writer.write(g);
            }
            return out.getAndClear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
