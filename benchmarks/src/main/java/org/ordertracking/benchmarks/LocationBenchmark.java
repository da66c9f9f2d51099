package org.ordertracking.benchmarks;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.ordertracking.core.Haversine;
import org.ordertracking.core.LocationConfig;
import org.ordertracking.core.SignalState;
import org.ordertracking.core.StalenessClassifier;
import org.ordertracking.core.internal.PushThrottle;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-fix arithmetic of the location pipeline: the distance from the last pushed position plus
 * the throttle decision (push only past {@link LocationConfig#throttleMeters()}), and the staleness
 * classification of a fix's age into moving / low coverage / connection lost. Inputs cycle through
 * 1,024 precomputed points and ages so nothing is constant-folded.
 *
 * <p>{@code haversineAndThrottle} runs the throttle exactly as the ingestor does, with its
 * {@link PushThrottle}: each fix is compared with the last pushed position (squared equirectangular
 * distance against 20 m, the pushed position's cosine computed when it was pushed, see
 * {@link PushThrottle} for the error bound against the haversine), and a fix that passes becomes the
 * new pushed position — paying that cosine. The points are scattered over ~65 m, so about three fixes
 * in four are pushed (in the ingest benchmark one in four is): the cosine is paid far more often
 * than in the pipeline. {@code haversine} is the full great-circle distance between consecutive
 * points alone, what the ETA and distance APIs pay.
 *
 * <p>Targets: haversine + throttle ≤ 40 ns/op, staleness ≤ 10 ns/op. Run:
 * {@code java -jar benchmarks/target/benchmarks.jar LocationBenchmark -f 1 -wi 3 -i 5}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LocationBenchmark {
    private static final int N = 1024;
    private final double[] lat = new double[N];
    private final double[] lon = new double[N];
    private final Duration[] ages = new Duration[N];
    private final Instant[] seen = new Instant[N];
    private final Instant now = Instant.parse("2026-11-24T10:00:00Z");
    private final PushThrottle throttle = new PushThrottle(LocationConfig.defaults().throttleMeters());
    private final StalenessClassifier classifier = StalenessClassifier.defaults();
    private int i;

    public LocationBenchmark() {
        java.util.Random random = new java.util.Random(42);
        for (int k = 0; k < N; k++) {
            lat[k] = 33.85 + random.nextDouble() * 0.0006;
            lon[k] = 35.50 + random.nextDouble() * 0.0006;
            ages[k] = Duration.ofMillis(random.nextInt(240_000));
            seen[k] = now.minus(ages[k]);
        }
    }

    /** Distance from the last pushed position, the push-or-not decision, and the push when it passes. */
    @Benchmark
    public boolean haversineAndThrottle() {
        int k = i++ & (N - 1);
        double fixLat = lat[k];
        double fixLon = lon[k];
        if (throttle.shouldPush(fixLat, fixLon)) {
            throttle.pushed(fixLat, fixLon);
            return true;
        }
        return false;
    }

    /** The great-circle distance between two consecutive points (the ETA's distance). */
    @Benchmark
    public double haversine() {
        int k = i++ & (N - 1);
        int j = (k + 1) & (N - 1);
        return Haversine.meters(lat[k], lon[k], lat[j], lon[j]);
    }

    /** Band of a fix's age. */
    @Benchmark
    public SignalState staleness() {
        return classifier.classify(ages[i++ & (N - 1)]);
    }

    /** Band from last-seen and now instants (the timer's form). */
    @Benchmark
    public SignalState stalenessFromInstants() {
        return classifier.classify(seen[i++ & (N - 1)], now);
    }
}
