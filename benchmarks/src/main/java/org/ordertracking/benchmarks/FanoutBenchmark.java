package org.ordertracking.benchmarks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fan-out of the in-memory bus: 10,000 listeners on one topic, each reading the envelope's JSON
 * (as an SSE stream writes it) and counting. One invocation publishes {@value #BURST} messages and
 * waits until every listener has received every one, so the score is end-to-end deliveries per
 * second (publish, mailbox, drain on the bus threads, listener call), reported per delivery.
 *
 * <p>{@code publishOneAndDeliver} publishes one message per invocation instead, so no two publishes
 * share the bus's work for a listener.
 *
 * <p>Target (for {@code publishAndDeliver}): ≥ 20,000,000 deliveries/s. Run:
 * {@code java -jar benchmarks/target/benchmarks.jar FanoutBenchmark -f 1 -wi 3 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FanoutBenchmark {
    static final int BURST = 8;
    static final int LISTENERS = 10_000;

    /** Delivery threads of the bus (the default is one per core). */
    @Param({"2"})
    public int threads;

    private EventBus bus;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final AtomicLong received = new AtomicLong();
    private volatile long target;
    private volatile Thread waiter;
    private Envelope[] envelopes;
    private final Topic topic = Topic.restaurant("r-1");

    @Setup(Level.Trial)
    public void setUp() {
        bus = EventBus.inMemory(threads);
        for (int i = 0; i < LISTENERS; i++) {
            subscriptions.add(bus.subscribe(topic, envelope -> {
                if (envelope.json().length() > 0 && received.incrementAndGet() == target) {
                    LockSupport.unpark(waiter);
                }
            }));
        }
        Instant at = Instant.parse("2026-11-24T10:00:00Z");
        envelopes = new Envelope[BURST];
        for (int i = 0; i < BURST; i++) {
            envelopes[i] = Envelope.of(topic, new TrackingMessage.StatusUpdate(
                    new OrderEvent("o-" + i, 2, OrderStatus.ACCEPTED, OrderStatus.RECEIVED, null, null, at)));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        subscriptions.forEach(Subscription::close);
        bus.close();
    }

    @Benchmark
    @OperationsPerInvocation(BURST * LISTENERS)
    public long publishAndDeliver() {
        return publishAndAwait(BURST);
    }

    /**
     * One publish at a time, awaited before the next: nothing is shared between publishes (the bus
     * may batch the messages of a burst per listener), so this is the cost of a lone publish.
     */
    @Benchmark
    @OperationsPerInvocation(LISTENERS)
    public long publishOneAndDeliver() {
        return publishAndAwait(1);
    }

    private long publishAndAwait(int messages) {
        waiter = Thread.currentThread();
        long until = received.get() + (long) messages * LISTENERS;
        target = until;
        for (int i = 0; i < messages; i++) {
            bus.publish(envelopes[i]);
        }
        while (received.get() < until) {
            LockSupport.parkNanos(50_000);
        }
        return until;
    }
}
