package org.ordertracking.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.ordertracking.core.internal.Checks;
import org.ordertracking.core.internal.JsonCodec;

/**
 * A power-cut schedule as data: areas, each with its time zone, its recurring daily cut windows and
 * its one-off cut windows, and the area of each restaurant. Immutable and thread-safe; build one with
 * {@link #builder()} or read it with {@link #fromJson(String)}. A {@link PowerSchedule} serves the
 * current plan.
 *
 * <p><b>Daily windows</b> are local wall-clock times in the area's zone ({@code Asia/Beirut} keeps
 * the grid's published times through daylight saving time). A window whose end is before its start
 * crosses midnight: {@code 22:00}–{@code 02:00} runs from 22:00 to 02:00 the next day. A start the
 * clocks skip (a spring-forward gap) starts the cut when the clocks jump, the first instant that
 * exists after it; a start that happens twice (a fall-back overlap) means its first occurrence. The
 * same holds for the end.
 *
 * <p><b>One-off windows</b> are instants (an announced maintenance cut), written with their offset.
 *
 * <p>The JSON document ({@link #fromJson}, {@link #toJson}):
 *
 * <pre>{@code
 * {
 *   "areas": [
 *     {
 *       "id": "hamra",
 *       "zone": "Asia/Beirut",
 *       "daily": [ {"start": "06:00", "end": "09:00"}, {"start": "22:00", "end": "02:00"} ],
 *       "one_off": [ {"start": "2026-12-02T14:00:00+02:00", "end": "2026-12-02T15:30:00+02:00"} ]
 *     }
 *   ],
 *   "restaurants": { "r-7": "hamra" }
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public final class PowerPlan {

    /** Most areas in one plan: {@value}. */
    public static final int MAX_AREAS = 10_000;

    /** Most windows (daily and one-off together) of one area: {@value}. */
    public static final int MAX_WINDOWS_PER_AREA = 1_000;

    private static final PowerPlan EMPTY = new PowerPlan(Map.of(), Map.of());

    private final Map<String, Area> areas;
    private final Map<String, String> restaurants;

    private PowerPlan(Map<String, Area> areas, Map<String, String> restaurants) {
        this.areas = areas;
        this.restaurants = restaurants;
    }

    /** Returns a plan with no area and no restaurant: nothing is ever cut. */
    public static PowerPlan empty() {
        return EMPTY;
    }

    /** Returns a builder of a plan. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A daily cut window in local wall-clock time.
     *
     * @param start when the cut starts each day
     * @param end when it ends; before {@code start} when the window crosses midnight
     * @since 0.1.0
     */
    public record DailyWindow(LocalTime start, LocalTime end) {
        public DailyWindow {
            Objects.requireNonNull(start, "start must not be null");
            Objects.requireNonNull(end, "end must not be null");
            if (start.getNano() != 0 || end.getNano() != 0) {
                throw new IllegalArgumentException("a daily window is given in whole seconds, but ran from "
                        + start + " to " + end);
            }
            if (start.equals(end)) {
                throw new IllegalArgumentException("a daily window must not start and end at the same time, but "
                        + "both were " + start);
            }
        }

        /** Returns whether the window ends the day after it starts. */
        public boolean crossesMidnight() {
            return end.isBefore(start);
        }
    }

    /**
     * A one-off cut window.
     *
     * @param start when the cut starts
     * @param end when it ends, after {@code start}
     * @since 0.1.0
     */
    public record OneOffWindow(Instant start, Instant end) {
        public OneOffWindow {
            Objects.requireNonNull(start, "start must not be null");
            Objects.requireNonNull(end, "end must not be null");
            if (!end.isAfter(start)) {
                throw new IllegalArgumentException("a one-off window must end after it starts, but ran from "
                        + start + " to " + end);
            }
        }
    }

    /**
     * An area of the grid with its schedule.
     *
     * @param id the area's id (1 to 128 characters of {@code [A-Za-z0-9_.-]})
     * @param zone the time zone of its daily windows
     * @param daily its recurring daily windows
     * @param oneOff its one-off windows
     * @since 0.1.0
     */
    public record Area(String id, ZoneId zone, List<DailyWindow> daily, List<OneOffWindow> oneOff) {
        public Area {
            Checks.requireId(id, "area id");
            Objects.requireNonNull(zone, "zone must not be null");
            daily = List.copyOf(Objects.requireNonNull(daily, "daily must not be null"));
            oneOff = List.copyOf(Objects.requireNonNull(oneOff, "oneOff must not be null"));
            if (daily.size() + oneOff.size() > MAX_WINDOWS_PER_AREA) {
                throw new IllegalArgumentException("area '" + id + "' must have at most " + MAX_WINDOWS_PER_AREA
                        + " windows, but had " + (daily.size() + oneOff.size()));
            }
        }

        /**
         * Returns the cuts of this area that start in {@code [from, to]} (both included), earliest
         * start first (a daily cut before a one-off cut at the same start).
         */
        public List<PowerCut> cutsStartingBetween(Instant from, Instant to) {
            Objects.requireNonNull(from, "from must not be null");
            Objects.requireNonNull(to, "to must not be null");
            List<PowerCut> cuts = new ArrayList<>();
            if (to.isBefore(from)) {
                return cuts;
            }
            if (!daily.isEmpty()) {
                // a day earlier and later than the instants' local dates: offsets and gaps move a local
                // start across the date line of the instants
                LocalDate first = from.atZone(zone).toLocalDate().minusDays(1);
                LocalDate last = to.atZone(zone).toLocalDate().plusDays(1);
                for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
                    for (DailyWindow window : daily) {
                        Instant start = resolve(day.atTime(window.start()), zone);
                        if (start.isBefore(from) || start.isAfter(to)) {
                            continue;
                        }
                        LocalDate endDay = window.crossesMidnight() ? day.plusDays(1) : day;
                        Instant end = resolve(endDay.atTime(window.end()), zone);
                        if (end.isAfter(start)) { // a window inside a skipped hour lasts no time: no cut
                            cuts.add(new PowerCut(id, start, end, PowerCut.Kind.DAILY));
                        }
                    }
                }
            }
            for (OneOffWindow window : oneOff) {
                if (!window.start().isBefore(from) && !window.start().isAfter(to)) {
                    cuts.add(new PowerCut(id, window.start(), window.end(), PowerCut.Kind.ONE_OFF));
                }
            }
            cuts.sort(Comparator.comparing(PowerCut::start).thenComparing(PowerCut::kind));
            return cuts;
        }

        /** The instant of a local date-time: the jump's instant in a gap, the first occurrence in an overlap. */
        private static Instant resolve(LocalDateTime local, ZoneId zone) {
            ZoneRules rules = zone.getRules();
            if (rules.getValidOffsets(local).isEmpty()) {
                ZoneOffsetTransition gap = rules.getTransition(local);
                return gap.getInstant();
            }
            // atZone takes the earlier offset in an overlap: the first occurrence
            return local.atZone(zone).toInstant();
        }
    }

    /** Returns the area of a restaurant, or empty if the plan does not map it. */
    public Optional<String> areaOf(String restaurantId) {
        return Optional.ofNullable(restaurants.get(restaurantId));
    }

    /** Returns an area, or empty if the plan has none of that id. */
    public Optional<Area> area(String areaId) {
        return Optional.ofNullable(areas.get(areaId));
    }

    /** Returns every area, by id. */
    public Map<String, Area> areas() {
        return areas;
    }

    /** Returns the area of each mapped restaurant, by restaurant id. */
    public Map<String, String> restaurants() {
        return restaurants;
    }

    /**
     * Returns the cuts of a restaurant's area that start in {@code [from, to]}, earliest first; empty if
     * the restaurant is not mapped.
     */
    public List<PowerCut> cutsOfRestaurant(String restaurantId, Instant from, Instant to) {
        String areaId = restaurants.get(restaurantId);
        Area area = areaId == null ? null : areas.get(areaId);
        return area == null ? List.of() : area.cutsStartingBetween(from, to);
    }

    /** Returns whether the plan has no area. */
    public boolean isEmpty() {
        return areas.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PowerPlan other && areas.equals(other.areas) && restaurants.equals(other.restaurants);
    }

    @Override
    public int hashCode() {
        return Objects.hash(areas, restaurants);
    }

    @Override
    public String toString() {
        return "PowerPlan[" + areas.size() + " areas, " + restaurants.size() + " restaurants]";
    }

    // ---- JSON ------------------------------------------------------------------------------------

    /**
     * Returns the JSON document of this plan (the format of {@link #fromJson}); one-off instants are
     * written in UTC, daily times as {@code HH:MM} or {@code HH:MM:SS}.
     */
    public String toJson() {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JsonCodec.factory().createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("areas");
            for (Area area : areas.values()) {
                g.writeStartObject();
                g.writeStringField("id", area.id());
                g.writeStringField("zone", area.zone().getId());
                g.writeArrayFieldStart("daily");
                for (DailyWindow w : area.daily()) {
                    g.writeStartObject();
                    g.writeStringField("start", w.start().toString());
                    g.writeStringField("end", w.end().toString());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeArrayFieldStart("one_off");
                for (OneOffWindow w : area.oneOff()) {
                    g.writeStartObject();
                    g.writeStringField("start", w.start().toString());
                    g.writeStringField("end", w.end().toString());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("restaurants");
            for (Map.Entry<String, String> e : restaurants.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Reads a plan from its JSON document (see the class comment). Every field is checked; unknown
     * fields are refused, so a misspelt {@code "one_of"} cannot silently drop cuts.
     *
     * @throws IllegalArgumentException naming the field and showing the bad value, e.g.
     *     {@code areas[0].daily[1].end must be a local time HH:MM or HH:MM:SS, but was '25:00'}
     */
    public static PowerPlan fromJson(String json) {
        Objects.requireNonNull(json, "json must not be null");
        JsonNode root;
        try {
            root = JsonCodec.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the power schedule is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the power schedule must be a JSON object {\"areas\": […], "
                    + "\"restaurants\": {…}}");
        }
        onlyFields(root, "", Set.of("areas", "restaurants"));
        Builder builder = builder();
        JsonNode areaList = root.get("areas");
        if (areaList == null || !areaList.isArray()) {
            throw new IllegalArgumentException("areas must be an array, but was " + describe(areaList));
        }
        for (int i = 0; i < areaList.size(); i++) {
            String at = "areas[" + i + "]";
            JsonNode area = areaList.get(i);
            if (!area.isObject()) {
                throw new IllegalArgumentException(at + " must be an object, but was " + describe(area));
            }
            onlyFields(area, at + ".", Set.of("id", "zone", "daily", "one_off"));
            String id = text(area, "id", at + ".id");
            if (builder.areas.containsKey(id)) {
                throw new IllegalArgumentException(at + ".id '" + id + "' is given twice");
            }
            String zoneText = text(area, "zone", at + ".zone");
            ZoneId zone;
            try {
                zone = ZoneId.of(zoneText);
            } catch (DateTimeException e) {
                throw new IllegalArgumentException(at + ".zone must be a time zone such as Asia/Beirut or +02:00, "
                        + "but was '" + abbreviate(zoneText) + "'", e);
            }
            wrap(at + ".id", () -> builder.area(id, zone));
            for (JsonNode window : windows(area, "daily", at)) {
                String w = at + ".daily[" + window.get("#").asInt() + "]";
                LocalTime start = localTime(window, "start", w + ".start");
                LocalTime end = localTime(window, "end", w + ".end");
                wrap(w, () -> builder.daily(id, start, end));
            }
            for (JsonNode window : windows(area, "one_off", at)) {
                String w = at + ".one_off[" + window.get("#").asInt() + "]";
                Instant start = instant(window, "start", w + ".start");
                Instant end = instant(window, "end", w + ".end");
                wrap(w, () -> builder.oneOff(id, start, end));
            }
        }
        JsonNode map = root.get("restaurants");
        if (map != null && !map.isNull()) {
            if (!map.isObject()) {
                throw new IllegalArgumentException("restaurants must be an object {\"restaurant id\": \"area id\"}, "
                        + "but was " + describe(map));
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String at = "restaurants." + abbreviate(e.getKey());
                if (!e.getValue().isTextual()) {
                    throw new IllegalArgumentException(at + " must be an area id string, but was " + describe(e.getValue()));
                }
                wrap(at, () -> builder.restaurant(e.getKey(), e.getValue().asText()));
            }
        }
        return builder.build();
    }

    /** The windows of an array field, each with its index under {@code "#"}, checked to be objects of start and end. */
    private static List<JsonNode> windows(JsonNode area, String field, String at) {
        JsonNode list = area.get(field);
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException(at + "." + field + " must be an array, but was " + describe(list));
        }
        List<JsonNode> result = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode window = list.get(i);
            String w = at + "." + field + "[" + i + "]";
            if (!window.isObject()) {
                throw new IllegalArgumentException(w + " must be an object {\"start\", \"end\"}, but was "
                        + describe(window));
            }
            onlyFields(window, w + ".", Set.of("start", "end"));
            com.fasterxml.jackson.databind.node.ObjectNode copy = window.deepCopy();
            copy.put("#", i);
            result.add(copy);
        }
        return result;
    }

    private static void onlyFields(JsonNode node, String at, Set<String> allowed) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException("unknown field " + at + abbreviate(name) + "; expected "
                        + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
        }
    }

    private static String text(JsonNode node, String field, String at) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException(at + " must be a string, but was " + describe(value));
        }
        return value.asText();
    }

    private static LocalTime localTime(JsonNode node, String field, String at) {
        String value = text(node, field, at);
        try {
            if (value.length() == 5 || value.length() == 8) {
                return LocalTime.parse(value);
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw new IllegalArgumentException(at + " must be a local time HH:MM or HH:MM:SS, but was '"
                + abbreviate(value) + "'");
    }

    private static Instant instant(JsonNode node, String field, String at) {
        String value = text(node, field, at);
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(at + " must be an ISO-8601 date-time with its offset, e.g. "
                    + "2026-12-02T14:00:00+02:00 or 2026-12-02T12:00:00Z, but was '" + abbreviate(value) + "'", e);
        }
    }

    private static void wrap(String at, Runnable step) {
        try {
            step.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
        }
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "missing";
        }
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + abbreviate(node.toString());
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    /**
     * Builds a {@link PowerPlan}. An area is declared before its windows and the restaurants in it. Not
     * thread-safe; every value is checked when added, with a message that shows it.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private final Map<String, ZoneId> areas = new LinkedHashMap<>();
        private final Map<String, List<DailyWindow>> daily = new LinkedHashMap<>();
        private final Map<String, List<OneOffWindow>> oneOff = new LinkedHashMap<>();
        private final Map<String, String> restaurants = new TreeMap<>();

        private Builder() {
        }

        /**
         * Declares an area and the zone of its daily windows.
         *
         * @throws IllegalArgumentException if the id is not a valid id or is declared already
         */
        public Builder area(String id, ZoneId zone) {
            Checks.requireId(id, "area id");
            Objects.requireNonNull(zone, "zone must not be null");
            if (areas.containsKey(id)) {
                throw new IllegalArgumentException("area '" + id + "' is declared twice");
            }
            if (areas.size() >= MAX_AREAS) {
                throw new IllegalArgumentException("a plan has at most " + MAX_AREAS + " areas");
            }
            areas.put(id, zone);
            daily.put(id, new ArrayList<>());
            oneOff.put(id, new ArrayList<>());
            return this;
        }

        /** Adds a daily window to a declared area; {@code end} before {@code start} crosses midnight. */
        public Builder daily(String area, LocalTime start, LocalTime end) {
            windows(daily, area).add(new DailyWindow(start, end));
            return this;
        }

        /** Adds a one-off window to a declared area. */
        public Builder oneOff(String area, Instant start, Instant end) {
            windows(oneOff, area).add(new OneOffWindow(start, end));
            return this;
        }

        /** Maps a restaurant to a declared area; a restaurant is in one area (mapping it again replaces it). */
        public Builder restaurant(String restaurantId, String area) {
            Checks.requireId(restaurantId, "restaurant id");
            requireArea(area);
            restaurants.put(restaurantId, area);
            return this;
        }

        private <T> List<T> windows(Map<String, List<T>> byArea, String area) {
            requireArea(area);
            List<T> list = byArea.get(area);
            if (daily.get(area).size() + oneOff.get(area).size() >= MAX_WINDOWS_PER_AREA) {
                throw new IllegalArgumentException("area '" + area + "' has " + MAX_WINDOWS_PER_AREA
                        + " windows already, the most one area may have");
            }
            return list;
        }

        private void requireArea(String area) {
            Objects.requireNonNull(area, "area must not be null");
            if (!areas.containsKey(area)) {
                throw new IllegalArgumentException("unknown area '" + (area.length() > 60 ? area.substring(0, 60)
                        + "…" : area) + "'; declare it first" + (areas.isEmpty() ? "" : " (declared: "
                        + String.join(", ", areas.keySet().stream().limit(10).toList()) + ")"));
            }
        }

        /** Builds the plan. */
        public PowerPlan build() {
            Map<String, Area> built = new TreeMap<>();
            for (Map.Entry<String, ZoneId> e : areas.entrySet()) {
                built.put(e.getKey(), new Area(e.getKey(), e.getValue(), daily.get(e.getKey()), oneOff.get(e.getKey())));
            }
            return new PowerPlan(Collections.unmodifiableMap(built), Collections.unmodifiableMap(new TreeMap<>(restaurants)));
        }
    }
}
