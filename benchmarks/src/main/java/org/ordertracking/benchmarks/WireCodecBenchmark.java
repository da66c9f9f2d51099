package org.ordertracking.benchmarks;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.WireCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * JSON encoding of one message with {@link WireCodec}: a status event (the SSE {@code data} of a
 * {@code status} event) and a location update. Also {@code envelopeSharedBy1000}: one
 * {@link Envelope} read by 1,000 subscribers (as the bus hands it to each SSE stream) — reported
 * per subscriber, it costs a field read, not an encoding, which is what "encoded once per publish"
 * means in time; {@code EncodeOncePerPublishTest} proves it by identity.
 *
 * <p>Target: ≤ 500 ns/op for one event. Run:
 * {@code java -jar benchmarks/target/benchmarks.jar WireCodecBenchmark -f 1 -wi 3 -i 5}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WireCodecBenchmark {
    private static final Instant AT = Instant.parse("2026-11-24T10:00:00.123Z");

    private final TrackingMessage.StatusUpdate status = new TrackingMessage.StatusUpdate(new OrderEvent(
            "3f2c9a4e-order-1042", 3, OrderStatus.PREPARING, OrderStatus.ACCEPTED, null, "restaurant:r-17", AT));
    private final TrackingMessage.LocationUpdate location = new TrackingMessage.LocationUpdate(
            "3f2c9a4e-order-1042", "driver-88",
            new LocationFix(33.8938, 35.5018, 8.0, 90.0, 11.5, AT, AT.plusMillis(150)), 420L);
    private final Topic topic = Topic.order("3f2c9a4e-order-1042");

    @Benchmark
    public String encodeStatusEvent() {
        return WireCodec.toJson(status);
    }

    @Benchmark
    public String encodeLocationUpdate() {
        return WireCodec.toJson(location);
    }

    /** One publish's envelope read by 1,000 subscribers; time per subscriber. */
    @Benchmark
    @OperationsPerInvocation(1000)
    public void envelopeSharedBy1000(Blackhole blackhole) {
        Envelope envelope = Envelope.of(topic, status);
        for (int i = 0; i < 1000; i++) {
            blackhole.consume(envelope.json());
        }
    }
}
