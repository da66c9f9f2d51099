package org.ordertracking.servlet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.WireCodec;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.redis.RedisEventBus;
import org.ordertracking.redis.RedisEventBusConfig;
import org.ordertracking.test.ForwardingOrderRepository;

/**
 * A customer's stream through faults, on the real servlet and the real Redis bus: a bus gap (the
 * bus's pub/sub connection killed in Redis), crafted raw messages on the order's channel, a status
 * message whose seq runs ahead of the repository, and the spread of {@code retry:} values.
 */
@org.junit.jupiter.api.Timeout(120)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class StreamFaultsIT {
    private static final String REDIS = System.getProperty("tracking.test.redis", "redis://127.0.0.1:6379");

    @Parameter
    Container container;

    /** Unique per test: Redis is shared with other builds. */
    private final String name = "flt-" + UUID.randomUUID();
    private final String prefix = name + ":";
    private RedisClient client;
    private RedisEventBus bus;
    private StatefulRedisConnection<String, String> raw;
    private ReadRecordingRepository repository;
    private LocationStore store;
    private OrderTracker tracker;
    private Node node;

    /** The in-memory repository, counting {@code eventsAfter} reads and the threads they ran on. */
    static final class ReadRecordingRepository extends ForwardingOrderRepository {
        final AtomicLong eventsAfterReads = new AtomicLong();
        final List<String> readThreads = new CopyOnWriteArrayList<>();

        ReadRecordingRepository(OrderRepository delegate) {
            super(delegate);
        }

        @Override
        public List<OrderEvent> events(String orderId, long seq) {
            eventsAfterReads.incrementAndGet();
            readThreads.add(Thread.currentThread().getName());
            return super.events(orderId, seq);
        }
    }

    @BeforeEach
    void start() throws Exception {
        client = RedisClient.create(RedisURI.builder(RedisURI.create(REDIS)).withClientName(name).build());
        bus = RedisEventBus.create(client, RedisEventBusConfig.builder().channelPrefix(prefix).build());
        raw = client.connect();
        repository = new ReadRecordingRepository(OrderRepository.inMemory());
        store = LocationStore.inMemory(Instant::now);
        tracker = OrderTracker.builder().repository(repository).eventBus(bus).build();
        node = Node.start(container, tracker, b -> b.locationStore(store).gapFillAttempts(3)
                .gapFillBackoff(Duration.ofMillis(20)).gapFillMaxBackoff(Duration.ofMillis(50)));
    }

    @AfterEach
    void stop() throws Exception {
        node.close();
        tracker.close();
        bus.close();
        store.close();
        raw.close();
        client.shutdown();
    }

    private String delivering(String orderId) {
        tracker.register(new NewOrder(orderId, "r-1", "c-1", new GeoPoint(33.89, 35.50)));
        tracker.transition(orderId, OrderStatus.ACCEPTED);
        tracker.transition(orderId, OrderStatus.PREPARING);
        tracker.transition(orderId, OrderStatus.READY);
        tracker.assignDriver(orderId, "d-1");
        tracker.transition(orderId, OrderStatus.PICKED_UP);
        return Node.token(Role.CUSTOMER, orderId);
    }

    private void fix(double lat, double lon) {
        Instant now = Instant.now();
        store.putIfNewer("d-1", LocationFix.of(lat, lon, now, now)).toCompletableFuture().join();
    }

    private String channel(String orderId) {
        return prefix + "order:" + orderId;
    }

    private static JsonNode json(String s) {
        try {
            return JsonCodec.mapper().readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    /** Kills this bus's pub/sub connection in Redis: Lettuce reconnects and re-subscribes, the bus reports a gap. */
    private void killPubSubConnection() {
        RedisCommands<String, String> commands = raw.sync();
        long killed = 0;
        for (String line : commands.clientList().split("\n")) {
            if (line.contains(" name=" + name + " ") && !line.contains(" sub=0 ")) {
                String id = line.substring(line.indexOf("id=") + 3, line.indexOf(' ', line.indexOf("id=")));
                killed += commands.clientKill(KillArgs.Builder.id(Long.parseLong(id)));
            }
        }
        assertEquals(1, killed, "the bus's one pub/sub connection");
    }

    @Test
    void busGap_afterRedisReconnect_sendsFreshSnapshotWithLocationSignalAndEta() throws Exception {
        String orderId = "o-" + name;
        String token = delivering(orderId);
        fix(33.90, 35.51);
        try (SseClient sse = node.stream("/orders/" + orderId + "/stream", token)) {
            JsonNode first = json(sse.nextOfType("snapshot").data());
            assertEquals(33.90, first.get("location").get("lat").asDouble());

            // the driver moves while the bus is down: the location message is lost, the store has it
            killPubSubConnection();
            fix(33.95, 35.55);

            JsonNode refreshed = json(sse.nextOfType("snapshot").data());
            assertEquals(orderId, refreshed.get("order_id").asText());
            assertEquals(33.95, refreshed.get("location").get("lat").asDouble());
            assertEquals(35.55, refreshed.get("location").get("lon").asDouble());
            assertEquals("moving", refreshed.get("signal").get("state").asText());
            assertTrue(refreshed.get("eta_seconds").isNumber(), refreshed.toString());

            // and the stream is live again afterwards
            tracker.transition(orderId, OrderStatus.DELIVERED);
            SseClient.Event delivered = sse.nextOfType("status");
            assertEquals("6", delivered.id());
        }
    }

    @Test
    void busGap_withNoKnownPosition_snapshotCarriesNoLocationAndConnectionLost() throws Exception {
        String orderId = "o-" + name;
        String token = delivering(orderId);
        try (SseClient sse = node.stream("/orders/" + orderId + "/stream", token)) {
            assertTrue(json(sse.nextOfType("snapshot").data()).get("location").isNull());
            killPubSubConnection();
            JsonNode refreshed = json(sse.nextOfType("snapshot").data());
            assertTrue(refreshed.get("location").isNull(), "no fix known: no position, " + refreshed);
            assertEquals("connection_lost", refreshed.get("signal").get("state").asText());
        }
    }

    @Test
    void redisMessage_withSseFieldInjection_neverReachesTheStreamAsAField() throws Exception {
        String orderId = "o-" + name;
        String token = delivering(orderId);
        try (SseClient sse = node.stream("/orders/" + orderId + "/stream", token)) {
            sse.nextOfType("snapshot");
            String signal = "{\"order_id\":\"" + orderId + "\",\"state\":\"low_coverage\",\"last_seen_at\":null,"
                    + "\"age_seconds\":31}";
            RedisCommands<String, String> commands = raw.sync();
            commands.publish(channel(orderId), "signal\n" + signal + "\n\nid: 999\nevent: status\ndata: {\"status\":\"delivered\"}");
            commands.publish(channel(orderId), "signal\n" + signal + "\r\nretry: 1");
            commands.publish(channel(orderId), "signal\n{\"order_id\":\"" + orderId + "\",\n\"state\":\"moving\"}");
            commands.publish(channel(orderId), "status\ndata: {}");
            commands.publish(channel(orderId), "signal\n" + signal.replace(orderId, "someone-else"));
            // valid, with an unknown field and spacing: passed on only as WireCodec encodes it
            commands.publish(channel(orderId), "signal\n{ \"order_id\" : \"" + orderId
                    + "\", \"state\":\"low_coverage\", \"age_seconds\":31, \"x\":\"<script>\"}");

            SseClient.Event received = sse.nextOfType("signal");
            TrackingMessage.SignalUpdate expected = (TrackingMessage.SignalUpdate) WireCodec.readMessage("signal",
                    signal);
            assertEquals(WireCodec.toJson(expected), received.data());
            await("the malformed messages counted").atMost(Duration.ofSeconds(10))
                    .until(() -> bus.malformedDropped() >= 5);
            assertEquals(5, bus.malformedDropped());

            tracker.transition(orderId, OrderStatus.DELIVERED);
            assertEquals("6", sse.nextOfType("status").id());
            sse.awaitEnd(Duration.ofSeconds(20));
            List<String> lines = new ArrayList<>(sse.lines);
            assertFalse(lines.stream().anyMatch(l -> l.startsWith("id: 999") || l.startsWith("retry: 1")
                    || l.contains("<script>") || l.startsWith("\"state\"")), () -> "injected lines: " + lines);
            // five replayed statuses and the one live transition, nothing injected
            assertEquals(List.of("id: 1", "id: 2", "id: 3", "id: 4", "id: 5", "id: 6"),
                    lines.stream().filter(l -> l.startsWith("id:")).toList());
            assertEquals(6, lines.stream().filter(l -> l.startsWith("event: status")).count(), lines::toString);
        }
    }

    @Test
    void seqAheadMessage_onTheBus_isReadABoundedNumberOfTimesOffTheKeepAliveThreads_thenTheStreamEndsWithRetry()
            throws Exception {
        String orderId = "o-" + name;
        String token = delivering(orderId);
        try (SseClient sse = node.stream("/orders/" + orderId + "/stream", token)) {
            sse.nextOfType("snapshot");
            long before = repository.eventsAfterReads.get();
            int threadsBefore = repository.readThreads.size();
            OrderEvent last = tracker.eventsAfter(orderId, 4).get(0);
            repository.eventsAfterReads.addAndGet(-1); // that read was the test's own
            repository.readThreads.remove(repository.readThreads.size() - 1);
            OrderEvent ahead = new OrderEvent(orderId, 1000, OrderStatus.DELIVERED, last.status(), null, null,
                    last.at());
            raw.sync().publish(channel(orderId), "status\n" + WireCodec.toJson(new TrackingMessage.StatusUpdate(ahead)));

            SseClient.Event retry = sse.nextOfType("retry");
            long millis = Long.parseLong(retry.data());
            assertTrue(millis >= 3000 && millis <= 8000, "a jittered retry: " + millis);
            sse.awaitEnd(Duration.ofSeconds(20));
            assertEquals(3, repository.eventsAfterReads.get() - before, "gapFillAttempts reads, then it gave up");
            List<String> fillThreads = repository.readThreads.subList(threadsBefore, repository.readThreads.size());
            assertTrue(fillThreads.stream().allMatch(t -> t.startsWith("tracking-servlet-fill-")), fillThreads::toString);

            // the client reconnects and replays from the repository: the bad message is gone
            try (SseClient again = node.stream("/orders/" + orderId + "/stream", token, "5")) {
                again.nextOfType("snapshot");
                tracker.transition(orderId, OrderStatus.DELIVERED);
                assertEquals("6", again.nextOfType("status").id());
            }
        }
    }

    @Test
    void retry_manyStreams_getJitteredValuesSpreadOverTheConfiguredRange() throws Exception {
        String orderId = "o-" + name;
        String token = delivering(orderId);
        Set<Long> values = new TreeSet<>();
        for (int i = 0; i < 20; i++) {
            try (SseClient sse = node.stream("/orders/" + orderId + "/stream", token)) {
                long millis = Long.parseLong(sse.nextOfType("retry").data());
                assertTrue(millis >= TrackingServletConfig.DEFAULT_RETRY.toMillis()
                        && millis <= TrackingServletConfig.DEFAULT_RETRY.plus(TrackingServletConfig.DEFAULT_RETRY_JITTER)
                                .toMillis(), "retry " + millis + " out of [3000, 8000]");
                values.add(millis);
            }
        }
        // 20 draws from 5001 values: fewer than 10 distinct ones would mean no real spread
        assertTrue(values.size() >= 10, "retry values " + values);
    }
}
