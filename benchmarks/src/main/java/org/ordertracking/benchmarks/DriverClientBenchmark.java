package org.ordertracking.benchmarks;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ordertracking.client.DriverClient;
import org.ordertracking.client.Fix;
import org.ordertracking.client.SyncPolicy;
import org.ordertracking.client.TokenSupplier;
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
 * {@code DriverClient.record}: the cost the app pays per fix, into the durable journal on the local
 * file system, with the server unreachable (the client backs off; no network work competes). Each
 * fix carries accuracy, heading and speed (the largest record, 69 bytes on disk). {@code SampleTime}
 * gives the latency percentiles (target p99 ≤ 5 µs with the default sync policy), {@code Throughput}
 * the sustained rate into the journal (target ≥ 50,000 fixes/s). The teardown prints the journal's
 * bytes per fix.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar DriverClientBenchmark -f 1}
 * (add {@code -p sync=every} for {@code SyncPolicy.EVERY_RECORD}, which waits for the device).
 */
@State(Scope.Thread)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class DriverClientBenchmark {
    @Param({"default"})
    public String sync;

    private Path dir;
    private DriverClient client;
    private Instant t0;
    private long n;

    @Setup(Level.Trial)
    public void start() throws IOException {
        dir = Files.createTempDirectory("driver-client-bench");
        URI dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = URI.create("http://127.0.0.1:" + s.getLocalPort() + "/tracking");
        }
        client = DriverClient.builder(dead, "bench-driver").journalDirectory(dir)
                .tokens(TokenSupplier.of("unused")).live(false)
                .syncPolicy("every".equals(sync) ? SyncPolicy.EVERY_RECORD : SyncPolicy.DEFAULT)
                .backoff(Duration.ofSeconds(30), Duration.ofMinutes(2)).closeTimeout(Duration.ZERO)
                .maxFixAge(Duration.ofDays(3650)).build();
        t0 = Instant.now();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void recordLatency() {
        record();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void recordThroughput() {
        record();
    }

    private void record() {
        long i = n++;
        client.record(new Fix(33.8938 + (i & 1023) * 1e-5, 35.5018, 8.0, 90.0, 6.5, t0.plusMillis(i)));
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        client.close();
        long bytes;
        try (Stream<Path> files = Files.list(dir)) {
            bytes = files.filter(p -> p.getFileName().toString().endsWith(".log")).mapToLong(p -> p.toFile().length()).sum();
        }
        // the count cap (20,000) keeps only the newest unsent fixes in memory; every record stays on disk
        // until a checkpoint deletes whole settled segments, so the bytes written are at least n * record size
        System.out.printf("%n[driver-client] %d fixes recorded, %d journal bytes on disk now%n", n, bytes);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
