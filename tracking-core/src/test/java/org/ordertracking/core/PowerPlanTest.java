package org.ordertracking.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Daily windows, midnight, daylight saving time and the JSON document. Asia/Beirut keeps daylight
 * saving time: +02:00 in winter, +03:00 from the last Sunday of March (clocks jump 00:00 → 01:00) to
 * the last Sunday of October (clocks fall back 00:00 → 23:00 the evening before). In 2026 those are
 * 29 March and 25 October; every example below says which offset it is in.
 */
class PowerPlanTest {
    private static final ZoneId BEIRUT = ZoneId.of("Asia/Beirut");

    private static Instant at(String instant) {
        return Instant.parse(instant);
    }

    private static PowerPlan.Area area(ZoneId zone, String start, String end) {
        return PowerPlan.builder().area("hamra", zone).daily("hamra", LocalTime.parse(start), LocalTime.parse(end))
                .build().area("hamra").orElseThrow();
    }

    @Test
    void beirutRulesAreTheOnesTheseTestsAssume() {
        assertEquals(ZoneOffset.ofHours(2), BEIRUT.getRules().getOffset(at("2026-12-02T10:00:00Z")));
        assertEquals(ZoneOffset.ofHours(3), BEIRUT.getRules().getOffset(at("2026-07-15T10:00:00Z")));
        assertTrue(BEIRUT.getRules().getValidOffsets(LocalDateTime.parse("2026-03-29T00:30")).isEmpty(), "gap");
        assertEquals(2, BEIRUT.getRules().getValidOffsets(LocalDateTime.parse("2026-10-24T23:30")).size(), "overlap");
    }

    @Test
    void daily_inBeirutWinter_isTwoHoursAheadOfUtc() {
        List<PowerCut> cuts = area(BEIRUT, "06:00", "09:00")
                .cutsStartingBetween(at("2026-12-02T00:00:00Z"), at("2026-12-02T23:59:59Z"));
        assertEquals(List.of(new PowerCut("hamra", at("2026-12-02T04:00:00Z"), at("2026-12-02T07:00:00Z"),
                PowerCut.Kind.DAILY)), cuts);
    }

    @Test
    void daily_inBeirutSummer_isThreeHoursAheadOfUtc() {
        List<PowerCut> cuts = area(BEIRUT, "06:00", "09:00")
                .cutsStartingBetween(at("2026-07-15T00:00:00Z"), at("2026-07-15T23:59:59Z"));
        assertEquals(1, cuts.size());
        assertEquals(at("2026-07-15T03:00:00Z"), cuts.get(0).start());
        assertEquals(at("2026-07-15T06:00:00Z"), cuts.get(0).end());
    }

    @Test
    void daily_crossingMidnight_endsTheNextDay() {
        // 22:00 to 02:00 Beirut in winter: 20:00Z to 00:00Z the next day
        PowerPlan.Area area = area(BEIRUT, "22:00", "02:00");
        List<PowerCut> cuts = area.cutsStartingBetween(at("2026-12-02T12:00:00Z"), at("2026-12-02T23:00:00Z"));
        assertEquals(1, cuts.size());
        assertEquals(at("2026-12-02T20:00:00Z"), cuts.get(0).start());
        assertEquals(at("2026-12-03T00:00:00Z"), cuts.get(0).end());
    }

    @Test
    void daily_crossingMidnight_fromInsideTheCut_findsOnlyTheNextStart() {
        // 01:00 Beirut on 3 December is inside the cut that started at 22:00 on the 2nd: that start is
        // before the range, so only the 3rd's start counts
        List<PowerCut> cuts = area(BEIRUT, "22:00", "02:00")
                .cutsStartingBetween(at("2026-12-02T23:00:00Z"), at("2026-12-03T21:00:00Z"));
        assertEquals(1, cuts.size());
        assertEquals(at("2026-12-03T20:00:00Z"), cuts.get(0).start());
        assertEquals(at("2026-12-04T00:00:00Z"), cuts.get(0).end());
    }

    @Test
    void cutsStartingBetween_includesBothEnds() {
        PowerPlan.Area area = area(BEIRUT, "22:00", "02:00");
        assertEquals(1, area.cutsStartingBetween(at("2026-12-02T20:00:00Z"), at("2026-12-02T20:00:00Z")).size());
        assertEquals(1, area.cutsStartingBetween(at("2026-12-02T19:00:00Z"), at("2026-12-02T20:00:00Z")).size());
        assertEquals(0, area.cutsStartingBetween(at("2026-12-02T20:00:00.001Z"), at("2026-12-03T19:59:59.999Z")).size());
        assertEquals(0, area.cutsStartingBetween(at("2026-12-03T00:00:00Z"), at("2026-12-02T00:00:00Z")).size(),
                "an empty range");
    }

    @Test
    void daily_startInTheSpringForwardGap_startsWhenTheClocksJump() {
        // 29 March 2026, Beirut: 00:00 +02:00 (22:00Z on the 28th) jumps to 01:00 +03:00; 00:30 never happens
        List<PowerCut> cuts = area(BEIRUT, "00:30", "02:00")
                .cutsStartingBetween(at("2026-03-28T12:00:00Z"), at("2026-03-29T12:00:00Z"));
        assertEquals(1, cuts.size());
        assertEquals(at("2026-03-28T22:00:00Z"), cuts.get(0).start());
        assertEquals(at("2026-03-28T23:00:00Z"), cuts.get(0).end(), "02:00 +03:00");
    }

    @Test
    void daily_windowInsideTheSkippedHour_isNoCutThatDay() {
        PowerPlan.Area area = area(BEIRUT, "00:10", "00:40");
        assertEquals(0, area.cutsStartingBetween(at("2026-03-28T12:00:00Z"), at("2026-03-29T12:00:00Z")).size());
        // the day before, in winter time, it is a cut as usual: 00:10 +02:00
        assertEquals(List.of(at("2026-03-27T22:10:00Z")), area.cutsStartingBetween(at("2026-03-27T12:00:00Z"),
                at("2026-03-28T12:00:00Z")).stream().map(PowerCut::start).toList());
    }

    @Test
    void daily_startInTheFallBackOverlap_isItsFirstOccurrence() {
        // 25 October 2026, Beirut: 00:00 +03:00 (21:00Z on the 24th) falls back to 23:00 +02:00, so
        // 23:30 on the 24th happens at 20:30Z and again at 21:30Z; the cut starts at the first
        List<PowerCut> cuts = area(BEIRUT, "23:30", "23:45")
                .cutsStartingBetween(at("2026-10-24T12:00:00Z"), at("2026-10-24T23:59:00Z"));
        assertEquals(1, cuts.size());
        assertEquals(at("2026-10-24T20:30:00Z"), cuts.get(0).start());
        assertEquals(at("2026-10-24T20:45:00Z"), cuts.get(0).end());
    }

    @Test
    void daily_inAFixedOffsetZone_isTheSameInstantAllYear() {
        ZoneId fixed = ZoneOffset.ofHours(3);
        PowerPlan.Area area = area(fixed, "06:00", "09:00");
        for (String day : List.of("2026-01-15", "2026-03-29", "2026-07-15", "2026-10-25")) {
            List<PowerCut> cuts = area.cutsStartingBetween(at(day + "T00:00:00Z"), at(day + "T23:59:59Z"));
            assertEquals(List.of(at(day + "T03:00:00Z")), cuts.stream().map(PowerCut::start).toList(), day);
        }
    }

    @Test
    void oneOff_andDaily_areMergedByStart() {
        PowerPlan plan = PowerPlan.builder().area("hamra", BEIRUT)
                .daily("hamra", LocalTime.of(14, 0), LocalTime.of(15, 0))
                .oneOff("hamra", at("2026-12-02T11:00:00Z"), at("2026-12-02T11:30:00Z"))
                .oneOff("hamra", at("2026-12-05T11:00:00Z"), at("2026-12-05T11:30:00Z"))
                .restaurant("r-1", "hamra").build();
        List<PowerCut> cuts = plan.cutsOfRestaurant("r-1", at("2026-12-02T00:00:00Z"), at("2026-12-02T23:00:00Z"));
        assertEquals(List.of(
                new PowerCut("hamra", at("2026-12-02T11:00:00Z"), at("2026-12-02T11:30:00Z"), PowerCut.Kind.ONE_OFF),
                new PowerCut("hamra", at("2026-12-02T12:00:00Z"), at("2026-12-02T13:00:00Z"), PowerCut.Kind.DAILY)),
                cuts);
        assertEquals(List.of(), plan.cutsOfRestaurant("r-unmapped", at("2026-12-02T00:00:00Z"),
                at("2026-12-02T23:00:00Z")));
    }

    @Test
    void json_readsTheDocumentedFormat_andWritesItBack() {
        String json = """
                {
                  "areas": [
                    {
                      "id": "hamra",
                      "zone": "Asia/Beirut",
                      "daily": [ {"start": "06:00", "end": "09:00"}, {"start": "22:00:30", "end": "02:00"} ],
                      "one_off": [ {"start": "2026-12-02T14:00:00+02:00", "end": "2026-12-02T15:30:00+02:00"} ]
                    },
                    { "id": "dubai-office", "zone": "+04:00" }
                  ],
                  "restaurants": { "r-7": "hamra", "r-8": "dubai-office" }
                }
                """;
        PowerPlan plan = PowerPlan.fromJson(json);
        assertEquals(2, plan.areas().size());
        PowerPlan.Area hamra = plan.area("hamra").orElseThrow();
        assertEquals(List.of(new PowerPlan.DailyWindow(LocalTime.of(6, 0), LocalTime.of(9, 0)),
                new PowerPlan.DailyWindow(LocalTime.of(22, 0, 30), LocalTime.of(2, 0))), hamra.daily());
        assertTrue(hamra.daily().get(1).crossesMidnight());
        assertEquals(List.of(new PowerPlan.OneOffWindow(at("2026-12-02T12:00:00Z"), at("2026-12-02T13:30:00Z"))),
                hamra.oneOff());
        assertEquals("hamra", plan.areaOf("r-7").orElseThrow());
        assertEquals(ZoneOffset.ofHours(4), plan.area("dubai-office").orElseThrow().zone());
        assertFalse(plan.areaOf("r-9").isPresent());
        assertEquals(plan, PowerPlan.fromJson(plan.toJson()));
    }

    @Test
    void json_badDocuments_areRefusedNamingTheField() {
        assertRefused("not json", "not valid JSON");
        assertRefused("[]", "must be a JSON object");
        assertRefused("{}", "areas must be an array, but was missing");
        assertRefused("{\"areas\": [{\"id\": \"a\", \"zone\": \"Asia/Beirut\"}], \"extra\": 1}", "unknown field extra");
        assertRefused("{\"areas\": [{\"id\": \"a\", \"zone\": \"Asia/Beirut\", \"one_of\": []}]}",
                "unknown field areas[0].one_of");
        assertRefused("{\"areas\": [{\"zone\": \"Asia/Beirut\"}]}", "areas[0].id must be a string");
        assertRefused("{\"areas\": [{\"id\": \"a b\", \"zone\": \"Asia/Beirut\"}]}", "areas[0].id: area id must be");
        assertRefused("{\"areas\": [{\"id\": \"a\", \"zone\": \"Asia/Bayrut\"}]}",
                "areas[0].zone must be a time zone such as Asia/Beirut or +02:00, but was 'Asia/Bayrut'");
        assertRefused("{\"areas\": [{\"id\": \"a\", \"zone\": \"UTC\"}, {\"id\": \"a\", \"zone\": \"UTC\"}]}",
                "areas[1].id 'a' is given twice");
        assertRefused("{\"areas\": [{\"id\": \"a\", \"zone\": \"UTC\", \"daily\": [{\"start\": \"06:00\", \"end\": \"25:00\"}]}]}",
                "areas[0].daily[0].end must be a local time HH:MM or HH:MM:SS, but was '25:00'");
        assertRefused("{\"areas\": [{\"id\": \"a\", \"zone\": \"UTC\", \"daily\": [{\"start\": \"6\", \"end\": \"07:00\"}]}]}",
                "areas[0].daily[0].start must be a local time");
        assertRefused("{\"areas\": [{\"id\": \"a\", \"zone\": \"UTC\", \"daily\": [{\"start\": \"06:00\"}]}]}",
                "areas[0].daily[0].end must be a string, but was missing");
        assertRefused("{\"areas\": [{\"id\": \"a\", \"zone\": \"UTC\", \"daily\": [{\"start\": \"06:00\", \"end\": \"06:00\"}]}]}",
                "areas[0].daily[0]: a daily window must not start and end at the same time");
        assertRefused("{\"areas\": [{\"id\": \"a\", \"zone\": \"UTC\", \"daily\": {}}]}",
                "areas[0].daily must be an array");
        assertRefused("{\"areas\": [{\"id\": \"a\", \"zone\": \"UTC\", \"one_off\": [{\"start\": \"2026-12-02T14:00:00\", "
                + "\"end\": \"2026-12-02T15:00:00Z\"}]}]}",
                "areas[0].one_off[0].start must be an ISO-8601 date-time with its offset");
        assertRefused("{\"areas\": [{\"id\": \"a\", \"zone\": \"UTC\", \"one_off\": [{\"start\": \"2026-12-02T14:00:00Z\", "
                + "\"end\": \"2026-12-02T13:00:00Z\"}]}]}",
                "areas[0].one_off[0]: a one-off window must end after it starts");
        assertRefused("{\"areas\": [], \"restaurants\": {\"r-1\": \"nowhere\"}}",
                "restaurants.r-1: unknown area 'nowhere'");
        assertRefused("{\"areas\": [{\"id\": \"a\", \"zone\": \"UTC\"}], \"restaurants\": {\"r-1\": 5}}",
                "restaurants.r-1 must be an area id string");
        assertRefused("{\"areas\": [{\"id\": \"a\", \"zone\": \"UTC\"}], \"restaurants\": {\"r 1\": \"a\"}}",
                "restaurant id must be");
    }

    private static void assertRefused(String json, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PowerPlan.fromJson(json));
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }

    @Test
    void builder_refusesWindowsOfUndeclaredAreas_andBadWindows() {
        PowerPlan.Builder b = PowerPlan.builder().area("a", BEIRUT);
        assertThrows(IllegalArgumentException.class, () -> b.daily("b", LocalTime.NOON, LocalTime.MIDNIGHT));
        assertThrows(IllegalArgumentException.class, () -> b.area("a", BEIRUT));
        assertThrows(IllegalArgumentException.class, () -> b.daily("a", LocalTime.of(6, 0, 0, 5), LocalTime.NOON));
        assertThrows(IllegalArgumentException.class,
                () -> b.oneOff("a", at("2026-12-02T14:00:00Z"), at("2026-12-02T14:00:00Z")));
        assertTrue(PowerPlan.empty().isEmpty());
    }

    @Test
    void schedule_fromJson_isReplacedWhole_andClaimsOnce() {
        PowerSchedule schedule = PowerSchedule.fromJson("{\"areas\": [{\"id\": \"a\", \"zone\": \"UTC\"}]}");
        assertEquals(1, schedule.plan().areas().size());
        schedule.replace(PowerPlan.empty());
        assertTrue(schedule.plan().isEmpty());
        assertTrue(schedule.claimAnnouncement("o-1", at("2026-12-02T10:00:00Z")));
        assertFalse(schedule.claimAnnouncement("o-1", at("2026-12-02T10:00:01Z")));
        assertTrue(schedule.claimAnnouncement("o-2", at("2026-12-02T10:00:01Z")));
    }
}
