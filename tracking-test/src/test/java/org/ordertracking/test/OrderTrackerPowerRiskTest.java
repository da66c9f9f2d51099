package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.PowerPlan;
import org.ordertracking.core.PowerRisk;
import org.ordertracking.core.PowerSchedule;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.TrackingMessage;

/**
 * The tracker with a power schedule, on a settable clock: 10:00Z is 12:00 in Beirut (winter, +02:00),
 * and the area "hamra" has a daily cut 12:10–14:00 local (10:10Z–12:00Z).
 */
class OrderTrackerPowerRiskTest {
    private static final GeoPoint HAMRA = new GeoPoint(33.8966, 35.4823);
    private static final Instant NOON_BEIRUT = Instant.parse("2026-12-02T10:00:00Z");

    private final SettableClock clock = SettableClock.at(NOON_BEIRUT);
    private final PowerSchedule schedule = PowerSchedule.inMemory(PowerPlan.builder()
            .area("hamra", ZoneId.of("Asia/Beirut"))
            .daily("hamra", LocalTime.of(12, 10), LocalTime.of(14, 0))
            .area("achrafieh", ZoneId.of("Asia/Beirut"))
            .restaurant("r-1", "hamra").restaurant("r-2", "achrafieh")
            .build());
    private EventBus bus;
    /** Every envelope published, recorded as {@code publish} is called: counts need no waiting. */
    private final List<Envelope> published = new CopyOnWriteArrayList<>();
    private OrderTracker tracker;
    private final RecordingListener operations = new RecordingListener();
    private final RecordingListener board = new RecordingListener();
    private Subscription operationsSubscription;
    private Subscription boardSubscription;

    @BeforeEach
    void setUp() {
        EventBus delivering = EventBus.inMemory();
        bus = new EventBus() {
            @Override
            public CompletionStage<Void> publish(Envelope envelope) {
                published.add(envelope);
                return delivering.publish(envelope);
            }

            @Override
            public Subscription subscribe(Topic topic, BusListener listener) {
                return delivering.subscribe(topic, listener);
            }

            @Override
            public void close() {
                delivering.close();
            }
        };
        tracker = OrderTracker.builder().repository(OrderRepository.inMemory()).eventBus(bus).clock(clock)
                .powerSchedule(schedule).build();
        operationsSubscription = bus.subscribe(Topic.operations(), operations);
        boardSubscription = bus.subscribe(Topic.restaurant("r-1"), board);
    }

    @AfterEach
    void tearDown() {
        operationsSubscription.close();
        boardSubscription.close();
        tracker.close();
        bus.close();
    }

    private long announcements(Topic topic) {
        return published.stream().filter(e -> e.topic().equals(topic) && e.type().equals("order_at_risk")).count();
    }

    private static PowerRisk riskOf(Envelope envelope) {
        return ((TrackingMessage.OrderAtRisk) envelope.message()).risk();
    }

    @Test
    void orderPlacedTenMinutesBeforeACut_isAnnouncedOnce_onOperationsAndItsBoard() {
        TrackedOrder order = tracker.register(new NewOrder("o-1", "r-1", "c-1", HAMRA));
        Envelope announced = operations.next();
        assertEquals(Topic.operations(), announced.topic());
        assertEquals("order_at_risk", announced.type());
        PowerRisk risk = riskOf(announced);
        assertEquals("o-1", risk.orderId());
        assertEquals(Instant.parse("2026-12-02T10:10:00Z"), risk.cut().start());
        assertEquals(Instant.parse("2026-12-02T12:00:00Z"), risk.cut().end());
        assertEquals(PowerRisk.Reason.PLACED_BEFORE_CUT, risk.reason());
        assertEquals(10, risk.minutesUntil());
        assertEquals("status", board.next().type());
        assertEquals("order_at_risk", board.next().type());

        // the sweep finds it again, counts it, and does not announce it twice
        clock.advance(Duration.ofMinutes(1));
        assertEquals(1, tracker.sweepPowerRisk());
        assertEquals(1, tracker.ordersAtRisk());
        assertEquals(1, announcements(Topic.operations()), "announced once");
        assertEquals(1, announcements(Topic.restaurant("r-1")));
        assertEquals(9, tracker.powerRisk(order).orElseThrow().minutesUntil(), "counted on the tracker's clock");
    }

    @Test
    void orderPlacedOneMillisecondTooLate_isNotPlacedBeforeCut_butStillInItsDeliveryWindow() {
        clock.set(NOON_BEIRUT.minus(Duration.ofMillis(1)));   // the cut is 10 min 1 ms after the placement
        TrackedOrder order = tracker.register(new NewOrder("o-2", "r-1", "c-1", HAMRA));
        assertEquals(PowerRisk.Reason.DURING_DELIVERY, tracker.powerRisk(order).orElseThrow().reason());
    }

    @Test
    void orderPlacedAfterTheCutStarted_orInAnAreaWithoutCuts_isNotAtRisk() {
        clock.set(Instant.parse("2026-12-02T10:10:00.001Z"));
        TrackedOrder late = tracker.register(new NewOrder("o-3", "r-1", "c-1", HAMRA));
        TrackedOrder elsewhere = tracker.register(new NewOrder("o-4", "r-2", "c-1", HAMRA));
        TrackedOrder unmapped = tracker.register(new NewOrder("o-5", "r-9", "c-1", HAMRA));
        assertFalse(tracker.powerRisk(late).isPresent());
        assertFalse(tracker.powerRisk(elsewhere).isPresent());
        assertFalse(tracker.powerRisk(unmapped).isPresent());
        assertEquals(0, tracker.sweepPowerRisk());
        assertEquals(0, announcements(Topic.operations()));
    }

    @Test
    void aCutAddedAfterThePlacement_isAnnouncedByTheSweep() {
        TrackedOrder order = tracker.register(new NewOrder("o-6", "r-2", "c-1", HAMRA));
        assertFalse(tracker.powerRisk(order).isPresent());
        schedule.replace(PowerPlan.builder().area("achrafieh", ZoneId.of("Asia/Beirut"))
                .oneOff("achrafieh", NOON_BEIRUT.plus(Duration.ofMinutes(30)), NOON_BEIRUT.plus(Duration.ofMinutes(90)))
                .restaurant("r-2", "achrafieh").build());
        clock.advance(Duration.ofMinutes(2));
        assertEquals(1, tracker.sweepPowerRisk());
        PowerRisk risk = riskOf(operations.next());
        assertEquals("o-6", risk.orderId());
        assertEquals(PowerRisk.Reason.DURING_DELIVERY, risk.reason());
        assertEquals(28, risk.minutesUntil());
        assertEquals(1, tracker.sweepPowerRisk());
        assertEquals(1, announcements(Topic.operations()), "announced once");
        assertEquals(1, announcements(Topic.restaurant("r-2")));
    }

    @Test
    void terminalOrders_leaveTheCount() {
        tracker.register(new NewOrder("o-7", "r-1", "c-1", HAMRA));
        tracker.register(new NewOrder("o-8", "r-1", "c-1", HAMRA));
        assertEquals(2, tracker.ordersAtRisk());
        tracker.transition("o-7", OrderStatus.FAILED);
        assertEquals(1, tracker.sweepPowerRisk());
        assertEquals(1, tracker.ordersAtRisk());
        assertFalse(tracker.powerRisk(tracker.order("o-7")).isPresent());
    }

    @Test
    void withoutASchedule_nothingIsAtRisk_andNothingIsPublished() {
        try (OrderTracker plain = OrderTracker.builder().eventBus(bus).clock(clock).build()) {
            TrackedOrder order = plain.register(new NewOrder("o-9", "r-1", "c-1", HAMRA));
            assertFalse(plain.powerRisk(order).isPresent());
            assertFalse(plain.powerSchedule().isPresent());
            assertEquals(0, plain.sweepPowerRisk());
            assertEquals(0, plain.ordersAtRisk());
            assertEquals("status", board.next().type());
            assertEquals(0, announcements(Topic.operations()));
            assertEquals(0, announcements(Topic.restaurant("r-1")));
        }
    }

    @Test
    void startedTracker_sweepsOnItsOwn() {
        try (OrderTracker started = OrderTracker.builder().eventBus(bus).clock(clock).powerSchedule(schedule)
                .powerRiskInterval(Duration.ofMillis(20)).build()) {
            started.repository().create(new NewOrder("o-10", "r-1", "c-1", HAMRA), NOON_BEIRUT, null);
            started.start();
            assertEquals("o-10", riskOf(operations.next()).orderId());
            assertEquals(1, started.ordersAtRisk(), "counted before it was announced");
        }
    }
}
