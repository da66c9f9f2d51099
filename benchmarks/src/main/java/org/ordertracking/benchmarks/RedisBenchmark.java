package org.ordertracking.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.redis.RedisEventBus;
import org.ordertracking.redis.RedisEventBusConfig;
import org.ordertracking.redis.RedisLocationStore;
import org.ordertracking.redis.RedisLocationStoreConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link RedisLocationStore} writes and {@link RedisEventBus} publishes on the Redis of system
 * property {@code tracking.test.redis} (default {@code redis://127.0.0.1:6379}):
 *
 * <ul>
 *   <li>{@code storeSync}: one {@code putIfNewer} and wait for its reply — one round trip per fix;</li>
 *   <li>{@code storeAsync}: {@value #BATCH} {@code putIfNewer}s fired without waiting (Lettuce pipelines
 *       them on the one connection), then wait for all — what the ingest path does, since it never
 *       waits for the store;</li>
 *   <li>{@code storeAsyncWindow}: the same {@value #BATCH} at a time, but waiting only for the batch
 *       fired {@value #WINDOW} invocations earlier, so about {@value #WINDOW} × {@value #BATCH} writes are
 *       always outstanding — a steady stream of fixes, as {@code redis-benchmark}'s 50 clients × 16
 *       pipelined commands keep 800 outstanding;</li>
 *   <li>{@code lastSeenEach} / {@code lastSeenAll}: what a staleness tick reads for {@value #DRIVERS}
 *       active deliveries — {@code lastSeen} per driver, or one {@code lastSeenAll} (per driver);</li>
 *   <li>{@code busPublish}: {@value #BATCH} publishes, then wait for Redis to have them all;</li>
 *   <li>{@code busPublishAndReceive}: the same, then wait until a subscriber on a second bus (another
 *       connection, as another node) has received them all.</li>
 * </ul>
 * Compare with {@code redis-benchmark -t set -P 16} and {@code redis-benchmark -t publish} (see
 * BENCHMARKS.md). Keys and channels get a random prefix; the keys are deleted afterwards. Run:
 * {@code java -jar benchmarks/target/benchmarks.jar RedisBenchmark -f 1 -wi 2 -i 3}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class RedisBenchmark {
    static final int BATCH = 256;
    static final int DRIVERS = 1000;
    static final int WINDOW = 4;

    private String uri;
    private String prefix;
    private RedisLocationStore store;
    private RedisEventBus publisher;
    private RedisEventBus receiver;
    private Subscription subscription;
    private final AtomicLong received = new AtomicLong();
    private volatile Thread waiter;
    private volatile long target = Long.MAX_VALUE;
    private final String[] drivers = new String[DRIVERS];
    private List<String> driverList;
    private final CompletableFuture<?>[] window = new CompletableFuture<?>[WINDOW];
    private int windowSlot;
    private long tick = Instant.parse("2026-11-24T10:00:00Z").toEpochMilli();
    private int next;
    private Envelope envelope;
    private Topic topic;

    @Setup(Level.Trial)
    public void setUp() {
        uri = System.getProperty("tracking.test.redis", "redis://127.0.0.1:6379");
        prefix = "bench" + UUID.randomUUID().toString().substring(0, 8) + ":";
        try {
            store = RedisLocationStore.create(uri, RedisLocationStoreConfig.builder().keyPrefix(prefix).build());
            RedisEventBusConfig config = RedisEventBusConfig.builder().channelPrefix(prefix).build();
            publisher = RedisEventBus.create(uri, config);
            receiver = RedisEventBus.create(uri, config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Redis is not reachable at " + uri + " (system property tracking.test.redis): "
                    + e, e);
        }
        for (int d = 0; d < DRIVERS; d++) {
            drivers[d] = "d-" + d;
        }
        driverList = List.of(drivers);
        CompletableFuture<?>[] seeded = new CompletableFuture<?>[DRIVERS];
        for (int d = 0; d < DRIVERS; d++) {
            seeded[d] = store.putIfNewer(drivers[d], nextFix()).toCompletableFuture();
        }
        CompletableFuture.allOf(seeded).join();
        topic = Topic.order("o-1");
        envelope = Envelope.of(topic, new TrackingMessage.StatusUpdate(new OrderEvent("o-1", 3, OrderStatus.PREPARING,
                OrderStatus.ACCEPTED, null, null, Instant.parse("2026-11-24T10:00:00Z"))));
        subscription = receiver.subscribe(topic, e -> {
            if (received.incrementAndGet() == target) {
                LockSupport.unpark(waiter);
            }
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        subscription.close();
        receiver.close();
        publisher.close();
        store.close();
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = connection.sync().scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
                if (!page.getKeys().isEmpty()) {
                    connection.sync().del(page.getKeys().toArray(new String[0]));
                }
                cursor = page;
            } while (!cursor.isFinished());
        } finally {
            client.shutdown();
        }
    }

    private LocationFix nextFix() {
        long now = ++tick;
        Instant at = Instant.ofEpochMilli(now);
        return new LocationFix(33.85 + (now % 1000) * 1e-6, 35.50, 8.0, null, null, at, at);
    }

    private String nextDriver() {
        int d = next;
        next = d + 1 == DRIVERS ? 0 : d + 1;
        return drivers[d];
    }

    @Benchmark
    public Boolean storeSync() {
        return store.putIfNewer(nextDriver(), nextFix()).toCompletableFuture().join();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void storeAsync() {
        CompletableFuture<?>[] pending = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            pending[i] = store.putIfNewer(nextDriver(), nextFix()).toCompletableFuture();
        }
        CompletableFuture.allOf(pending).join();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void storeAsyncWindow() {
        CompletableFuture<?>[] pending = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            pending[i] = store.putIfNewer(nextDriver(), nextFix()).toCompletableFuture();
        }
        int slot = windowSlot;
        if (window[slot] != null) {
            window[slot].join();
        }
        window[slot] = CompletableFuture.allOf(pending);
        windowSlot = slot + 1 == WINDOW ? 0 : slot + 1;
    }

    /** Waits for the writes {@code storeAsyncWindow} left outstanding, so they do not spill into the next iteration. */
    @TearDown(Level.Iteration)
    public void drainWindow() {
        for (int i = 0; i < WINDOW; i++) {
            if (window[i] != null) {
                window[i].join();
                window[i] = null;
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(DRIVERS)
    public int lastSeenEach() {
        int found = 0;
        for (String driver : drivers) {
            found += store.lastSeen(driver).isPresent() ? 1 : 0;
        }
        return found;
    }

    @Benchmark
    @OperationsPerInvocation(DRIVERS)
    public int lastSeenAll() {
        return store.lastSeenAll(driverList).size();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void busPublish() {
        CompletableFuture<?>[] pending = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            pending[i] = publisher.publish(envelope).toCompletableFuture();
        }
        CompletableFuture.allOf(pending).join();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void busPublishAndReceive() {
        waiter = Thread.currentThread();
        long until = received.get() + BATCH;
        target = until;
        CompletableFuture<?>[] pending = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            pending[i] = publisher.publish(envelope).toCompletableFuture();
        }
        CompletableFuture.allOf(pending).join();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (received.get() < until && System.nanoTime() < deadline) {
            LockSupport.parkNanos(100_000);
        }
    }
}
