package org.ordertracking.servlet;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.test.CountingOrderRepository;

/**
 * The leak sweep on a real servlet with two trackers ("nodes") sharing one bus and one repository:
 * customer streams on node A whose order ends on node B are still reaped, and the sweep's
 * repository lookups are few and batched.
 */
@Timeout(120)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class LeakReapIT {
    @Parameter
    Container container;

    private static final Duration GRACE = Duration.ofMillis(200);

    private CountingOrderRepository repository;
    private GapBus bus;
    private OrderTracker trackerA;
    private OrderTracker trackerB;
    private Node a;

    @BeforeEach
    void start() throws Exception {
        repository = new CountingOrderRepository(OrderRepository.inMemory());
        bus = new GapBus(EventBus.inMemory());
        trackerA = OrderTracker.builder().repository(repository).eventBus(bus).build();
        trackerB = OrderTracker.builder().repository(repository).eventBus(bus).build();
        a = Node.start(container, trackerA, b -> b.leakGrace(GRACE).leakSweepInterval(Duration.ofMillis(20)));
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        trackerA.close();
        trackerB.close();
        bus.close();
    }

    @Test
    void customerStream_orderEndedOnAnotherNodeAndItsEventLost_isReapedThroughFewBatchedLookups() throws Exception {
        int orders = 5;
        List<SseClient> streams = new ArrayList<>();
        long startNanos = System.nanoTime();
        try {
            for (int i = 0; i < orders; i++) {
                trackerB.register(new NewOrder("lr-" + i, "r-1", "c-1", new GeoPoint(33.9, 35.5)));
                SseClient stream = a.stream("/orders/lr-" + i + "/stream", Node.token(Role.CUSTOMER, "lr-" + i));
                stream.nextOfType("snapshot");
                streams.add(stream);
            }
            long findsAfterOpens = repository.finds();
            // not a wait for a condition: the streams must age past the grace on the real clock the
            // registry reads (~40 sweeps), which is what the lookup count below is measured against
            Thread.sleep(GRACE.multipliedBy(4).toMillis());
            bus.loseNextOrderPublishes.set(1); // neither node A's tracker nor the stream hears of it
            trackerB.transition("lr-0", OrderStatus.FAILED);

            assertSame(SseClient.END, streams.get(0).nextEvent(), "the sweep finds the end in the repository");
            await("the sweep counts the leak").atMost(Metrics.WAIT).until(() -> Metrics.leaksClosed(a), equalTo(1));
            double agedSeconds = (System.nanoTime() - startNanos) / 1e9;
            assertEquals(orders - 1, Metrics.read(a).get("connections").get("customer_stream").asInt(),
                    "the streams of active orders stay open");
            assertEquals(findsAfterOpens, repository.finds(), "the sweep makes no single-order lookup");
            // each stream is looked up at most at ages grace, 2 grace, 4 grace, ...: log2(age / grace) + 1 times
            long perStream = (long) Math.floor(Math.log(agedSeconds / (GRACE.toMillis() / 1e3)) / Math.log(2)) + 1;
            assertTrue(repository.findAllIds() <= orders * perStream,
                    "looked up " + repository.findAllIds() + " ids in " + repository.findAlls() + " calls over "
                            + agedSeconds + " s; one per sweep and stream would be ~" + (int) (agedSeconds * 50 * orders));
        } finally {
            for (SseClient stream : streams) {
                stream.close();
            }
        }
    }

    @Test
    void customerStream_terminalStatusOnlyOnTheBusAndTheClientStopsReading_isReapedAfterTheGrace() throws Exception {
        String orderId = "lr-stall";
        trackerA.register(new NewOrder(orderId, "r-1", "c-1", new GeoPoint(33.9, 35.5)));
        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(1024); // and never read: the server's writes block soon
            client.connect(new InetSocketAddress(a.base.getHost(), a.base.getPort()), 10_000);
            OutputStream out = client.getOutputStream();
            out.write(("GET /tracking/orders/" + orderId + "/stream?access_token=" + Node.token(Role.CUSTOMER, orderId)
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await("the stream is registered").atMost(Metrics.WAIT)
                    .until(() -> Metrics.connections(a, "customer_stream"), equalTo(1));
            // location events until the stream's socket and buffer are full (stale ones are then dropped),
            // in small batches so that the stream never lags more than the bus allows (a gap would refill
            // from the repository, which does not know the bus-only terminal event below)
            String driver = "d-" + "x".repeat(100);
            Topic topic = Topic.order(orderId);
            for (int i = 0; i < 40_000; i++) {
                Instant now = Instant.now();
                bus.publish(Envelope.of(topic, new TrackingMessage.LocationUpdate(orderId, driver,
                        LocationFix.of(33.89 + i * 1e-6, 35.50, now, now), 420L))).toCompletableFuture().join();
                if (i % 100 == 99) {
                    Thread.sleep(5); // paces the load so the stream never lags past the bus (no wait for a condition)
                }
            }
            assertEquals(1, Metrics.read(a).get("connections").get("customer_stream").asInt(),
                    "the stream is still open, its writes blocked");
            // the terminal status as another node would publish it; the repository never hears of it,
            // so only the stream can tell the registry
            bus.publish(Envelope.of(topic, new TrackingMessage.StatusUpdate(new OrderEvent(orderId, 2,
                    OrderStatus.FAILED, OrderStatus.RECEIVED, "on another node", null, Instant.now()))));

            await("the sweep reaps the stalled stream").atMost(Metrics.WAIT).until(() -> Metrics.leaksClosed(a), equalTo(1));
            assertEquals(0, Metrics.read(a).get("connections").get("customer_stream").asInt());
            assertEquals(OrderStatus.RECEIVED, repository.find(orderId).orElseThrow().status(),
                    "the end was never stored: the registry learnt it from the stream");
        }
    }
}
