package org.ordertracking.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.ordertracking.client.DriverClient;
import org.ordertracking.client.Fix;
import org.ordertracking.client.SyncPolicy;
import org.ordertracking.client.TokenSupplier;
import org.ordertracking.client.Transport;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.servlet.JwtAuthorizer;
import org.ordertracking.servlet.JwtIssuer;
import org.ordertracking.servlet.Role;
import org.ordertracking.servlet.TrackingServlet;
import org.ordertracking.servlet.TrackingServletConfig;
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
 * The flush after a dead zone: a client that recorded a 3-minute, 5-second-interval backlog
 * (36 fixes) offline starts on that journal with the server (the real servlet on an in-process
 * Jetty 12) reachable; the benchmark times build-to-empty-backlog. A counting {@link Transport}
 * reports the requests and gzip bytes per flush (target: one request).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar DriverFlushBenchmark -f 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DriverFlushBenchmark {
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef-bench".getBytes(StandardCharsets.UTF_8);

    private OrderTracker tracker;
    private Server server;
    private URI base;
    private String token;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bodyBytes = new AtomicLong();
    private Transport transport;
    private long seq;

    /** Requests and gzip body bytes per flush. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Sent {
        public long requests;
        public long bodyBytes;
        public long flushes;
    }

    @Setup(Level.Trial)
    public void start() throws Exception {
        tracker = OrderTracker.builder().build();
        LocationStore store = LocationStore.inMemory(tracker.clock());
        LocationIngestor ingestor = LocationIngestor.builder(store, tracker.repository(), tracker.eventBus()).build();
        tracker.addListener(ingestor);
        TrackingServlet servlet = new TrackingServlet(TrackingServletConfig.builder(tracker, JwtAuthorizer.of(SECRET))
                .locationIngestor(ingestor).locationStore(store)
                .driverRateLimit(1_000_000, Duration.ofSeconds(10)).build());
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/tracking/*");
        server.setHandler(context);
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/tracking");
        token = JwtIssuer.of(SECRET).issue(Role.DRIVER, "flush-driver", Duration.ofHours(2));
        Transport jdk = Transport.jdk();
        transport = new Transport() {
            @Override
            public Response post(URI uri, Map<String, String> headers, byte[] body, Duration timeout) throws IOException {
                requests.incrementAndGet();
                bodyBytes.addAndGet(body.length);
                return jdk.post(uri, headers, body, timeout);
            }

            @Override
            public Socket openSocket(URI uri, Map<String, String> headers, SocketListener listener, Duration timeout)
                    throws IOException {
                return jdk.openSocket(uri, headers, listener, timeout);
            }

            @Override
            public void close() {
                jdk.close();
            }
        };
    }

    private Path dir;

    @Setup(Level.Invocation)
    public void recordOffline() throws IOException {
        dir = Files.createTempDirectory("driver-flush-bench");
        // the dead zone: 36 fixes recorded while the server was unreachable (a client on a dead port)
        URI dead = URI.create("http://127.0.0.1:9/tracking");
        try (DriverClient offline = DriverClient.builder(dead, "flush-driver").journalDirectory(dir)
                .tokens(TokenSupplier.of(token)).live(false).closeTimeout(Duration.ZERO)
                .backoff(Duration.ofMinutes(1), Duration.ofMinutes(1)).build()) {
            Instant start = Instant.now().minus(Duration.ofMinutes(3));
            for (int i = 0; i < 36; i++) {
                // each invocation drives further north, so every flush is applied as new positions
                long k = seq++;
                offline.record(new Fix(33.0 + k * 1e-4, 35.5, 8.0, 0.0, 8.0, start.plusSeconds(5L * i)));
            }
        }
    }

    @Benchmark
    public void flushDeadZoneBacklog(Sent sent) throws InterruptedException {
        long r0 = requests.get();
        long b0 = bodyBytes.get();
        try (DriverClient client = DriverClient.builder(base, "flush-driver").journalDirectory(dir)
                .tokens(TokenSupplier.of(token)).live(false).transport(transport).syncPolicy(SyncPolicy.DEFAULT)
                .backoff(Duration.ofMillis(1), Duration.ofMillis(10)).build()) {
            while (client.state().backlog() > 0) {
                Thread.onSpinWait();
            }
        }
        sent.requests += requests.get() - r0;
        sent.bodyBytes += bodyBytes.get() - b0;
        sent.flushes++;
    }

    @TearDown(Level.Invocation)
    public void deleteJournal() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        server.stop();
        transport.close();
        tracker.close();
        System.out.printf("%n[driver-flush] %d requests, %d gzip body bytes in total%n", requests.get(), bodyBytes.get());
    }
}
