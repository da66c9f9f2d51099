package org.ordertracking.core.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.ordertracking.core.FixRejection;
import org.ordertracking.core.InvalidFixException;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.PowerRisk;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.WireCodec;

/**
 * The Jackson side of the wire format: the generator-level writers that {@link WireCodec} encodes
 * with, the driver-fix reader over a parsed tree, and the one shared {@link ObjectMapper}. The
 * adapters use it to compose larger documents (SSE snapshots, problem bodies, driver frames) straight
 * onto a stream, without a detour through strings; it is exported only to them, so Jackson stays out
 * of the public API.
 *
 * <p>Stateless and thread-safe.
 */
public final class JsonCodec {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private JsonCodec() {
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
        } else if (message instanceof TrackingMessage.RetentionPurged purged) {
            g.writeStartObject();
            g.writeNumberField("purged", purged.purged());
            g.writeStringField("finished_before", purged.finishedBefore().toString());
            g.writeStringField("at", purged.at().toString());
            g.writeEndObject();
        } else if (message instanceof TrackingMessage.OrderAtRisk atRisk) {
            writePowerRisk(g, atRisk.risk());
        } else if (message instanceof TrackingMessage.RestaurantOffline offline) {
            g.writeStartObject();
            g.writeStringField("restaurant_id", offline.restaurantId());
            g.writeStringField("silent_since", offline.silentSince().toString());
            writeNullableInstant(g, "last_seen_at", offline.lastSeenAt());
            g.writeNumberField("open_orders", offline.openOrders());
            g.writeStringField("at", offline.at().toString());
            g.writeEndObject();
        } else if (message instanceof TrackingMessage.RestaurantOnline online) {
            g.writeStartObject();
            g.writeStringField("restaurant_id", online.restaurantId());
            writeNullableInstant(g, "last_seen_at", online.lastSeenAt());
            g.writeStringField("reason", online.reason());
            g.writeStringField("at", online.at().toString());
            g.writeEndObject();
        } else if (message instanceof TrackingMessage.OrderStuck stuck) {
            g.writeStartObject();
            g.writeStringField("order_id", stuck.orderId());
            g.writeStringField("restaurant_id", stuck.restaurantId());
            g.writeStringField("driver_id", stuck.driverId());
            g.writeStringField("status", stuck.status().wireName());
            g.writeStringField("since", stuck.since().toString());
            g.writeNumberField("limit_seconds", stuck.limitSeconds());
            g.writeStringField("at", stuck.at().toString());
            g.writeEndObject();
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

    /**
     * Writes a power risk's JSON object: {@code order_id}, {@code restaurant_id}, {@code area},
     * {@code placed_at}, {@code cut_start}, {@code cut_end}, {@code cut_kind}, {@code reason},
     * {@code minutes_until}, {@code assessed_at}.
     */
    public static void writePowerRisk(JsonGenerator g, PowerRisk risk) throws IOException {
        g.writeStartObject();
        g.writeStringField("order_id", risk.orderId());
        g.writeStringField("restaurant_id", risk.restaurantId());
        g.writeStringField("area", risk.area());
        g.writeStringField("placed_at", risk.placedAt().toString());
        g.writeStringField("cut_start", risk.cut().start().toString());
        g.writeStringField("cut_end", risk.cut().end().toString());
        g.writeStringField("cut_kind", risk.cut().kind().wireName());
        g.writeStringField("reason", risk.reason().wireName());
        g.writeNumberField("minutes_until", risk.minutesUntil());
        g.writeStringField("assessed_at", risk.assessedAt().toString());
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
        writeOrderFields(g, order);
        g.writeEndObject();
    }

    /** Writes an order's fields into an object the caller opened (and closes, perhaps after more fields). */
    public static void writeOrderFields(JsonGenerator g, TrackedOrder order) throws IOException {
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
    }

    /**
     * Reads a fix sent by a driver app: {@code {"lat","lon","accuracy"?,"heading"?,"speed"?,"recorded_at"}}.
     * Unknown fields are ignored (newer apps may send more).
     *
     * @param node the fix object (a missing or non-object node is malformed)
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

    /** Returns the mapper's factory, for generators and parsers over streams. */
    public static JsonFactory factory() {
        return FACTORY;
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

    /** Writes a fix as stored: every field, including {@code received_at}. */
    public static void writeStoredFix(JsonGenerator g, LocationFix fix) throws IOException {
        g.writeStartObject();
        writeFixFields(g, fix);
        g.writeStringField("received_at", fix.receivedAt().toString());
        g.writeEndObject();
    }

    private static void writeFixFields(JsonGenerator g, LocationFix fix) throws IOException {
        g.writeNumberField("lat", fix.lat());
        g.writeNumberField("lon", fix.lon());
        writeNullableNumber(g, "accuracy", fix.accuracy());
        writeNullableNumber(g, "heading", fix.heading());
        writeNullableNumber(g, "speed", fix.speed());
        g.writeStringField("recorded_at", fix.recordedAt().toString());
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
