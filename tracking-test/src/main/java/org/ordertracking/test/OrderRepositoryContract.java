package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ordertracking.core.DriverChange;
import org.ordertracking.core.DuplicateOrderException;
import org.ordertracking.core.EventRef;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.IllegalTransitionException;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.NotificationMoment;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStateMachine;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.PurgeResult;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.OutboxBacklog;
import org.ordertracking.core.RestaurantPresence;
import org.ordertracking.core.RestaurantPresenceMonitor;
import org.ordertracking.core.StuckOrderWatchdog;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.TransitionRequest;
import org.ordertracking.core.TransitionResult;
import org.ordertracking.core.UnknownOrderException;

/**
 * The behaviour every {@link OrderRepository} must have. An implementation's test subclasses this
 * and provides {@link #createRepository()}; the in-memory repository, and the JDBC one on
 * PostgreSQL, MariaDB and H2, all run it.
 *
 * <p>Every test works on fresh, randomly named orders, so a subclass may share one schema across
 * tests; a subclass that needs to clean up overrides {@link #dropRepository(OrderRepository)}.
 *
 * @since 0.1.0
 */
public abstract class OrderRepositoryContract {

    /** For subclasses: one per implementation under test. */
    protected OrderRepositoryContract() {
    }

    /** Default table, used for the edge checks. */
    protected static final OrderStateMachine MACHINE = OrderStateMachine.defaults();

    /** A fixed instant with milliseconds, which every store must keep exactly. */
    protected static final Instant T0 = Instant.parse("2026-11-24T10:00:00.123Z");

    /** The way from {@code received} to each status, used to put an order into it. */
    private static final Map<OrderStatus, List<OrderStatus>> PATHS = new EnumMap<>(OrderStatus.class);

    static {
        PATHS.put(OrderStatus.RECEIVED, List.of());
        PATHS.put(OrderStatus.ACCEPTED, List.of(OrderStatus.ACCEPTED));
        PATHS.put(OrderStatus.PREPARING, List.of(OrderStatus.ACCEPTED, OrderStatus.PREPARING));
        PATHS.put(OrderStatus.READY, List.of(OrderStatus.ACCEPTED, OrderStatus.PREPARING, OrderStatus.READY));
        PATHS.put(OrderStatus.PICKED_UP, List.of(OrderStatus.ACCEPTED, OrderStatus.PREPARING, OrderStatus.READY,
                OrderStatus.PICKED_UP));
        PATHS.put(OrderStatus.DELIVERED, List.of(OrderStatus.ACCEPTED, OrderStatus.PREPARING, OrderStatus.READY,
                OrderStatus.PICKED_UP, OrderStatus.DELIVERED));
        PATHS.put(OrderStatus.FAILED, List.of(OrderStatus.FAILED));
    }

    /** The happy path, in order. */
    protected static final List<OrderStatus> HAPPY_PATH = PATHS.get(OrderStatus.DELIVERED);

    protected OrderRepository repository;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicInteger ids = new AtomicInteger();

    /** Returns the repository under test; called before each test. */
    protected abstract OrderRepository createRepository();

    /**
     * Returns the repository a second node would use on the same store, for the tests of two purgers at
     * once: by default {@link #repository} itself (an in-memory store belongs to one process, where the
     * second purger is another thread); a store shared by nodes returns another instance on it.
     */
    protected OrderRepository secondNode() {
        return repository;
    }

    /** Releases what {@link #createRepository()} made; called after each test. Does nothing by default. */
    protected void dropRepository(OrderRepository repository) {
    }

    @BeforeEach
    void setUpRepository() {
        repository = createRepository();
    }

    @AfterEach
    void tearDownRepository() {
        dropRepository(repository);
    }

    /** Returns an order id unique to this test run. */
    protected String newId(String prefix) {
        return prefix + "-" + runId + "-" + ids.incrementAndGet();
    }

    /** Creates an order at {@link #T0} and returns its id. */
    protected String createOrder() {
        return createOrder(newId("r"), newId("c"));
    }

    protected String createOrder(String restaurantId, String customerId) {
        String id = newId("o");
        repository.create(new NewOrder(id, restaurantId, customerId, new GeoPoint(33.8938, 35.5018)), T0, "test");
        return id;
    }

    /** Moves an order along {@code statuses}, one second apart after {@link #T0}. */
    protected void walk(String orderId, List<OrderStatus> statuses) {
        Instant at = T0;
        for (OrderStatus status : statuses) {
            at = at.plusSeconds(1);
            repository.transition(TransitionRequest.of(orderId, status, null, "test", at), MACHINE);
        }
    }

    protected TransitionResult move(String orderId, OrderStatus status, Instant at) {
        return repository.transition(TransitionRequest.of(orderId, status, null, "test", at), MACHINE);
    }

    @Test
    void create_newOrder_isReceivedWithEventOne() {
        String id = newId("o");
        TransitionResult result = repository.create(
                new NewOrder(id, "r-1", "c-1", new GeoPoint(33.8938, 35.5018)), T0, "operator:1");

        assertTrue(result.applied());
        TrackedOrder order = result.order();
        assertEquals(id, order.orderId());
        assertEquals(OrderStatus.RECEIVED, order.status());
        assertEquals(1, order.seq());
        assertEquals(T0, order.createdAt());
        assertEquals(T0, order.updatedAt());
        assertEquals(null, order.driverId());
        assertEquals(new OrderEvent(id, 1, OrderStatus.RECEIVED, null, null, "operator:1", T0), result.event());
        assertEquals(order, repository.find(id).orElseThrow());
        assertEquals(List.of(result.event()), repository.events(id, 0));
    }

    @Test
    void create_duplicateId_isRejectedAndChangesNothing() {
        String id = createOrder();
        assertThrows(DuplicateOrderException.class, () -> repository.create(
                new NewOrder(id, "other", "other", new GeoPoint(1, 1)), T0.plusSeconds(5), null));

        TrackedOrder order = repository.find(id).orElseThrow();
        assertFalse(order.restaurantId().equals("other"));
        assertEquals(1, repository.events(id, 0).size());
    }

    static Stream<Arguments> everyPair() {
        List<Arguments> pairs = new ArrayList<>();
        for (OrderStatus from : OrderStatus.values()) {
            for (OrderStatus to : OrderStatus.values()) {
                pairs.add(Arguments.of(from, to));
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("everyPair")
    void transition_everyPairOfStatuses_followsTheTable(OrderStatus from, OrderStatus to) {
        String id = createOrder();
        walk(id, PATHS.get(from));
        TrackedOrder before = repository.find(id).orElseThrow();
        List<OrderEvent> eventsBefore = repository.events(id, 0);
        Instant at = T0.plusSeconds(60);

        if (from == to) {
            TransitionResult result = move(id, to, at);
            assertFalse(result.applied(), "repeat must not write");
            assertEquals(eventsBefore.get(eventsBefore.size() - 1), result.event());
            assertEquals(eventsBefore, repository.events(id, 0));
        } else if (MACHINE.isAllowed(from, to)) {
            TransitionResult result = move(id, to, at);
            assertTrue(result.applied());
            OrderEvent expected = new OrderEvent(id, before.seq() + 1, to, from, null, "test", at);
            assertEquals(expected, result.event());
            assertEquals(to, repository.find(id).orElseThrow().status());
            assertEquals(before.seq() + 1, repository.find(id).orElseThrow().seq());
            assertEquals(at, repository.find(id).orElseThrow().updatedAt());
            assertEquals(List.of(expected), repository.events(id, before.seq()));
        } else {
            IllegalTransitionException e = assertThrows(IllegalTransitionException.class, () -> move(id, to, at));
            assertEquals(from, e.current());
            assertEquals(to, e.requested());
            assertEquals(MACHINE.allowedFrom(from), e.allowed());
            assertTrue(e.getMessage().contains(id), e.getMessage());
            assertEquals(before, repository.find(id).orElseThrow(), "a refused transition changes nothing");
            assertEquals(eventsBefore, repository.events(id, 0));
        }
    }

    @Test
    void transition_repeatOfCurrentStatus_returnsExistingEventAndWritesNothing() {
        String id = createOrder();
        OrderEvent first = move(id, OrderStatus.ACCEPTED, T0.plusSeconds(1)).event();

        TransitionResult again = repository.transition(
                TransitionRequest.of(id, OrderStatus.ACCEPTED, "different reason", "someone else", T0.plusSeconds(9)),
                MACHINE);

        assertFalse(again.applied());
        assertEquals(first, again.event());
        assertEquals(2, repository.events(id, 0).size());
        assertEquals(T0.plusSeconds(1), repository.find(id).orElseThrow().updatedAt());
    }

    @Test
    void transition_unknownOrder_throwsUnknownOrder() {
        UnknownOrderException e = assertThrows(UnknownOrderException.class,
                () -> move("no-such-order-" + runId, OrderStatus.ACCEPTED, T0));
        assertEquals("no-such-order-" + runId, e.orderId());
    }

    @Test
    void transition_fromTerminal_isRejectedNamingNoNextStatus() {
        String id = createOrder();
        walk(id, List.of(OrderStatus.FAILED));

        IllegalTransitionException e = assertThrows(IllegalTransitionException.class,
                () -> move(id, OrderStatus.ACCEPTED, T0.plusSeconds(5)));
        assertEquals(Set.of(), e.allowed());
        assertTrue(e.getMessage().contains("failed"), e.getMessage());
    }

    @Test
    void transition_keepsReasonActorAndMillisecondInstantExactly() {
        String id = createOrder();
        Instant at = T0.plusMillis(1_234);
        String reason = "kitchen closed — مطبخ مغلق";
        TransitionResult result = repository.transition(
                TransitionRequest.of(id, OrderStatus.FAILED, reason, "restaurant:r-9", at), MACHINE);

        OrderEvent stored = repository.events(id, 1).get(0);
        assertEquals(result.event(), stored);
        assertEquals(reason, stored.reason());
        assertEquals("restaurant:r-9", stored.actor());
        assertEquals(at, stored.at());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("controlCharacters")
    void transition_reasonOrActorWithControlCharacter_isRefusedBeforeTheStoreAndChangesNothing(String name,
            String text) {
        String id = createOrder();
        TrackedOrder before = repository.find(id).orElseThrow();
        IllegalArgumentException reason = assertThrows(IllegalArgumentException.class, () -> repository.transition(
                TransitionRequest.of(id, OrderStatus.FAILED, text, "restaurant:r-9", T0.plusSeconds(1)), MACHINE));
        assertTrue(reason.getMessage().startsWith("reason must not contain control characters"), reason.getMessage());
        IllegalArgumentException actor = assertThrows(IllegalArgumentException.class, () -> repository.transition(
                TransitionRequest.of(id, OrderStatus.FAILED, "closed", text, T0.plusSeconds(1)), MACHINE));
        assertTrue(actor.getMessage().startsWith("actor must not contain control characters"), actor.getMessage());
        assertEquals(before, repository.find(id).orElseThrow());
        assertEquals(1, repository.events(id, 0).size(), "nothing may be stored");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("controlCharacters")
    void create_actorWithControlCharacter_isRefusedBeforeTheStore(String name, String text) {
        String id = "ctl-" + UUID.randomUUID();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> repository.create(
                new NewOrder(id, "r-1", "c-1", new GeoPoint(33.9, 35.5)), T0, text));
        assertTrue(e.getMessage().startsWith("actor must not contain control characters"), e.getMessage());
        assertTrue(repository.find(id).isEmpty(), "nothing may be stored");
    }

    static Stream<Arguments> controlCharacters() {
        return Stream.of(Arguments.of("NUL", "kitchen\u0000closed"), Arguments.of("line feed", "kitchen\nclosed"),
                Arguments.of("tab", "kitchen\tclosed"), Arguments.of("DEL", "kitchen\u007Fclosed"),
                Arguments.of("C1 NEL", "kitchen\u0085closed"));
    }

    @Test
    void transition_withExpectedCurrentThatNoLongerHolds_isRejectedAndChangesNothing() {
        String id = createOrder();
        move(id, OrderStatus.ACCEPTED, T0.plusSeconds(1));

        assertThrows(IllegalTransitionException.class, () -> repository.transition(new TransitionRequest(id,
                OrderStatus.FAILED, "acceptance_timeout", "system", T0.plusSeconds(2), OrderStatus.RECEIVED), MACHINE));

        assertEquals(OrderStatus.ACCEPTED, repository.find(id).orElseThrow().status());
        assertEquals(2, repository.events(id, 0).size());
    }

    @Test
    void transition_withExpectedCurrentThatHolds_isApplied() {
        String id = createOrder();
        TransitionResult result = repository.transition(new TransitionRequest(id, OrderStatus.FAILED,
                "acceptance_timeout", "system", T0.plusSeconds(300), OrderStatus.RECEIVED), MACHINE);
        assertTrue(result.applied());
        assertEquals("acceptance_timeout", result.event().reason());
    }

    @Test
    void transition_customTable_isHonoured() {
        OrderStateMachine wider = MACHINE.toBuilder().allow(OrderStatus.PREPARING, OrderStatus.FAILED).build();
        String id = createOrder();
        walk(id, List.of(OrderStatus.ACCEPTED, OrderStatus.PREPARING));

        assertThrows(IllegalTransitionException.class, () -> move(id, OrderStatus.FAILED, T0.plusSeconds(10)));
        TransitionResult result = repository.transition(
                TransitionRequest.of(id, OrderStatus.FAILED, "customer cancelled", null, T0.plusSeconds(10)), wider);
        assertTrue(result.applied());
    }

    @Test
    void transition_manyThreadsRacingOneOrder_leaveGaplessSeqAndOneWinnerPerEdge() throws Exception {
        String id = createOrder();
        int threads = 16;
        Map<OrderStatus, AtomicInteger> winners = new ConcurrentHashMap<>();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    Instant at = T0;
                    for (OrderStatus status : HAPPY_PATH) {
                        at = at.plusSeconds(1);
                        try {
                            TransitionResult result = move(id, status, at);
                            if (result.applied()) {
                                winners.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                            }
                        } catch (IllegalTransitionException e) {
                            // another thread moved past this status already: legal outcome of the race
                        } catch (Throwable e) {
                            unexpected.add(e);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals(List.of(), unexpected);
        for (OrderStatus status : HAPPY_PATH) {
            assertEquals(1, winners.get(status).get(), "exactly one winner for " + status);
        }
        assertGapless(id, HAPPY_PATH.size() + 1);
        assertEquals(OrderStatus.DELIVERED, repository.find(id).orElseThrow().status());
    }

    @Test
    void transition_manyThreadsAcrossManyOrders_loseNoEvent() throws Exception {
        int orders = 40;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < orders; i++) {
            ids.add(createOrder());
        }
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<String> mine = new ArrayList<>(ids);
                Collections.shuffle(mine, new java.util.Random(t));
                futures.add(pool.submit(() -> {
                    start.await();
                    for (OrderStatus status : HAPPY_PATH) {
                        for (String id : mine) {
                            try {
                                move(id, status, T0.plusSeconds(status.ordinal()));
                            } catch (IllegalTransitionException e) {
                                // lost the race for this edge
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (String id : ids) {
            assertGapless(id, HAPPY_PATH.size() + 1);
        }
    }

    @Test
    void transition_randomSequences_keepTheTrailConsistentAfterEveryStep() {
        java.util.Random random = new java.util.Random(20261124);
        OrderStatus[] statuses = OrderStatus.values();
        List<String> ids = new ArrayList<>();
        Map<String, OrderStatus> model = new java.util.HashMap<>();
        for (int i = 0; i < 5; i++) {
            String id = createOrder();
            ids.add(id);
            model.put(id, OrderStatus.RECEIVED);
        }
        Instant at = T0;
        for (int step = 0; step < 300; step++) {
            int slot = random.nextInt(ids.size());
            if (model.get(ids.get(slot)).isTerminal() && random.nextInt(4) == 0) {
                String fresh = createOrder();   // keep live orders in play once others have ended
                ids.set(slot, fresh);
                model.put(fresh, OrderStatus.RECEIVED);
            }
            String id = ids.get(slot);
            OrderStatus target = statuses[random.nextInt(statuses.length)];
            OrderStatus before = model.get(id);
            at = at.plusMillis(1 + random.nextInt(5_000));
            String reason = random.nextBoolean() ? null : "step " + step;
            try {
                TransitionResult result = repository.transition(
                        TransitionRequest.of(id, target, reason, "fuzz", at), MACHINE);
                if (before == target) {
                    assertFalse(result.applied(), "step " + step + ": a repeat must not write");
                } else {
                    assertTrue(MACHINE.isAllowed(before, target), "step " + step + ": " + before + " -> " + target
                            + " was applied but is not an edge");
                    assertTrue(result.applied());
                    assertEquals(reason, result.event().reason());
                    model.put(id, target);
                }
            } catch (IllegalTransitionException e) {
                assertFalse(before == target || MACHINE.isAllowed(before, target),
                        "step " + step + ": legal edge " + before + " -> " + target + " was refused");
                assertEquals(before, e.current());
            }
            // invariants after every step: stored status is the model's, the trail is gapless and ends in it
            TrackedOrder stored = repository.find(id).orElseThrow();
            assertEquals(model.get(id), stored.status(), "step " + step);
            List<OrderEvent> trail = repository.events(id, 0);
            assertEquals(stored.seq(), trail.size(), "step " + step);
            assertGapless(id, trail.size());
            assertEquals(stored.status(), trail.get(trail.size() - 1).status());
            assertEquals(stored.updatedAt(), trail.get(trail.size() - 1).at());
        }
    }

    /** Asserts the order's trail is seq 1..count with each event's previous the prior status. */
    protected void assertGapless(String orderId, int count) {
        List<OrderEvent> events = repository.events(orderId, 0);
        assertEquals(count, events.size(), "events of " + orderId + ": " + events);
        OrderStatus previous = null;
        for (int i = 0; i < events.size(); i++) {
            OrderEvent event = events.get(i);
            assertEquals(i + 1, event.seq());
            assertEquals(previous, event.previous());
            previous = event.status();
        }
    }

    @Test
    void events_afterSeq_returnsOnlyTheTailInOrder() {
        String id = createOrder();
        walk(id, List.of(OrderStatus.ACCEPTED, OrderStatus.PREPARING, OrderStatus.READY));

        assertEquals(List.of(OrderStatus.PREPARING, OrderStatus.READY),
                repository.events(id, 2).stream().map(OrderEvent::status).toList());
        assertEquals(4, repository.events(id, 0).size());
        assertEquals(List.of(), repository.events(id, 4));
        assertEquals(List.of(), repository.events(id, 99));
    }

    @Test
    void find_and_events_unknownOrder_areEmpty() {
        assertTrue(repository.find("missing-" + runId).isEmpty());
        assertEquals(List.of(), repository.events("missing-" + runId, 0));
    }

    @Test
    void findAll_someKnownSomeUnknown_returnsExactlyTheKnownOnesAsFind() {
        String active = createOrder();
        String ended = createOrder();
        move(ended, OrderStatus.FAILED, T0.plusSeconds(2));
        String missing = "missing-" + runId;

        java.util.Map<String, TrackedOrder> found = repository.findAll(List.of(active, missing, ended, active));

        assertEquals(java.util.Set.of(active, ended), found.keySet());
        assertEquals(repository.find(active).orElseThrow(), found.get(active));
        assertEquals(repository.find(ended).orElseThrow(), found.get(ended));
        assertEquals(OrderStatus.FAILED, found.get(ended).status());
        assertEquals(java.util.Map.of(), repository.findAll(List.of()));
    }

    @Test
    void findAll_manyIds_findsEveryOne() {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 1_100; i++) {
            ids.add(i % 2 == 0 ? createOrder() : "missing-" + i + "-" + runId);
        }

        java.util.Map<String, TrackedOrder> found = repository.findAll(ids);

        assertEquals(550, found.size());
        for (int i = 0; i < ids.size(); i += 2) {
            assertEquals(ids.get(i), found.get(ids.get(i)).orderId());
        }
    }

    @Test
    void assignDriver_activeOrder_setsDriverWithoutAnEvent() {
        String id = createOrder();
        TrackedOrder order = repository.assignDriver(id, "d-7", T0.plusSeconds(3));

        assertEquals("d-7", order.driverId());
        assertEquals("d-7", repository.find(id).orElseThrow().driverId());
        assertEquals(1, repository.events(id, 0).size());
        assertEquals("d-8", repository.assignDriver(id, "d-8", T0.plusSeconds(4)).driverId());
    }

    @Test
    void assignDriver_reassignment_movesTheOrderToTheNewDriversActiveOrders() {
        String id = createOrder();
        String first = newId("d");
        String second = newId("d");
        repository.assignDriver(id, first, T0.plusSeconds(1));
        repository.assignDriver(id, second, T0.plusSeconds(2));

        assertEquals(List.of(), repository.activeOrdersOfDriver(first));
        assertEquals(List.of(id), ids(repository.activeOrdersOfDriver(second)));
        walk(id, HAPPY_PATH);
        assertEquals(List.of(), repository.activeOrdersOfDriver(second));
    }

    @Test
    void assignDriver_terminalOrder_isRejectedAndChangesNothing() {
        String id = createOrder();
        walk(id, List.of(OrderStatus.FAILED));
        assertThrows(IllegalTransitionException.class, () -> repository.assignDriver(id, "d-1", T0.plusSeconds(9)));
        assertEquals(null, repository.find(id).orElseThrow().driverId());
    }

    @Test
    void assignDriver_unknownOrder_throwsUnknownOrder() {
        assertThrows(UnknownOrderException.class, () -> repository.assignDriver("missing-" + runId, "d-1", T0));
    }

    @Test
    void changeDriver_reassignment_returnsThePreviousDriver() {
        String id = createOrder();
        String first = newId("d");
        String second = newId("d");

        DriverChange assigned = repository.changeDriver(id, first, T0.plusSeconds(1));
        assertEquals(null, assigned.previousDriverId());
        assertEquals(first, assigned.driverId());
        assertTrue(assigned.changed());

        DriverChange reassigned = repository.changeDriver(id, second, T0.plusSeconds(2));
        assertEquals(first, reassigned.previousDriverId());
        assertEquals(second, reassigned.order().driverId());
        assertTrue(reassigned.tookFromPreviousDriver());
        assertEquals(second, repository.find(id).orElseThrow().driverId());
        assertEquals(1, repository.events(id, 0).size(), "a driver change writes no event");
    }

    @Test
    void changeDriver_sameDriverAgain_changesNothing() {
        String id = createOrder();
        String driver = newId("d");
        repository.changeDriver(id, driver, T0.plusSeconds(1));

        DriverChange again = repository.changeDriver(id, driver, T0.plusSeconds(2));

        assertEquals(driver, again.previousDriverId());
        assertFalse(again.changed());
        assertFalse(again.tookFromPreviousDriver());
        assertEquals(List.of(id), ids(repository.activeOrdersOfDriver(driver)));
    }

    @Test
    void changeDriver_unassign_clearsTheDriverAndTakesTheOrderOutOfItsActiveOrders() {
        String id = createOrder();
        String kept = createOrder();
        String driver = newId("d");
        repository.changeDriver(id, driver, T0.plusSeconds(1));
        repository.changeDriver(kept, driver, T0.plusSeconds(1));

        DriverChange unassigned = repository.changeDriver(id, null, T0.plusSeconds(2));

        assertEquals(driver, unassigned.previousDriverId());
        assertEquals(null, unassigned.driverId());
        assertTrue(unassigned.tookFromPreviousDriver());
        assertEquals(null, repository.find(id).orElseThrow().driverId());
        assertEquals(List.of(kept), ids(repository.activeOrdersOfDriver(driver)));
        assertEquals(OrderStatus.RECEIVED, repository.find(id).orElseThrow().status(), "the status is untouched");
    }

    @Test
    void changeDriver_unassignAnOrderWithoutDriver_changesNothing() {
        String id = createOrder();

        DriverChange none = repository.changeDriver(id, null, T0.plusSeconds(1));

        assertEquals(null, none.previousDriverId());
        assertFalse(none.changed());
        assertEquals(repository.find(id).orElseThrow(), none.order());
    }

    @Test
    void changeDriver_terminalOrder_isRejectedAndKeepsItsDriver() {
        String driver = newId("d");
        for (OrderStatus terminal : List.of(OrderStatus.DELIVERED, OrderStatus.FAILED)) {
            String id = createOrder();
            repository.changeDriver(id, driver, T0);
            walk(id, PATHS.get(terminal));

            IllegalTransitionException unassign = assertThrows(IllegalTransitionException.class,
                    () -> repository.changeDriver(id, null, T0.plusSeconds(9)));
            assertEquals(terminal, unassign.current());
            assertThrows(IllegalTransitionException.class,
                    () -> repository.changeDriver(id, newId("d"), T0.plusSeconds(9)));
            assertEquals(driver, repository.find(id).orElseThrow().driverId(), "a finished order keeps its driver");
        }
        assertEquals(List.of(), repository.activeOrdersOfDriver(driver));
    }

    @Test
    void changeDriver_unknownOrder_throwsUnknownOrder() {
        assertThrows(UnknownOrderException.class, () -> repository.changeDriver("missing-" + runId, null, T0));
        assertThrows(UnknownOrderException.class, () -> repository.changeDriver("missing-" + runId, "d-1", T0));
    }

    /**
     * Many operators reassigning one order at once: each change sees the driver the one before it left,
     * so the previous drivers reported form one chain — every driver is reported as previous at most
     * once, and exactly the last driver set is never reported. A read-then-write outside the order's
     * lock reports one driver twice (two operators both "take it from" the same driver).
     */
    @Test
    void changeDriver_manyThreadsReassigningOneOrder_reportEachPreviousDriverOnce() throws Exception {
        String id = createOrder();
        int threads = 8;
        int perThread = 10;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<DriverChange> changes = new CopyOnWriteArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    for (int i = 0; i < perThread; i++) {
                        String driver = (thread + i) % 5 == 4 ? null : "d-" + runId + "-" + thread + "-" + i;
                        changes.add(repository.changeDriver(id, driver, T0.plusSeconds(1)));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals(threads * perThread, changes.size());
        Map<String, Integer> reportedAsPrevious = new ConcurrentHashMap<>();
        for (DriverChange change : changes) {
            if (change.tookFromPreviousDriver()) {
                reportedAsPrevious.merge(change.previousDriverId(), 1, Integer::sum);
            }
        }
        reportedAsPrevious.forEach((driver, count) -> assertEquals(1, count, driver + " was taken from twice"));
        String last = repository.find(id).orElseThrow().driverId();
        assertFalse(last != null && reportedAsPrevious.containsKey(last), "the final driver " + last
                + " was reported as having lost the order");
        for (DriverChange change : changes) {
            String driver = change.driverId();
            if (driver != null && !driver.equals(last)) {
                assertEquals(1, reportedAsPrevious.getOrDefault(driver, 0), driver + " got the order and never lost it");
            }
        }
    }

    @Test
    void activeOrdersOfDriver_areOldestFirstAndOnlyThatDriversLiveOrders() {
        String driver = newId("d");
        String other = newId("d");
        String restaurant = newId("r");
        List<String> expected = new ArrayList<>();
        // created newest first, so the order of the answer is the query's, not the insertion's
        for (int i = 4; i >= 0; i--) {
            String id = newId("o");
            repository.create(new NewOrder(id, restaurant, newId("c"), new GeoPoint(33.89, 35.50)),
                    T0.plusSeconds(i), "test");
            repository.changeDriver(id, driver, T0.plusSeconds(10));
            expected.add(0, id);
        }
        String elsewhere = createOrder();
        repository.changeDriver(elsewhere, other, T0);
        walk(expected.get(1), PATHS.get(OrderStatus.PICKED_UP));
        walk(expected.get(3), PATHS.get(OrderStatus.DELIVERED));
        repository.changeDriver(expected.get(4), null, T0.plusSeconds(20));

        assertEquals(List.of(expected.get(0), expected.get(1), expected.get(2)),
                ids(repository.activeOrdersOfDriver(driver)));
        assertEquals(List.of(elsewhere), ids(repository.activeOrdersOfDriver(other)));
        assertEquals(OrderStatus.PICKED_UP, repository.activeOrdersOfDriver(driver).get(1).status(),
                "the rows are current");
        assertEquals(List.of(), repository.activeOrdersOfDriver(newId("nobody")));
    }

    @Test
    void activeOrders_excludeTerminalOrders() {
        String restaurant = newId("r");
        String customer = newId("c");
        String driver = newId("d");
        String live = createOrder(restaurant, customer);
        String delivered = createOrder(restaurant, customer);
        String failed = createOrder(restaurant, customer);
        repository.assignDriver(live, driver, T0);
        repository.assignDriver(delivered, driver, T0);
        walk(delivered, HAPPY_PATH);
        walk(failed, List.of(OrderStatus.FAILED));

        assertEquals(List.of(live), ids(repository.activeOrdersOfRestaurant(restaurant)));
        assertEquals(List.of(live), ids(repository.activeOrdersOfCustomer(customer)));
        assertEquals(List.of(live), ids(repository.activeOrdersOfDriver(driver)));
        assertEquals(List.of(), repository.activeOrdersOfRestaurant(newId("nobody")));
    }

    @Test
    void findByStatus_honoursChangedBeforeAndLimit() {
        String old1 = createOrder();
        String old2 = createOrder();
        String fresh = createOrder();
        move(fresh, OrderStatus.ACCEPTED, T0.plusSeconds(100));
        move(fresh, OrderStatus.FAILED, T0.plusSeconds(101));
        String accepted = createOrder();
        move(accepted, OrderStatus.ACCEPTED, T0.plusSeconds(10));

        List<String> received = ids(repository.findByStatus(OrderStatus.RECEIVED, T0.plusSeconds(1), 1000));
        assertTrue(received.containsAll(List.of(old1, old2)), received.toString());
        assertFalse(received.contains(fresh));
        assertFalse(received.contains(accepted));
        assertTrue(repository.findByStatus(OrderStatus.RECEIVED, T0, 1000).stream()
                .noneMatch(o -> o.orderId().equals(old1)), "changedBefore is exclusive");
        assertEquals(1, repository.findByStatus(OrderStatus.RECEIVED, null, 1).size());
        assertTrue(ids(repository.findByStatus(OrderStatus.ACCEPTED, null, 1000)).contains(accepted));
    }

    @Test
    void relayUnpublished_publishesCommittedEventsInSeqOrderAndMarksThem() {
        String id = createOrder();
        walk(id, List.of(OrderStatus.ACCEPTED, OrderStatus.PREPARING));
        List<OrderEvent> relayed = new ArrayList<>();

        int count = relayAll(Instant.MAX.minusSeconds(1), relayed);

        List<OrderEvent> mine = relayed.stream().filter(e -> e.orderId().equals(id)).toList();
        assertEquals(repository.events(id, 0), mine);
        assertTrue(count >= 3);
        List<OrderEvent> again = new ArrayList<>();
        relayAll(Instant.MAX.minusSeconds(1), again);
        assertTrue(again.stream().noneMatch(e -> e.orderId().equals(id)), "published events are not relayed twice");
    }

    @Test
    void relayUnpublished_skipsEventsMarkedPublished() {
        String id = createOrder();
        walk(id, List.of(OrderStatus.ACCEPTED, OrderStatus.PREPARING));
        repository.markPublished(List.of(new EventRef(id, 1), new EventRef(id, 3)));
        List<OrderEvent> relayed = new ArrayList<>();

        relayAll(Instant.MAX.minusSeconds(1), relayed);

        assertEquals(List.of(2L), relayed.stream().filter(e -> e.orderId().equals(id)).map(OrderEvent::seq).toList());
    }

    @Test
    void relayUnpublished_leavesEventsCommittedAfterTheCutoff() {
        String id = createOrder();
        move(id, OrderStatus.ACCEPTED, T0.plus(Duration.ofHours(1)));
        List<OrderEvent> relayed = new ArrayList<>();

        relayAll(T0.plusSeconds(1), relayed);

        assertEquals(List.of(1L), relayed.stream().filter(e -> e.orderId().equals(id)).map(OrderEvent::seq).toList());
    }

    @Test
    void relayUnpublished_publisherThrows_eventStaysUnpublished() {
        String id = createOrder();
        relayAll(T0.plusSeconds(1), new ArrayList<>()); // drain other tests' leftovers before T0+1s
        move(id, OrderStatus.ACCEPTED, T0.plusSeconds(2));
        RuntimeException boom = new IllegalStateException("bus down");

        assertThrows(IllegalStateException.class, () -> repository.relayUnpublished(Instant.MAX.minusSeconds(1), 100,
                event -> {
                    if (event.orderId().equals(id)) {
                        throw boom;
                    }
                }));

        List<OrderEvent> relayed = new ArrayList<>();
        relayAll(Instant.MAX.minusSeconds(1), relayed);
        assertEquals(List.of(2L), relayed.stream().filter(e -> e.orderId().equals(id)).map(OrderEvent::seq).toList());
    }

    @Test
    void relayUnpublished_twoRelaysAtOnce_neverPublishAnEventTwice() throws Exception {
        relayAll(Instant.MAX.minusSeconds(1), new ArrayList<>());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String id = createOrder();
            walk(id, List.of(OrderStatus.ACCEPTED, OrderStatus.PREPARING));
            ids.add(id);
        }
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    int n;
                    do {
                        n = repository.relayUnpublished(Instant.MAX.minusSeconds(1), 7, event ->
                                seen.computeIfAbsent(event.orderId() + "#" + event.seq(), k -> new AtomicInteger())
                                        .incrementAndGet());
                    } while (n > 0);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (String id : ids) {
            for (int seq = 1; seq <= 3; seq++) {
                AtomicInteger times = seen.get(id + "#" + seq);
                assertEquals(1, times == null ? 0 : times.get(), id + "#" + seq + " published exactly once");
            }
        }
    }

    @Test
    void claimNotification_isTrueOnlyOncePerOrderAndMoment() {
        String id = createOrder();
        assertTrue(repository.claimNotification(id, NotificationMoment.ACCEPTED, T0));
        assertFalse(repository.claimNotification(id, NotificationMoment.ACCEPTED, T0.plusSeconds(1)));
        assertTrue(repository.claimNotification(id, NotificationMoment.PICKED_UP, T0));
        assertTrue(repository.claimNotification(createOrder(), NotificationMoment.ACCEPTED, T0));
    }

    @Test
    void claimNotification_racingThreads_exactlyOneWins() throws Exception {
        String id = createOrder();
        int threads = 8;
        AtomicInteger wins = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    if (repository.claimNotification(id, NotificationMoment.DELIVERED, T0)) {
                        wins.incrementAndGet();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, wins.get());
    }

    // ---- retention -----------------------------------------------------------------------------

    /**
     * Retention tests finish their orders ten years before {@link #T0}, where no other test has any,
     * and purge with cut-offs in that decade only, unless a test says otherwise.
     */
    protected static final Instant LONG_AGO = T0.minus(Duration.ofDays(3650));

    /** Creates an order at {@code at}, walks it to {@code status} a second a step, and publishes every event. */
    protected String orderFinishedAt(Instant at, OrderStatus status) {
        String id = newId("o");
        repository.create(new NewOrder(id, newId("r"), newId("c"), new GeoPoint(33.8938, 35.5018)), at, "test");
        Instant when = at;
        for (OrderStatus step : PATHS.get(status)) {
            when = when.plusSeconds(1);
            repository.transition(TransitionRequest.of(id, step, null, "test", when), MACHINE);
        }
        publishAll(id);
        return id;
    }

    /** Marks every event of the order published, as the tracker does once the bus took them. */
    protected void publishAll(String orderId) {
        repository.markPublished(repository.events(orderId, 0).stream().map(EventRef::of).toList());
    }

    /** Purges batch after batch until nothing eligible before {@code before} is left; fails on busy. */
    protected int purgeAll(Instant before) {
        int total = 0;
        PurgeResult result;
        do {
            result = repository.purgeTerminal(before, 500);
            assertFalse(result.busy(), "no other purger runs in this test");
            total += result.purged();
        } while (result.purged() == 500);
        return total;
    }

    /** Asserts that nothing of the order is left: no order, no trail, no event for the relay. */
    protected void assertPurged(String orderId) {
        assertTrue(repository.find(orderId).isEmpty(), orderId + " should be gone");
        assertEquals(List.of(), repository.events(orderId, 0), orderId + "'s trail should be gone");
        assertFalse(repository.findAll(List.of(orderId)).containsKey(orderId));
    }

    @Test
    void purgeTerminal_oldFinishedOrders_areRemovedWithTheirTrailAndClaims() {
        Instant cutoff = LONG_AGO.plus(Duration.ofDays(1));
        purgeAll(cutoff);
        String delivered = orderFinishedAt(LONG_AGO, OrderStatus.DELIVERED);
        String failed = orderFinishedAt(LONG_AGO.plusSeconds(30), OrderStatus.FAILED);
        assertTrue(repository.claimNotification(delivered, NotificationMoment.DELIVERED, LONG_AGO.plusSeconds(6)));
        assertTrue(repository.claimNotification(failed, NotificationMoment.FAILED, LONG_AGO.plusSeconds(31)));

        PurgeResult result = repository.purgeTerminal(cutoff, 100);

        assertEquals(PurgeResult.purged(2), result);
        assertPurged(delivered);
        assertPurged(failed);
        List<OrderEvent> relayed = new ArrayList<>();
        relayAll(Instant.MAX.minusSeconds(1), relayed);
        assertTrue(relayed.stream().noneMatch(e -> e.orderId().equals(delivered) || e.orderId().equals(failed)),
                "no outbox row of a purged order is relayed: " + relayed);
        assertThrows(UnknownOrderException.class, () -> move(delivered, OrderStatus.DELIVERED, T0));
        assertThrows(UnknownOrderException.class, () -> repository.changeDriver(failed, null, T0));
        assertTrue(repository.claimNotification(delivered, NotificationMoment.DELIVERED, T0),
                "the purged claim is gone, so the moment can be claimed again");
        assertEquals(PurgeResult.purged(0), repository.purgeTerminal(cutoff, 100), "nothing left to purge");
    }

    @Test
    void purgeTerminal_ordersThatAreNotTerminal_areKeptWhateverTheirAge() {
        List<String> live = new ArrayList<>();
        for (OrderStatus status : OrderStatus.values()) {
            if (!status.isTerminal()) {
                live.add(orderFinishedAt(LONG_AGO, status));
            }
        }
        String done = orderFinishedAt(LONG_AGO, OrderStatus.DELIVERED);

        // a cut-off ten years after T0: everything terminal in the store is eligible
        Instant farFuture = T0.plus(Duration.ofDays(3650));
        purgeAll(farFuture);

        for (String id : live) {
            TrackedOrder order = repository.find(id).orElseThrow(() -> new AssertionError(id + " was purged"));
            assertGapless(id, (int) order.seq());
        }
        assertPurged(done);
    }

    @Test
    void purgeTerminal_cutoffIsExclusive() {
        Instant cutoff = LONG_AGO.plus(Duration.ofDays(2));
        purgeAll(cutoff);
        // FAILED is one step: the order finishes one second after it is created
        String atCutoff = orderFinishedAt(cutoff.minusSeconds(1), OrderStatus.FAILED);
        String justBefore = orderFinishedAt(cutoff.minusSeconds(1).minusMillis(1), OrderStatus.FAILED);
        assertEquals(cutoff, repository.find(atCutoff).orElseThrow().updatedAt());

        assertEquals(PurgeResult.purged(1), repository.purgeTerminal(cutoff, 100));

        assertPurged(justBefore);
        assertEquals(OrderStatus.FAILED, repository.find(atCutoff).orElseThrow().status(),
                "an order that finished exactly at the cut-off is kept");
        assertEquals(PurgeResult.purged(1), repository.purgeTerminal(cutoff.plusMillis(1), 100));
        assertPurged(atCutoff);
    }

    @Test
    void purgeTerminal_orderWithAnUnpublishedEvent_isKeptUntilItIsPublished() {
        Instant cutoff = LONG_AGO.plus(Duration.ofDays(3));
        purgeAll(cutoff);
        String id = newId("o");
        repository.create(new NewOrder(id, newId("r"), newId("c"), new GeoPoint(33.9, 35.5)), LONG_AGO, "test");
        publishAll(id);
        move(id, OrderStatus.FAILED, LONG_AGO.plusSeconds(1));   // its outbox row is not published

        assertEquals(PurgeResult.purged(0), repository.purgeTerminal(cutoff, 100));
        assertGapless(id, 2);

        List<OrderEvent> relayed = new ArrayList<>();
        relayAll(cutoff, relayed);
        assertTrue(relayed.stream().anyMatch(e -> e.orderId().equals(id) && e.seq() == 2), relayed.toString());
        assertEquals(PurgeResult.purged(1), repository.purgeTerminal(cutoff, 100));
        assertPurged(id);
    }

    @Test
    void purgeTerminal_takesAtMostMaxAndTheRestInLaterBatches() {
        Instant cutoff = LONG_AGO.plus(Duration.ofDays(4));
        purgeAll(cutoff);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(orderFinishedAt(LONG_AGO.plusSeconds(i), OrderStatus.FAILED));
        }

        assertEquals(PurgeResult.purged(3), repository.purgeTerminal(cutoff, 3));
        assertEquals(4, ids.stream().filter(id -> repository.find(id).isPresent()).count());
        assertEquals(PurgeResult.purged(3), repository.purgeTerminal(cutoff, 3));
        assertEquals(PurgeResult.purged(1), repository.purgeTerminal(cutoff, 3));
        assertEquals(PurgeResult.purged(0), repository.purgeTerminal(cutoff, 3));
        ids.forEach(this::assertPurged);
    }

    @Test
    void purgeTerminal_badArguments_areRejectedAndPurgeNothing() {
        String id = orderFinishedAt(LONG_AGO, OrderStatus.FAILED);
        Instant cutoff = LONG_AGO.plus(Duration.ofDays(5));

        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> repository.purgeTerminal(cutoff, 0));
        assertTrue(zero.getMessage().contains("max must be positive, but was 0"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> repository.purgeTerminal(cutoff, -5));
        assertThrows(NullPointerException.class, () -> repository.purgeTerminal(null, 10));

        assertEquals(OrderStatus.FAILED, repository.find(id).orElseThrow().status());
    }

    @Test
    void purgeTerminal_twoPurgersAtOnce_oneDoesTheBatch() throws Exception {
        Instant cutoff = LONG_AGO.plus(Duration.ofDays(6));
        purgeAll(cutoff);
        OrderRepository other = secondNode();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    ids.add(orderFinishedAt(LONG_AGO.plusSeconds(i), i % 2 == 0 ? OrderStatus.DELIVERED
                            : OrderStatus.FAILED));
                }
                CountDownLatch start = new CountDownLatch(1);
                Future<PurgeResult> first = pool.submit(() -> {
                    start.await();
                    return repository.purgeTerminal(cutoff, 100);
                });
                Future<PurgeResult> second = pool.submit(() -> {
                    start.await();
                    return other.purgeTerminal(cutoff, 100);
                });
                start.countDown();
                PurgeResult a = first.get(60, TimeUnit.SECONDS);
                PurgeResult b = second.get(60, TimeUnit.SECONDS);

                assertEquals(20, a.purged() + b.purged(), "round " + round + ": " + a + " and " + b);
                assertTrue(a.purged() == 0 || b.purged() == 0,
                        "round " + round + ": one purger did the batch, but they split it: " + a + " and " + b);
                ids.forEach(this::assertPurged);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void purgeTerminal_racingTransitionsOfLiveOrders_neverRemovesOneAndRemovesWholeOrders() throws Exception {
        Instant farFuture = T0.plus(Duration.ofDays(3650));
        List<String> old = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            old.add(orderFinishedAt(LONG_AGO.plusSeconds(i), OrderStatus.DELIVERED));
        }
        List<String> live = new ArrayList<>();
        List<String> finishing = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            live.add(orderFinishedAt(LONG_AGO, OrderStatus.RECEIVED));
            finishing.add(orderFinishedAt(LONG_AGO, OrderStatus.RECEIVED));
        }
        OrderRepository other = secondNode();
        List<OrderStatus> toPickedUp = HAPPY_PATH.subList(0, HAPPY_PATH.indexOf(OrderStatus.PICKED_UP) + 1);
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        AtomicBoolean moving = new AtomicBoolean(true);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> movers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                List<String> mine = new ArrayList<>(t == 0 ? live : finishing);
                List<OrderStatus> path = t == 0 ? toPickedUp : HAPPY_PATH;
                movers.add(pool.submit(() -> {
                    start.await();
                    Instant at = LONG_AGO;
                    for (OrderStatus status : path) {
                        at = at.plusSeconds(1);
                        for (String id : mine) {
                            try {
                                // published at once, as a live node does: only its status protects a live order
                                OrderEvent event = move(id, status, at).event();
                                repository.markPublished(List.of(EventRef.of(event)));
                            } catch (Throwable e) {
                                unexpected.add(e);
                            }
                        }
                    }
                    return null;
                }));
            }
            List<Future<?>> purgers = new ArrayList<>();
            for (OrderRepository purger : List.of(repository, other)) {
                purgers.add(pool.submit(() -> {
                    start.await();
                    while (moving.get()) {
                        try {
                            purger.purgeTerminal(farFuture, 5);
                        } catch (Throwable e) {
                            unexpected.add(e);
                            return null;
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> mover : movers) {
                mover.get(120, TimeUnit.SECONDS);
            }
            moving.set(false);
            for (Future<?> purger : purgers) {
                purger.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals(List.of(), unexpected);
        for (String id : live) {
            TrackedOrder order = repository.find(id).orElseThrow(() -> new AssertionError(id + " was purged while live"));
            assertEquals(OrderStatus.PICKED_UP, order.status());
            assertGapless(id, toPickedUp.size() + 1);
        }
        for (String id : finishing) {
            // finished during the race: purged whole, or kept whole
            if (repository.find(id).isPresent()) {
                assertGapless(id, HAPPY_PATH.size() + 1);
            } else {
                assertPurged(id);
            }
        }
        purgeAll(farFuture);
        old.forEach(this::assertPurged);
        finishing.forEach(this::assertPurged);
        live.forEach(id -> assertTrue(repository.find(id).isPresent(), id));
    }

    // ---- operations watch: restaurant presence, stuck claims, outbox backlog ----------------------

    /** Returns the stored presence of one restaurant, or null when the repository lists none for it. */
    protected RestaurantPresence presenceOf(String restaurantId) {
        return repository.restaurantPresence().stream().filter(p -> p.restaurantId().equals(restaurantId))
                .findFirst().orElse(null);
    }

    @Test
    void restaurantPresence_countsOnlyOrdersWaitingForTheRestaurant() {
        String restaurant = newId("r");
        String first = newId("o");
        repository.create(new NewOrder(first, restaurant, newId("c"), new GeoPoint(33.9, 35.5)), T0, null);
        String second = createOrder(restaurant, newId("c"));
        String onTheRoad = createOrder(restaurant, newId("c"));
        String delivered = createOrder(restaurant, newId("c"));
        walk(second, PATHS.get(OrderStatus.PREPARING));
        walk(onTheRoad, PATHS.get(OrderStatus.PICKED_UP));
        walk(delivered, HAPPY_PATH);
        repository.create(new NewOrder(newId("o"), restaurant, newId("c"), new GeoPoint(33.9, 35.5)),
                T0.plusSeconds(30), null);

        RestaurantPresence presence = presenceOf(restaurant);

        assertEquals(3, presence.openOrders(), "received, preparing and the later received; not picked up or delivered");
        assertEquals(T0, presence.oldestOpenOrderAt());
        assertEquals(null, presence.lastSeenAt());
        assertFalse(presence.offline());
        assertEquals(T0, presence.silentSince());
    }

    @Test
    void restaurantPresence_restaurantWithNothingWaitingAndOnline_isNotListed() {
        String restaurant = newId("r");
        walk(createOrder(restaurant, newId("c")), HAPPY_PATH);
        repository.restaurantSeen(restaurant, T0);

        assertEquals(null, presenceOf(restaurant));
    }

    @Test
    void restaurantSeen_onlyMovesForward() {
        String restaurant = newId("r");
        createOrder(restaurant, newId("c"));

        repository.restaurantSeen(restaurant, T0.plusSeconds(10));
        repository.restaurantSeen(restaurant, T0.plusSeconds(5));
        assertEquals(T0.plusSeconds(10), presenceOf(restaurant).lastSeenAt());

        repository.restaurantSeen(restaurant, T0.plusSeconds(20));
        assertEquals(T0.plusSeconds(20), presenceOf(restaurant).lastSeenAt());
        assertEquals(T0.plusSeconds(20), presenceOf(restaurant).silentSince());
    }

    @Test
    void claimRestaurantOffline_isTrueOncePerChange() {
        String restaurant = newId("r");
        createOrder(restaurant, newId("c"));

        assertTrue(repository.claimRestaurantOffline(restaurant, T0, T0.plusSeconds(1)), "never seen: offline");
        assertFalse(repository.claimRestaurantOffline(restaurant, T0, T0.plusSeconds(2)), "already offline");
        RestaurantPresence offline = presenceOf(restaurant);
        assertTrue(offline.offline());
        assertEquals(T0.plusSeconds(1), offline.changedAt());

        assertTrue(repository.claimRestaurantOnline(restaurant, T0.plusSeconds(3)));
        assertFalse(repository.claimRestaurantOnline(restaurant, T0.plusSeconds(4)), "already online");
        assertFalse(presenceOf(restaurant).offline());
        assertEquals(T0.plusSeconds(3), presenceOf(restaurant).changedAt());

        assertTrue(repository.claimRestaurantOffline(restaurant, T0.plusSeconds(5), T0.plusSeconds(6)), "and again");
    }

    @Test
    void claimRestaurantOffline_seenAfterTheCutoff_isRefused() {
        String restaurant = newId("r");
        createOrder(restaurant, newId("c"));
        repository.restaurantSeen(restaurant, T0.plusSeconds(60));

        assertFalse(repository.claimRestaurantOffline(restaurant, T0.plusSeconds(59), T0.plusSeconds(300)));
        assertFalse(presenceOf(restaurant).offline());
        assertTrue(repository.claimRestaurantOffline(restaurant, T0.plusSeconds(60), T0.plusSeconds(300)),
                "seen exactly at the cutoff: not after it");
    }

    @Test
    void claimRestaurantOnline_neverCountedOffline_isFalse() {
        String restaurant = newId("r");
        assertFalse(repository.claimRestaurantOnline(restaurant, T0));
        repository.restaurantSeen(restaurant, T0);
        assertFalse(repository.claimRestaurantOnline(restaurant, T0));
    }

    @Test
    void restaurantPresence_offlineRestaurantWithoutWaitingOrders_isListedWithNone() {
        String restaurant = newId("r");
        repository.restaurantSeen(restaurant, T0);
        assertTrue(repository.claimRestaurantOffline(restaurant, T0, T0.plusSeconds(200)));

        RestaurantPresence presence = presenceOf(restaurant);

        assertEquals(new RestaurantPresence(restaurant, T0, 0, null, true, T0.plusSeconds(200)), presence);
        assertEquals(null, presence.silentSince());
    }

    @Test
    void claimRestaurantOffline_racingThreads_exactlyOneWinsEachChange() throws Exception {
        String restaurant = newId("r");
        createOrder(restaurant, newId("c"));
        repository.restaurantSeen(restaurant, T0);
        assertEquals(1, race(() -> repository.claimRestaurantOffline(restaurant, T0, T0.plusSeconds(200))));
        assertEquals(1, race(() -> repository.claimRestaurantOnline(restaurant, T0.plusSeconds(201))));
        String neverSeen = newId("r");
        assertEquals(1, race(() -> repository.claimRestaurantOffline(neverSeen, T0, T0.plusSeconds(200))),
                "a restaurant without a row yet: one insert wins");
    }

    @Test
    void claimStuck_isTrueOncePerOrderAndStatus() throws Exception {
        String id = createOrder();
        assertTrue(repository.claimStuck(id, OrderStatus.ACCEPTED, T0));
        assertFalse(repository.claimStuck(id, OrderStatus.ACCEPTED, T0.plusSeconds(1)));
        assertTrue(repository.claimStuck(id, OrderStatus.PREPARING, T0));
        String other = createOrder();
        assertEquals(1, race(() -> repository.claimStuck(other, OrderStatus.READY, T0)));
    }

    @Test
    void operationsWatch_badIds_areRefusedAndChangeNothing() {
        assertThrows(IllegalArgumentException.class, () -> repository.restaurantSeen("no spaces", T0));
        assertThrows(IllegalArgumentException.class, () -> repository.claimRestaurantOffline("", T0, T0));
        assertThrows(IllegalArgumentException.class, () -> repository.claimRestaurantOnline("a/b", T0));
        assertThrows(IllegalArgumentException.class, () -> repository.claimStuck("x y", OrderStatus.READY, T0));
        assertThrows(NullPointerException.class, () -> repository.restaurantSeen(newId("r"), null));
        assertTrue(repository.restaurantPresence().stream().noneMatch(p -> p.restaurantId().contains(" ")));
    }

    @Test
    void outboxBacklog_countsCommittedButUnpublishedEvents() {
        OutboxBacklog before = repository.outboxBacklog();
        String id = createOrder();
        move(id, OrderStatus.ACCEPTED, T0.plusSeconds(1));

        OutboxBacklog after = repository.outboxBacklog();
        assertEquals(before.events() + 2, after.events());
        assertFalse(after.oldestCommittedAt().isAfter(T0), "the order's first event is at most this old");

        repository.markPublished(List.of(new EventRef(id, 1), new EventRef(id, 2)));
        assertEquals(before.events(), repository.outboxBacklog().events());
    }

    /**
     * Records every publish synchronously, so a test counts announcements without waiting; shared by the
     * "nodes" of a test as one real bus would be.
     */
    protected static final class RecordingBus implements org.ordertracking.core.EventBus {
        private final List<org.ordertracking.core.Envelope> published = new CopyOnWriteArrayList<>();

        @Override
        public java.util.concurrent.CompletionStage<Void> publish(org.ordertracking.core.Envelope envelope) {
            published.add(envelope);
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        @Override
        public org.ordertracking.core.Subscription subscribe(Topic topic, org.ordertracking.core.BusListener listener) {
            throw new UnsupportedOperationException("a recording bus only records publishes");
        }

        @Override
        public void close() {
        }

        /** Returns the messages published on {@code topic} that concern {@code subject} (an order or restaurant id). */
        public List<String> on(Topic topic, String subject) {
            List<String> result = new ArrayList<>();
            for (org.ordertracking.core.Envelope e : published) {
                if (e.topic().equals(topic) && e.json().contains("\"" + subject + "\"")) {
                    result.add(e.type());
                }
            }
            return result;
        }
    }

    private RestaurantPresenceMonitor presenceNode(SettableClock clock, OrderRepository store, RecordingBus bus) {
        return RestaurantPresenceMonitor.builder(store, bus).clock(clock).scheduler(NO_SCHEDULER).build();
    }

    /** A scheduler no test starts anything on: the tests call check() themselves. */
    private static final java.util.concurrent.ScheduledExecutorService NO_SCHEDULER =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "contract-unused");
                t.setDaemon(true);
                return t;
            });

    @Test
    void presenceMonitor_twoNodesFlapping_announceEachChangeOnce() {
        SettableClock clock = SettableClock.at(T0);
        RecordingBus bus = new RecordingBus();
        String restaurant = newId("r");
        createOrder(restaurant, newId("c"));
        try (RestaurantPresenceMonitor a = presenceNode(clock, repository, bus);
                RestaurantPresenceMonitor b = presenceNode(clock, repository, bus)) {
            clock.set(T0.plus(Duration.ofMinutes(3)).minusMillis(1));
            a.check();
            b.check();
            assertEquals(List.of(), bus.on(Topic.operations(), restaurant), "silent for less than 3 minutes");

            clock.set(T0.plus(Duration.ofMinutes(3)));
            b.check();
            a.check();
            assertEquals(List.of("restaurant_offline"), bus.on(Topic.operations(), restaurant),
                    "exactly at 3 minutes, announced by one node");
            assertEquals(List.of("restaurant_offline"), bus.on(Topic.restaurant(restaurant), restaurant));
            assertTrue(a.isOffline(restaurant) && b.isOffline(restaurant), "both nodes know");

            clock.advanceSeconds(10);
            a.seen(restaurant);   // its board polls node A
            b.check();
            a.check();
            assertEquals(List.of("restaurant_offline", "restaurant_online"), bus.on(Topic.operations(), restaurant));

            clock.advance(Duration.ofMinutes(3));
            a.check();
            b.check();
            clock.advanceSeconds(5);
            b.seen(restaurant);   // back, through node B this time
            a.check();
            b.check();
            clock.advance(Duration.ofMinutes(3));
            b.check();
            a.check();
            assertEquals(List.of("restaurant_offline", "restaurant_online", "restaurant_offline", "restaurant_online",
                    "restaurant_offline"), bus.on(Topic.operations(), restaurant));
            assertEquals(bus.on(Topic.operations(), restaurant), bus.on(Topic.restaurant(restaurant), restaurant));
        }
        try (RestaurantPresenceMonitor restarted = presenceNode(clock, repository, bus)) {
            restarted.check();
            assertEquals(5, bus.on(Topic.operations(), restaurant).size(), "a restart announces nothing again");
            assertTrue(restarted.isOffline(restaurant), "and knows it from the store");
            assertEquals(List.of(restaurant), restarted.readOffline().stream()
                    .map(TrackingMessage.RestaurantOffline::restaurantId).filter(restaurant::equals).toList());
        }
    }

    @Test
    void presenceMonitor_offlineRestaurantWhoseOrdersEnded_isOnlineWithoutBeingSeen() {
        SettableClock clock = SettableClock.at(T0);
        RecordingBus bus = new RecordingBus();
        String restaurant = newId("r");
        String order = createOrder(restaurant, newId("c"));
        try (RestaurantPresenceMonitor monitor = presenceNode(clock, repository, bus)) {
            clock.advance(Duration.ofMinutes(4));
            monitor.check();
            move(order, OrderStatus.FAILED, clock.instant());
            monitor.check();
            monitor.check();
            assertEquals(List.of("restaurant_offline", "restaurant_online"), bus.on(Topic.operations(), restaurant));
            assertTrue(bus.published.stream().anyMatch(e -> e.topic().equals(Topic.operations())
                    && e.json().contains(restaurant) && e.json().contains("\"reason\":\"no_open_orders\"")),
                    "it was not seen: its orders ended");
            assertFalse(monitor.isOffline(restaurant));
        }
    }

    @Test
    void presenceMonitor_restaurantWithoutWaitingOrders_isNeverOffline() {
        SettableClock clock = SettableClock.at(T0);
        RecordingBus bus = new RecordingBus();
        String restaurant = newId("r");
        walk(createOrder(restaurant, newId("c")), PATHS.get(OrderStatus.PICKED_UP));
        try (RestaurantPresenceMonitor monitor = presenceNode(clock, repository, bus)) {
            clock.advance(Duration.ofHours(2));
            monitor.check();
            assertEquals(List.of(), bus.on(Topic.operations(), restaurant), "a picked-up order no longer waits for it");
        }
    }

    @Test
    void stuckWatchdog_twoNodesAndARestart_announceEachOrderAndStatusOnce() {
        SettableClock clock = SettableClock.at(T0);
        RecordingBus bus = new RecordingBus();
        String order = createOrder();
        move(order, OrderStatus.ACCEPTED, T0);
        java.util.function.Supplier<StuckOrderWatchdog> node = () -> StuckOrderWatchdog.builder(repository, bus)
                .clock(clock).scheduler(NO_SCHEDULER).maxPerStatus(100_000).build();
        try (StuckOrderWatchdog a = node.get(); StuckOrderWatchdog b = node.get()) {
            clock.set(T0.plus(Duration.ofMinutes(10)).minusMillis(1));
            a.check();
            b.check();
            assertEquals(List.of(), bus.on(Topic.operations(), order), "accepted for less than 10 minutes");

            clock.set(T0.plus(Duration.ofMinutes(10)));
            b.check();
            a.check();
            b.check();
            assertEquals(List.of("order_stuck"), bus.on(Topic.operations(), order), "exactly at the limit, once");
            assertEquals(1, a.announced(OrderStatus.ACCEPTED) + b.announced(OrderStatus.ACCEPTED));
            assertTrue(a.readStuck().stream().anyMatch(s -> s.orderId().equals(order)));

            move(order, OrderStatus.PREPARING, clock.instant());
            a.check();
            assertTrue(a.readStuck().stream().noneMatch(s -> s.orderId().equals(order)), "moving on unsticks it");
        }
        try (StuckOrderWatchdog restarted = node.get()) {
            clock.advance(Duration.ofMinutes(45));
            restarted.check();
            restarted.check();
            assertEquals(List.of("order_stuck", "order_stuck"), bus.on(Topic.operations(), order),
                    "preparing for 45 minutes is a new status: announced once more, after the restart too");
            TrackingMessage.OrderStuck stuck = restarted.readStuck().stream().filter(s -> s.orderId().equals(order))
                    .findFirst().orElseThrow();
            assertEquals(OrderStatus.PREPARING, stuck.status());
            assertEquals(T0.plus(Duration.ofMinutes(10)), stuck.since());
            assertEquals(45 * 60, stuck.limitSeconds());
        }
    }

    /** Runs {@code claim} on 8 threads at once and returns how many got true. */
    private static int race(java.util.concurrent.Callable<Boolean> claim) throws Exception {
        int threads = 8;
        AtomicInteger wins = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    if (claim.call()) {
                        wins.incrementAndGet();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return wins.get();
    }

    /** Relays until nothing is left before {@code before}, collecting what was published. */
    protected int relayAll(Instant before, List<OrderEvent> into) {
        int total = 0;
        int n;
        do {
            n = repository.relayUnpublished(before, 500, into::add);
            total += n;
        } while (n > 0);
        return total;
    }

    private static List<String> ids(List<TrackedOrder> orders) {
        return orders.stream().map(TrackedOrder::orderId).toList();
    }
}
