package org.ordertracking.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** The at-risk rule: which cut starts count, with the lead boundary exactly. */
class PowerRiskPolicyTest {
    /** 12:00 in Beirut (winter, +02:00). */
    private static final Instant PLACED = Instant.parse("2026-12-02T10:00:00Z");

    private static TrackedOrder order(OrderStatus status) {
        return new TrackedOrder("o-1", "r-1", "c-1", null, new GeoPoint(33.89, 35.50), status, 1, PLACED, PLACED);
    }

    /** A plan whose only cut (one-off, 30 minutes) in the restaurant's area starts at {@code start}. */
    private static PowerPlan cutAt(Instant start) {
        return PowerPlan.builder().area("hamra", ZoneId.of("Asia/Beirut"))
                .oneOff("hamra", start, start.plus(Duration.ofMinutes(30))).restaurant("r-1", "hamra").build();
    }

    private static PowerRisk assess(PowerRiskPolicy policy, Instant cutStart) {
        return policy.assess(order(OrderStatus.RECEIVED), cutAt(cutStart), PLACED);
    }

    @Test
    void cutExactlyAtTheLead_isPlacedBeforeCut() {
        PowerRisk risk = assess(PowerRiskPolicy.defaults(), PLACED.plus(Duration.ofMinutes(10)));
        assertEquals(PowerRisk.Reason.PLACED_BEFORE_CUT, risk.reason());
        assertEquals(10, risk.minutesUntil());
        assertEquals("hamra", risk.area());
        assertEquals(PLACED, risk.placedAt());
    }

    @Test
    void cutOneMillisecondPastTheLead_isDuringDelivery_withTheDefaultWindow() {
        PowerRisk risk = assess(PowerRiskPolicy.defaults(), PLACED.plus(Duration.ofMinutes(10)).plusMillis(1));
        assertEquals(PowerRisk.Reason.DURING_DELIVERY, risk.reason());
    }

    @Test
    void leadBoundary_decidesAlone_whenTheExpectedWindowIsShorter() {
        PowerRiskPolicy leadOnly = PowerRiskPolicy.of(Duration.ofMinutes(10), Duration.ZERO);
        assertEquals(PowerRisk.Reason.PLACED_BEFORE_CUT, assess(leadOnly, PLACED.plus(Duration.ofMinutes(10))).reason());
        assertNull(assess(leadOnly, PLACED.plus(Duration.ofMinutes(10)).plusMillis(1)));
        PowerRiskPolicy shortWindow = PowerRiskPolicy.of(Duration.ofMinutes(10), Duration.ofMinutes(5));
        assertEquals(PowerRisk.Reason.PLACED_BEFORE_CUT, assess(shortWindow, PLACED.plus(Duration.ofMinutes(7))).reason());
    }

    @Test
    void expectedWindowEnd_isIncluded() {
        assertEquals(PowerRisk.Reason.DURING_DELIVERY,
                assess(PowerRiskPolicy.defaults(), PLACED.plus(Duration.ofMinutes(45))).reason());
        assertNull(assess(PowerRiskPolicy.defaults(), PLACED.plus(Duration.ofMinutes(45)).plusMillis(1)));
    }

    @Test
    void cutStartingAtThePlacement_counts_butOneThatStartedBefore_doesNot() {
        assertEquals(PowerRisk.Reason.PLACED_BEFORE_CUT, assess(PowerRiskPolicy.defaults(), PLACED).reason());
        assertNull(assess(PowerRiskPolicy.defaults(), PLACED.minusMillis(1)), "the switch-over was behind it");
    }

    @Test
    void terminalOrders_andUnmappedRestaurants_areNeverAtRisk() {
        PowerPlan plan = cutAt(PLACED.plus(Duration.ofMinutes(5)));
        assertNull(PowerRiskPolicy.defaults().assess(order(OrderStatus.DELIVERED), plan, PLACED));
        assertNull(PowerRiskPolicy.defaults().assess(order(OrderStatus.FAILED), plan, PLACED));
        TrackedOrder elsewhere = new TrackedOrder("o-2", "r-2", "c-1", null, new GeoPoint(33.89, 35.50),
                OrderStatus.ACCEPTED, 2, PLACED, PLACED);
        assertNull(PowerRiskPolicy.defaults().assess(elsewhere, plan, PLACED));
    }

    @Test
    void firstQualifyingCut_isReported() {
        PowerPlan plan = PowerPlan.builder().area("hamra", ZoneId.of("Asia/Beirut"))
                .oneOff("hamra", PLACED.plus(Duration.ofMinutes(30)), PLACED.plus(Duration.ofMinutes(40)))
                .oneOff("hamra", PLACED.plus(Duration.ofMinutes(8)), PLACED.plus(Duration.ofMinutes(9)))
                .restaurant("r-1", "hamra").build();
        PowerRisk risk = PowerRiskPolicy.defaults().assess(order(OrderStatus.PREPARING), plan, PLACED);
        assertEquals(PLACED.plus(Duration.ofMinutes(8)), risk.cut().start());
    }

    @Test
    void minutesUntil_roundsUp_andGoesNegativeAMinuteAfterTheStart() {
        PowerCut cut = new PowerCut("hamra", PLACED.plus(Duration.ofMinutes(10)), PLACED.plus(Duration.ofMinutes(40)),
                PowerCut.Kind.DAILY);
        assertEquals(10, risk(cut, PLACED.plusSeconds(40)).minutesUntil());
        assertEquals(1, risk(cut, cut.start().minusMillis(1)).minutesUntil());
        assertEquals(0, risk(cut, cut.start()).minutesUntil());
        assertEquals(0, risk(cut, cut.start().plusSeconds(59)).minutesUntil());
        assertEquals(-1, risk(cut, cut.start().plusSeconds(60)).minutesUntil());
        assertEquals(-2, risk(cut, cut.start().plusSeconds(150)).minutesUntil());
    }

    private static PowerRisk risk(PowerCut cut, Instant assessedAt) {
        return new PowerRisk("o-1", "r-1", PLACED, cut, PowerRisk.Reason.PLACED_BEFORE_CUT, assessedAt);
    }

    @Test
    void negativeDurations_areRefusedShowingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PowerRiskPolicy.of(Duration.ofMinutes(-1), Duration.ZERO));
        assertEquals("lead must not be negative, but was PT-1M", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PowerRiskPolicy.of(Duration.ZERO, Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> PowerRiskPolicy.of(null, Duration.ZERO));
    }

    @Test
    void atRiskMessage_survivesTheWireFormat() {
        PowerRisk risk = PowerRiskPolicy.defaults().assess(order(OrderStatus.RECEIVED),
                cutAt(PLACED.plus(Duration.ofMinutes(12))), PLACED.plusSeconds(5));
        TrackingMessage message = new TrackingMessage.OrderAtRisk(risk);
        String json = WireCodec.toJson(message);
        assertEquals("{\"order_id\":\"o-1\",\"restaurant_id\":\"r-1\",\"area\":\"hamra\","
                + "\"placed_at\":\"2026-12-02T10:00:00Z\",\"cut_start\":\"2026-12-02T10:12:00Z\","
                + "\"cut_end\":\"2026-12-02T10:42:00Z\",\"cut_kind\":\"one_off\",\"reason\":\"during_delivery\","
                + "\"minutes_until\":12,\"assessed_at\":\"2026-12-02T10:00:05Z\"}", json);
        assertEquals(message, WireCodec.readMessage("order_at_risk", json));
        assertEquals("order_at_risk", message.type());
        assertEquals("o-1", message.orderId());
    }
}
