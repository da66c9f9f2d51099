package org.ordertracking.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-memory transition through {@link OrderTracker}: lock the order, check the edge, append the
 * event, publish it (order and restaurant topic) with one listener subscribed — the restaurant
 * topic's, which receives every event on a bus thread. Orders cycle through the happy path
 * ({@code accepted → preparing → ready → picked_up → delivered}); when one is delivered the next
 * op registers a fresh order and accepts it, so one op in five also pays a registration. The
 * tracker (and its heap) is rebuilt each iteration so the audit trail does not grow without bound.
 *
 * <p>Target: ≥ 1,000,000 ops/s on one thread. Run:
 * {@code java -jar benchmarks/target/benchmarks.jar TransitionBenchmark -f 1 -wi 3 -i 5}. With
 * {@code -p listeners=0} nothing is subscribed, so the bus hands nothing to its threads: the
 * difference from the default is what the cross-thread delivery costs the transition.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class TransitionBenchmark {
    private static final OrderStatus[] HAPPY_PATH = {OrderStatus.ACCEPTED, OrderStatus.PREPARING,
        OrderStatus.READY, OrderStatus.PICKED_UP, OrderStatus.DELIVERED};
    private static final GeoPoint DESTINATION = new GeoPoint(33.8938, 35.5018);

    /** Listeners on the restaurant topic: 1 (the target's setting) or 0 (no bus hand-off). */
    @Param({"1"})
    public int listeners;

    private EventBus bus;
    private OrderTracker tracker;
    private Subscription subscription;
    private final LongAdder delivered = new LongAdder();
    private long counter;
    private String orderId;
    private int step;

    @Setup(Level.Iteration)
    public void setUp() {
        bus = EventBus.inMemory();
        tracker = OrderTracker.builder().eventBus(bus).build();
        tracker.start();
        subscription = listeners == 0 ? null
                : bus.subscribe(Topic.restaurant("r-1"), envelope -> delivered.increment());
        nextOrder();
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
        if (subscription != null) {
            subscription.close();
        }
        tracker.close();
        bus.close();
    }

    private void nextOrder() {
        orderId = "o-" + counter++;
        tracker.register(new NewOrder(orderId, "r-1", "c-1", DESTINATION));
        step = 0;
    }

    @Benchmark
    public OrderEvent transition() {
        if (step == HAPPY_PATH.length) {
            nextOrder();
        }
        return tracker.transition(orderId, HAPPY_PATH[step++]);
    }
}
