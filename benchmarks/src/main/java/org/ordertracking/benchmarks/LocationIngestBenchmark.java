package org.ordertracking.benchmarks;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.IngestResult;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Location ingest in process, one fix per call as the driver WebSocket delivers them: validate,
 * store (in-memory store), throttle, publish. 1,000 drivers, each out for delivery on its own order
 * (picked up) with one subscriber on the order's topic, send fixes round-robin; each driver moves
 * ~5 m per fix, one second apart on the pipeline's clock (which the benchmark advances 1 ms per
 * fix), so one fix in four passes the 20 m throttle and is published. The secondary counters show
 * applied fixes and published location updates per second.
 *
 * <p>Target: ≥ 2,000,000 fixes/s on one thread. Run:
 * {@code java -jar benchmarks/target/benchmarks.jar LocationIngestBenchmark -f 1 -wi 3 -i 5}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class LocationIngestBenchmark {
    static final int DRIVERS = 1000;
    static final double STEP_DEGREES = 4.5e-5; // ~5 m of latitude

    /** A clock the benchmark moves. */
    static final class MovingClock implements InstantSource {
        volatile long millis = Instant.parse("2026-11-24T10:00:00Z").toEpochMilli();

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public long millis() {
            return millis;
        }
    }

    /** Secondary results: fixes applied and location updates delivered to subscribers. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long applied;
        public long published;
    }

    private final MovingClock clock = new MovingClock();
    private final String[] drivers = new String[DRIVERS];
    private final long[] steps = new long[DRIVERS];
    private final LongAdder delivered = new LongAdder();
    private final List<Subscription> subscriptions = new ArrayList<>();
    private EventBus bus;
    private OrderTracker tracker;
    private LocationIngestor ingestor;
    private long deliveredBefore;
    private int next;

    @Setup(Level.Iteration)
    public void setUp() {
        OrderRepository repository = OrderRepository.inMemory();
        bus = EventBus.inMemory();
        LocationStore store = LocationStore.inMemory(clock);
        tracker = OrderTracker.builder().repository(repository).eventBus(bus).clock(clock).build();
        ingestor = LocationIngestor.builder(store, repository, bus).clock(clock).build();
        tracker.addListener(ingestor);
        for (int d = 0; d < DRIVERS; d++) {
            String orderId = "o-" + d;
            drivers[d] = "d-" + d;
            tracker.register(new NewOrder(orderId, "r-1", "c-" + d, new GeoPoint(33.90, 35.50)));
            tracker.transition(orderId, OrderStatus.ACCEPTED);
            tracker.transition(orderId, OrderStatus.PREPARING);
            tracker.transition(orderId, OrderStatus.READY);
            tracker.assignDriver(orderId, drivers[d]);
            tracker.transition(orderId, OrderStatus.PICKED_UP);
            subscriptions.add(bus.subscribe(Topic.order(orderId), envelope -> delivered.increment()));
        }
        deliveredBefore = delivered.sum();
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
        subscriptions.forEach(Subscription::close);
        subscriptions.clear();
        tracker.close();
        bus.close();
    }

    @Benchmark
    public IngestResult ingest(Counters counters) {
        int d = next;
        next = d + 1 == DRIVERS ? 0 : d + 1;
        long now = ++clock.millis;
        long step = steps[d]++;
        long phase = step % 200;
        double lat = 33.85 + d * 1e-4 + (phase < 100 ? phase : 200 - phase) * STEP_DEGREES;
        Instant at = Instant.ofEpochMilli(now);
        IngestResult result = ingestor.ingest(drivers[d], new LocationFix(lat, 35.50, 8.0, null, null, at, at));
        counters.applied += result.applied();
        if ((d & 1023) == 0) {
            long sum = delivered.sum();
            counters.published += sum - deliveredBefore;
            deliveredBefore = sum;
        }
        return result;
    }
}
