package org.ordertracking.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import org.ordertracking.core.internal.JsonCodec;

/**
 * The JSON wire format of the design, in one place: status, location, signal, the driver
 * instructions assignment, unassigned and cancelled (each {@code {"order_id","driver_id"}}), the
 * operations messages restaurant_offline, restaurant_online, order_stuck, order_at_risk and
 * retention_purged ({@code {"purged","finished_before","at"}}) as messages, orders, and driver location
 * fixes. Field names are {@code snake_case}, statuses their
 * wire names, instants ISO-8601 UTC ({@code 2026-11-24T10:00:00Z}).
 *
 * <p>Stateless and thread-safe. Encoding streams straight to text without reflection. The codec is
 * built on Jackson, but no Jackson type appears in its signatures: it reads and writes strings, so
 * the JSON library stays an implementation detail.
 *
 * @since 0.1.0
 */
public final class WireCodec {
    private static final JsonFactory FACTORY = JsonCodec.factory();

    private WireCodec() {
    }

    /** Returns the JSON object of a message, exactly as the {@code data} of its SSE event. */
    public static String toJson(TrackingMessage message) {
        return write(g -> JsonCodec.writeMessage(g, message));
    }

    /** Returns the JSON object of an event, as the {@code data} of a {@code status} SSE event. */
    public static String toJson(OrderEvent event) {
        return write(g -> JsonCodec.writeEvent(g, event));
    }

    /**
     * Returns the JSON object of an order: {@code order_id}, {@code restaurant_id},
     * {@code customer_id}, {@code driver_id}, {@code destination}, {@code status}, {@code seq},
     * {@code created_at}, {@code updated_at}.
     */
    public static String toJson(TrackedOrder order) {
        return write(g -> JsonCodec.writeOrder(g, order));
    }

    /**
     * Returns the JSON object of a fix as stored (every field, including {@code received_at}),
     * the form {@link #readStoredFix(String)} reads back.
     */
    public static String toStoredJson(LocationFix fix) {
        return write(g -> JsonCodec.writeStoredFix(g, fix));
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
                case TrackingMessage.RetentionPurged.TYPE -> new TrackingMessage.RetentionPurged(
                        wholeNumber(node, "purged"), instant(node, "finished_before"), instant(node, "at"));
                case TrackingMessage.OrderAtRisk.TYPE -> new TrackingMessage.OrderAtRisk(readPowerRisk(node));
                case TrackingMessage.RestaurantOffline.TYPE -> new TrackingMessage.RestaurantOffline(
                        text(node, "restaurant_id"), instant(node, "silent_since"),
                        optionalInstant(node, "last_seen_at"), wholeInt(node, "open_orders"), instant(node, "at"));
                case TrackingMessage.RestaurantOnline.TYPE -> new TrackingMessage.RestaurantOnline(
                        text(node, "restaurant_id"), optionalInstant(node, "last_seen_at"), text(node, "reason"),
                        instant(node, "at"));
                case TrackingMessage.OrderStuck.TYPE -> new TrackingMessage.OrderStuck(
                        text(node, "order_id"), text(node, "restaurant_id"), optionalText(node, "driver_id"),
                        OrderStatus.fromWireName(text(node, "status")), instant(node, "since"),
                        wholeLong(node, "limit_seconds"), instant(node, "at"));
                default -> throw new IllegalArgumentException("unknown message type '" + type + "'");
            };
        } catch (InvalidFixException e) {
            throw new IllegalArgumentException("invalid location in message: " + e.getMessage(), e);
        }
    }

    private static PowerRisk readPowerRisk(JsonNode node) {
        PowerCut cut = new PowerCut(text(node, "area"), instant(node, "cut_start"), instant(node, "cut_end"),
                PowerCut.Kind.fromWireName(text(node, "cut_kind")));
        return new PowerRisk(text(node, "order_id"), text(node, "restaurant_id"), instant(node, "placed_at"), cut,
                PowerRisk.Reason.fromWireName(text(node, "reason")), instant(node, "assessed_at"));
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
        return JsonCodec.readFix(node, receivedAt);
    }

    /**
     * Reads a fix sent by a driver app: {@code {"lat","lon","accuracy"?,"heading"?,"speed"?,"recorded_at"}}.
     * Unknown fields are ignored (newer apps may send more).
     *
     * @param json the fix object
     * @param receivedAt the server time of receipt, recorded in the fix
     * @throws InvalidFixException with {@link FixRejection#MALFORMED} if the JSON, the shape or a type
     *     is wrong, or the reason of the failed check
     * @since 0.1.0
     */
    public static LocationFix readFix(String json, Instant receivedAt) {
        Objects.requireNonNull(json, "json must not be null");
        JsonNode node;
        try {
            node = JsonCodec.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidFixException(FixRejection.MALFORMED, "malformed JSON: " + e.getOriginalMessage());
        }
        return JsonCodec.readFix(node, receivedAt);
    }

    private static JsonNode parse(String json) {
        try {
            JsonNode node = JsonCodec.mapper().readTree(json);
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

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : text(node, field);
    }

    private static long wholeLong(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException(field + " must be a whole number");
        }
        return value.asLong();
    }

    private static int wholeInt(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new IllegalArgumentException(field + " must be a whole number");
        }
        return value.asInt();
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

    private static int wholeNumber(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new IllegalArgumentException(field + " must be a whole number");
        }
        return value.intValue();
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
