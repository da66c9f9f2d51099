package org.ordertracking.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.ordertracking.servlet.JwtIssuer;
import org.ordertracking.servlet.Role;

/**
 * The end-to-end load harness. Drives a tracking server (the servlet adapters, e.g. the one
 * {@link BenchServer} runs, started here as a child process with {@code --start-server}) or nchan
 * ({@code --target nchan}) over real loopback sockets:
 *
 * <ul>
 *   <li>N SSE streams ({@code --streams}, default 10,000) over K orders ({@code --orders}), held by
 *       {@code --clients} child processes ({@link LoadClient}) bound to loopback source addresses
 *       127.0.0.2 … so no process nears its 20,000-file limit;</li>
 *   <li>X status events/s ({@code --rate}): transitions posted round-robin over the orders, each
 *       carrying its publish instant in {@code reason}, so clients record publish→receive latency
 *       (HdrHistogram, µs);</li>
 *   <li>Y fixes/s through the batch endpoint ({@code --fixes}, batches of {@code --batch}) and Z/s
 *       through driver WebSockets ({@code --ws-fixes});</li>
 *   <li>churn ({@code --churn-ms L}): every stream closes after ~L ms and reconnects with
 *       {@code Last-Event-ID}; clients check seq continuity, and afterwards the server's
 *       {@code /metrics} must show no stream left registered;</li>
 *   <li>the realistic mix ({@code --mode mix}, see {@link MixDrivers}): {@code --drivers} (2,000)
 *       drivers each delivering one picked-up order and sending a fix every {@code --fix-interval-ms}
 *       (5,000), a {@code --ws-share} (0.5) of them over their driver WebSocket and the rest through
 *       the batch endpoint, each fix moving {@code --step-m} (30) metres so the 20 m throttle lets it
 *       through, {@code --streams} (10,000) customer streams over {@code --orders} (streams / 5), and
 *       {@code --rate} (200) status events/s as pairs {@code ready}, {@code picked_up} on one order.
 *       Location latency is fix sent → location event received (the fix's {@code recorded_at} is its
 *       send instant); status events are seq-checked, conflated location frames and unpublished fixes
 *       read from the server's {@code /metrics};</li>
 *   <li>two nodes ({@code --nodes 2} with {@code --start-server}): two bench servers on ports P and
 *       P + 1 sharing PostgreSQL ({@code --store postgres}, one table prefix) and a real Redis (bus and
 *       location store, one prefix); transitions go to node A, half the client processes read
 *       their streams from node B (cross-node latency) and half from node A (same-node latency of
 *       the same run).</li>
 * </ul>
 *
 * <p>Reports p50/p99/p99.9/max latency, delivered events/s, server heap (after GC) and RSS per open
 * stream, and CPU of the server and of the load generator; {@code --out file.json} keeps them, with
 * the server's JVM flags ({@code -Xms2g -Xmx2g -XX:+UseG1GC} unless {@code --server-jvm "…"} adds to or,
 * for a collector, replaces them; {@code --server-jfr file} records a flight recording of the server's
 * whole life, {@code --server-profile file --profiler libasyncProfiler.so} an async-profiler CPU
 * profile of the measured window only). Only
 * loopback is contacted; every phase is bounded in time and the harness stops by itself.
 *
 * <p>Run (after {@code ./mvnw -pl benchmarks -am package -DskipTests}):
 * {@code java -cp benchmarks/target/benchmarks.jar org.ordertracking.benchmarks.load.LoadHarness
 * --start-server --streams 10000 --orders 1000 --rate 1000 --duration 30}
 */
public final class LoadHarness {
    static final String DEFAULT_SECRET = "bench-secret-bench-secret-bench-secret!";

    /** The harness's tokens: the servlet's own {@link JwtIssuer} on the secret the bench server verifies with. */
    static JwtIssuer issuer(String secret) {
        return JwtIssuer.of(secret.getBytes(StandardCharsets.UTF_8));
    }

    private final Map<String, String> opts;
    private final boolean nchan;
    private final URI url;
    private final InetSocketAddress server;
    private final String base;
    private final String secret;
    private final JwtIssuer jwt;
    private final String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    private final int streams;
    private final int orders;
    private final int clients;
    private final String[] localIps;
    private final PrintStream log = System.out;
    private final Map<String, Object> results = new LinkedHashMap<>();
    private final List<Child> children = new ArrayList<>();
    private final boolean mix;
    private final int nodes;
    private Process serverProcess;
    private final List<Process> serverProcesses = new ArrayList<>();
    private long serverPid;
    private List<Long> serverPids = new ArrayList<>();

    private LoadHarness(Map<String, String> opts) {
        this.opts = opts;
        this.nchan = "nchan".equals(opts.getOrDefault("target", "tracking"));
        this.url = URI.create(opts.getOrDefault("url", nchan ? "http://127.0.0.1:8091" : "http://127.0.0.1:8090/tracking"));
        if (!url.getHost().startsWith("127.") && !url.getHost().equals("localhost")) {
            throw new IllegalArgumentException("the harness only targets loopback, not " + url.getHost());
        }
        this.server = new InetSocketAddress(url.getHost(), url.getPort());
        this.base = url.getPath();
        this.secret = opts.getOrDefault("secret", DEFAULT_SECRET);
        this.jwt = issuer(secret);
        this.mix = "mix".equals(opts.get("mode"));
        this.nodes = intOpt("nodes", 1);
        if (nodes < 1 || nodes > 2) {
            throw new IllegalArgumentException("--nodes must be 1 or 2, not " + nodes);
        }
        if (nodes == 2 && (nchan || !opts.containsKey("start-server"))) {
            throw new IllegalArgumentException("--nodes 2 starts two bench servers: it needs --start-server, not nchan");
        }
        if (mix && nchan) {
            throw new IllegalArgumentException("--mode mix drives our driver endpoints, which nchan has not");
        }
        this.streams = intOpt("streams", 10_000);
        this.orders = intOpt("orders", mix ? Math.max(1, streams / 5) : 1_000);
        this.clients = intOpt("clients", Math.max(nodes, (streams + 4_999) / 5_000));
        if (mix && intOpt("drivers", 2_000) < orders) {
            throw new IllegalArgumentException("--mode mix gives every order its own driver: --drivers must be at least --orders ("
                    + orders + ")");
        }
        int ips = intOpt("local-ips", 8);
        this.localIps = new String[ips];
        for (int i = 0; i < ips; i++) {
            localIps[i] = "127.0.0." + (2 + i);
        }
    }

    public static void main(String[] args) throws Exception {
        LoadHarness harness = new LoadHarness(parse(args));
        try {
            harness.run();
        } finally {
            harness.shutdown();
        }
        System.exit(0);
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option, got " + args[i]);
            }
            String key = args[i].substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                opts.put(key, args[++i]);
            } else {
                opts.put(key, "true");
            }
        }
        return opts;
    }

    private int intOpt(String name, int defaultValue) {
        return Integer.parseInt(opts.getOrDefault(name, Integer.toString(defaultValue)));
    }

    private void run() throws Exception {
        results.put("date", Instant.now().toString());
        results.put("target", nchan ? "nchan" : "tracking");
        results.put("options", new LinkedHashMap<>(opts));
        if (opts.containsKey("start-server")) {
            startServer();
        }
        if (opts.containsKey("server-pids")) {
            for (String pid : opts.get("server-pids").split(",")) {
                serverPids.add(Long.parseLong(pid.trim()));
            }
        }
        if (!nchan) {
            setUpOrders();
        }
        if ("polling-compare".equals(opts.get("mode"))) {
            pollingCompare();
            writeResults();
            return;
        }
        Map<String, Long> before = serverMemory(true);
        log.printf(Locale.ROOT, "server before streams: %s%n", before);

        long openStart = System.nanoTime();
        startClients();
        boolean ready = awaitReady(Duration.ofSeconds(intOpt("open-timeout", 180)));
        double openSeconds = (System.nanoTime() - openStart) / 1e9;
        long open = children.stream().mapToLong(c -> c.open).sum();
        log.printf(Locale.ROOT, "streams open: %d of %d in %.1f s%s%n", open, streams, openSeconds,
                ready ? "" : " (timed out)");
        results.put("streams_open", open);
        results.put("open_seconds", round(openSeconds));
        Thread.sleep(2000);
        Map<String, Long> held = serverMemory(true);
        log.printf(Locale.ROOT, "server with streams: %s%n", held);
        if (before.containsKey("heap_used") && held.containsKey("heap_used") && open > 0) {
            results.put("heap_bytes_per_stream", (held.get("heap_used") - before.get("heap_used")) / open);
        }
        if (before.containsKey("rss") && held.containsKey("rss") && open > 0) {
            results.put("rss_bytes_per_stream", (held.get("rss") - before.get("rss")) / open);
        }
        results.put("server_before", before);
        results.put("server_with_streams", held);

        int rate = intOpt("rate", 0);
        int fixes = intOpt("fixes", 0);
        int wsFixes = intOpt("ws-fixes", 0);
        int duration = intOpt("duration", 20);
        int warmup = intOpt("warmup", 5);
        int hold = intOpt("hold", 0);
        if (hold > 0) {
            log.printf("holding %d s%n", hold);
            Thread.sleep(hold * 1000L);
        }
        Map<String, Long> metrics0 = Map.of();
        Map<String, Long> metrics1 = Map.of();
        MixDrivers mixDrivers = null;
        long mixSent0 = 0;
        if (rate > 0 || fixes > 0 || wsFixes > 0 || opts.containsKey("churn-ms") || mix) {
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> threads = new ArrayList<>();
            StatusPublisher statuses = new StatusPublisher(rate, running);
            if (mix) {
                mixDrivers = new MixDrivers(intOpt("drivers", 2_000), intOpt("fix-interval-ms", 5_000),
                        Double.parseDouble(opts.getOrDefault("ws-share", "0.5")),
                        Double.parseDouble(opts.getOrDefault("step-m", "30")), running);
                threads.addAll(mixDrivers.start(intOpt("fix-publishers", 4)));
            }
            FixPublisher batches = new FixPublisher(fixes, intOpt("batch", 20), intOpt("drivers", 1000), running);
            WsFixes sockets = new WsFixes(wsFixes, intOpt("ws-drivers", 50), running);
            if (rate > 0) {
                threads.addAll(statuses.start(intOpt("publishers", Math.max(4, Math.min(32, rate / 500)))));
            }
            if (fixes > 0 && !nchan) {
                threads.addAll(batches.start(intOpt("fix-publishers", 4)));
            }
            if (wsFixes > 0 && !nchan) {
                threads.add(sockets.start());
            }
            Thread.sleep(warmup * 1000L);
            for (Child child : children) {
                child.command("RESET");
            }
            if (!nchan) {
                metrics0 = serverMetrics();
            }
            if (mixDrivers != null) {
                mixSent0 = mixDrivers.sent();
            }
            long sent0 = statuses.sent.sum();
            long fixes0 = batches.applied.sum();
            long wsAcks0 = sockets.acks.get();
            long wsSent0 = sockets.sent.get();
            long[] cpu0 = cpu();
            profile("start," + opts.getOrDefault("profile-event", "event=cpu,interval=1ms"));
            long t0 = System.nanoTime();
            Thread.sleep(1200);
            long events0 = children.stream().mapToLong(c -> c.statusEvents).sum();
            long te0 = System.nanoTime();
            Thread.sleep(Math.max(1, duration * 1000L - 1200));
            long events1 = children.stream().mapToLong(c -> c.statusEvents).sum();
            long te1 = System.nanoTime();
            long t1 = System.nanoTime();
            long[] cpu1 = cpu();
            profile("stop,file=" + opts.get("server-profile"));
            if (!nchan) {
                metrics1 = serverMetrics();
            }
            long mixSent1 = mixDrivers == null ? 0 : mixDrivers.sent();
            double secs = (t1 - t0) / 1e9;
            running.set(false);
            for (Thread thread : threads) {
                thread.join(10_000);
            }
            results.put("measured_seconds", round(secs));
            results.put("status_published_per_s", round((statuses.sent.sum() - sent0) / secs));
            results.put("status_publish_errors", statuses.errors.sum());
            results.put("events_delivered_per_s", round((events1 - events0) / ((te1 - te0) / 1e9)));
            if (fixes > 0) {
                results.put("batch_fixes_applied_per_s", round((batches.applied.sum() - fixes0) / secs));
                results.put("batch_fixes_rejected", batches.rejected.sum());
                results.put("batch_errors", batches.errors.sum());
            }
            if (wsFixes > 0) {
                results.put("ws_acks_per_s", round((sockets.acks.get() - wsAcks0) / secs));
                results.put("ws_fixes_sent_per_s", round((sockets.sent.get() - wsSent0) / secs));
                results.put("ws_errors", sockets.errors.get());
            }
            if (mixDrivers != null) {
                Map<String, Object> drivers = new LinkedHashMap<>();
                drivers.put("drivers", mixDrivers.drivers);
                drivers.put("ws_drivers", mixDrivers.wsDrivers);
                drivers.put("drivers_without_order", Math.max(0, mixDrivers.drivers - orders));
                drivers.put("fix_interval_ms", mixDrivers.intervalMillis);
                drivers.put("step_m", mixDrivers.stepMeters);
                drivers.put("fixes_sent_per_s", round((mixSent1 - mixSent0) / secs));
                drivers.put("ws_fixes_sent", mixDrivers.wsSent.get());
                drivers.put("ws_acks", mixDrivers.wsAcks.get());
                drivers.put("ws_errors", mixDrivers.wsErrors.get());
                drivers.put("batch_fixes_sent", mixDrivers.batchSent.sum());
                drivers.put("batch_fixes_applied", mixDrivers.batchApplied.sum());
                drivers.put("batch_fixes_rejected", mixDrivers.batchRejected.sum());
                drivers.put("batch_errors", mixDrivers.batchErrors.sum());
                results.put("mix_drivers", drivers);
            }
            if (!metrics0.isEmpty() && !metrics1.isEmpty()) {
                Map<String, Long> delta = new LinkedHashMap<>();
                for (Map.Entry<String, Long> e : metrics1.entrySet()) {
                    delta.put(e.getKey(), e.getValue() - metrics0.getOrDefault(e.getKey(), 0L));
                }
                results.put("server_counters_in_window", delta);
                long applied = delta.getOrDefault("fixes_applied", 0L);
                long published = delta.getOrDefault("fixes_published", 0L);
                if (mix) {
                    // one published position per fix and order while picked up; below that, the 20 m
                    // throttle held fixes back (or a fix landed inside a status pair's ready window)
                    results.put("fixes_applied_in_window", applied);
                    results.put("locations_published_in_window", published);
                    results.put("fixes_not_published_in_window", Math.max(0, applied - published));
                    results.put("location_frames_conflated", delta.getOrDefault("events_dropped", 0L));
                    results.put("slow_disconnects", delta.getOrDefault("slow_disconnects", 0L));
                }
            }
            results.put("server_cpu_percent", round((cpu1[0] - cpu0[0]) / 10.0 / secs));
            results.put("loadgen_cpu_percent", round((cpu1[1] - cpu0[1]) / 10.0 / secs));
            results.put("machine_cpu_percent", round(100.0 * (cpu1[3] - cpu0[3]) / Math.max(1, cpu1[2] - cpu0[2])));
        }
        Histogram merged = stopClients();
        results.put("latency_samples", merged.getTotalCount());
        results.put("latency_ms", latencyMillis(merged));
        Map<String, Long> totals = counters(c -> true);
        results.put("client_counters", totals);
        if (mix) {
            Histogram locations = merge(children, c -> c.locationHistogram);
            results.put("location_latency_samples", locations.getTotalCount());
            results.put("location_latency_ms", latencyMillis(locations));
            results.put("status_gaps", totals.getOrDefault("gaps", 0L));
            results.put("location_events_received", totals.getOrDefault("location_events", 0L));
        }
        if (nodes == 2) {
            List<Child> onB = children.stream().filter(c -> c.node == 1).toList();
            List<Child> onA = children.stream().filter(c -> c.node == 0).toList();
            Histogram cross = merge(onB, c -> c.histogram);
            Histogram same = merge(onA, c -> c.histogram);
            Map<String, Object> twoNodes = new LinkedHashMap<>();
            twoNodes.put("streams_opened_on_b", onB.stream().mapToLong(c -> c.last.getOrDefault("connects", 0L)).sum());
            twoNodes.put("streams_opened_on_a", onA.stream().mapToLong(c -> c.last.getOrDefault("connects", 0L)).sum());
            twoNodes.put("cross_node_latency_ms", latencyMillis(cross));
            twoNodes.put("cross_node_gaps", counters(c -> c.node == 1).getOrDefault("gaps", 0L));
            twoNodes.put("same_node_latency_ms", latencyMillis(same));
            twoNodes.put("same_node_gaps", counters(c -> c.node == 0).getOrDefault("gaps", 0L));
            if (same.getTotalCount() > 0 && cross.getTotalCount() > 0) {
                twoNodes.put("ratio_p99_cross_over_same", round(Targets.ratio(
                        cross.getValueAtPercentile(99) / 1000.0, same.getValueAtPercentile(99) / 1000.0)));
            }
            results.put("two_nodes", twoNodes);
        }
        if (!nchan && nodes == 1) {
            // a stream whose client left is noticed on the next write (an event or the 15 s keep-alive)
            long settleStart = System.nanoTime();
            long deadline = settleStart + TimeUnit.SECONDS.toNanos(intOpt("settle-s", 45));
            long registered;
            String connections;
            do {
                Thread.sleep(1000);
                String metrics = get(base + "/metrics", jwt.issue(Role.OPERATOR, "bench", Duration.ofSeconds(600)));
                int c = metrics.indexOf("\"connections\":{");
                connections = c < 0 ? "{}" : metrics.substring(c + 14, metrics.indexOf('}', c) + 1);
                registered = 0;
                for (String pair : connections.substring(1, connections.length() - 1).split(",")) {
                    if (pair.contains(":")) {
                        registered += Long.parseLong(pair.substring(pair.indexOf(':') + 1).trim());
                    }
                }
            } while (registered > 0 && System.nanoTime() < deadline);
            results.put("connections_after_clients_left", connections);
            results.put("connections_left_registered", registered);
            results.put("seconds_until_unregistered", round((System.nanoTime() - settleStart) / 1e9));
        }
        writeResults();
    }

    private void writeResults() throws IOException {
        String json = toJson(results, "");
        log.println(json);
        if (opts.containsKey("out")) {
            Path out = Path.of(opts.get("out"));
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
            Files.writeString(out, json + "\n");
        }
    }

    // ---------------------------------------------------------------- polling versus SSE

    /**
     * The reference article's design against ours at the same load: the orders set up, customers
     * polling {@code GET /orders/{id}} every {@code --poll-interval-s} (10 s) for
     * {@code --compare-seconds} (60), then the same customers on SSE streams for as long; status
     * transitions at {@code --transitions-per-min} in both phases. The bench server counts SQL
     * statements through its DataSource proxy. A first window with the same transitions and no
     * customer gives the baseline (writes, outbox marks, sweeps) that both designs share; what a
     * phase adds above it is what its customers cost. SSE stream opens are counted apart (queries
     * per open) and reported amortized over {@code --order-lifetime-min} (30) and as a worst case
     * where every customer reopens its stream every minute.
     */
    private void pollingCompare() throws Exception {
        int seconds = intOpt("compare-seconds", 60);
        int pollSeconds = intOpt("poll-interval-s", 10);
        int perMinute = intOpt("transitions-per-min", 20);
        String operator = jwt.issue(Role.OPERATOR, "bench", Duration.ofSeconds(3600));
        results.put("orders", orders);
        results.put("poll_interval_s", pollSeconds);
        results.put("transitions_per_min", perMinute);

        // queries per transition alone
        long q = queries();
        int probe = 20;
        try (Http1 http = new Http1(server, localIps[0])) {
            for (int i = 0; i < probe; i++) {
                int k = i % orders;
                http.send("POST", base + "/orders/" + orderId(k) + "/transitions", operator,
                        "{\"status\":\"" + ((i / orders) % 2 == 0 ? "ready" : "preparing") + "\"}");
            }
        }
        double perTransition = (queries() - q) / (double) probe;
        results.put("queries_per_transition", round(perTransition));
        AtomicIntegerArray ready = new AtomicIntegerArray(orders);
        for (int i = 0; i < probe; i++) {
            int k = i % orders;
            ready.set(k, ready.get(k) ^ 1);
        }

        // baseline: the same transitions with no customer at all (includes the tracker's background work)
        AtomicBoolean runningBase = new AtomicBoolean(true);
        LongAdder transitionsBase = new LongAdder();
        long qb = queries();
        long startBase = System.nanoTime();
        Thread moverBase = transitionThread(runningBase, perMinute, ready, transitionsBase, operator);
        Thread.sleep(intOpt("baseline-seconds", seconds) * 1000L);
        runningBase.set(false);
        moverBase.join(15_000);
        double baseline = (queries() - qb) / ((System.nanoTime() - startBase) / 60e9);
        Map<String, Object> baselineResult = new LinkedHashMap<>();
        baselineResult.put("transitions_per_min", round(transitionsBase.sum() / ((System.nanoTime() - startBase) / 60e9)));
        baselineResult.put("db_queries_per_min", round(baseline));
        results.put("baseline_no_customers", baselineResult);

        // phase 1: polling
        AtomicBoolean running = new AtomicBoolean(true);
        LongAdder transitions = new LongAdder();
        Thread mover = transitionThread(running, perMinute, ready, transitions, operator);
        LongAdder polls = new LongAdder();
        LongAdder pollErrors = new LongAdder();
        long q0 = queries();
        long start = System.nanoTime();
        List<Thread> pollers = new ArrayList<>();
        int pollThreads = 4;
        for (int t = 0; t < pollThreads; t++) {
            int index = t;
            Thread thread = new Thread(() -> {
                try (Http1 http = new Http1(server, localIps[index % localIps.length])) {
                    String[] tokens = new String[orders];
                    for (int k = index; k < orders; k += pollThreads) {
                        tokens[k] = jwt.issue(Role.CUSTOMER, orderId(k), Duration.ofSeconds(3600));
                    }
                    long periodNanos = pollSeconds * 1_000_000_000L;
                    long round = 0;
                    while (running.get()) {
                        for (int k = index; k < orders && running.get(); k += pollThreads) {
                            long due = start + round * periodNanos + periodNanos * k / orders;
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                            if (!running.get()) {
                                break;
                            }
                            Http1.Response response = http.send("GET", base + "/orders/" + orderId(k), tokens[k], null);
                            if (response.status() == 200) {
                                polls.increment();
                            } else {
                                pollErrors.increment();
                                if (pollErrors.sum() < 3) {
                                    log.println("poll answered " + response);
                                }
                            }
                        }
                        round++;
                    }
                } catch (IOException e) {
                    pollErrors.increment();
                }
            }, "poller-" + t);
            thread.start();
            pollers.add(thread);
        }
        Thread.sleep(seconds * 1000L);
        running.set(false);
        for (Thread thread : pollers) {
            thread.join(15_000);
        }
        mover.join(15_000);
        double minutes = (System.nanoTime() - start) / 60e9;
        long pollQueries = queries() - q0;
        Map<String, Object> polling = new LinkedHashMap<>();
        polling.put("http_requests_per_min", round((polls.sum() + transitions.sum()) / minutes));
        polling.put("poll_requests_per_min", round(polls.sum() / minutes));
        polling.put("poll_errors", pollErrors.sum());
        polling.put("transitions_per_min", round(transitions.sum() / minutes));
        polling.put("db_queries_per_min", round(pollQueries / minutes));
        double pollCustomerQueries = Math.max(0, pollQueries / minutes - baseline);
        polling.put("customer_db_queries_per_min", round(pollCustomerQueries));
        results.put("polling", polling);

        // phase 2: SSE, the same customers on streams; the opens are counted apart, then one steady window
        long qOpen = queries();
        startClients();
        boolean allOpen = awaitReady(Duration.ofSeconds(60));
        Thread.sleep(1000);
        long opened = children.stream().mapToLong(c -> c.open).sum();
        double perOpen = (queries() - qOpen) / (double) Math.max(1, opened);
        AtomicBoolean running2 = new AtomicBoolean(true);
        LongAdder transitions2 = new LongAdder();
        long q2 = queries();
        long start2 = System.nanoTime();
        Thread mover2 = transitionThread(running2, perMinute, ready, transitions2, operator);
        Thread.sleep(seconds * 1000L);
        running2.set(false);
        mover2.join(15_000);
        double minutes2 = (System.nanoTime() - start2) / 60e9;
        long sseQueries = queries() - q2;
        Histogram ignored = stopClients();
        long received = children.stream().mapToLong(c -> c.last.getOrDefault("status_events", 0L)).sum();
        long reconnects = children.stream().mapToLong(c -> c.last.getOrDefault("connects", 0L)).sum() - opened;
        int lifetime = intOpt("order-lifetime-min", 30);
        Map<String, Object> sse = new LinkedHashMap<>();
        sse.put("all_streams_opened", allOpen);
        sse.put("streams_open", opened);
        sse.put("queries_per_stream_open", round(perOpen));
        sse.put("reconnects_in_window", reconnects);
        sse.put("status_events_received", received);
        sse.put("live_latency_samples", ignored.getTotalCount());
        sse.put("http_requests_per_min", round(transitions2.sum() / minutes2));
        sse.put("transitions_per_min", round(transitions2.sum() / minutes2));
        sse.put("db_queries_per_min_steady", round(sseQueries / minutes2));
        double steadyCustomer = Math.max(0, sseQueries / minutes2 - baseline);
        sse.put("customer_db_queries_per_min_steady", round(steadyCustomer));
        double amortized = steadyCustomer + opened * perOpen / lifetime;
        sse.put("order_lifetime_min_assumed", lifetime);
        sse.put("customer_db_queries_per_min_with_opens_amortized", round(amortized));
        double worst = steadyCustomer + opened * perOpen;
        sse.put("customer_db_queries_per_min_if_every_stream_reopened_each_minute", round(worst));
        sse.put("http_requests_per_min_if_every_stream_reopened_each_minute",
                round(transitions2.sum() / minutes2 + opened));
        results.put("sse", sse);
        results.put("ratio_customer_queries_polling_over_sse_amortized", round(pollCustomerQueries / Math.max(1e-9, amortized)));
        results.put("ratio_customer_queries_polling_over_sse_worst_case", round(pollCustomerQueries / Math.max(1e-9, worst)));
        results.put("ratio_http_requests_polling_over_sse_worst_case",
                round((polls.sum() / minutes) / Math.max(1e-9, opened)));
    }

    private Thread transitionThread(AtomicBoolean running, int perMinute, AtomicIntegerArray ready, LongAdder done,
            String operator) {
        Thread thread = new Thread(() -> {
            long interval = 60_000_000_000L / Math.max(1, perMinute);
            long next = System.nanoTime() + interval / 2;
            int i = 0;
            try (Http1 http = new Http1(server, localIps[1 % localIps.length])) {
                while (running.get()) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(Math.min(wait, 100_000_000L));
                        continue;
                    }
                    next += interval;
                    int k = (i++ * 7) % orders;
                    boolean toReady = ready.get(k) == 0;
                    ready.set(k, toReady ? 1 : 0);
                    Http1.Response response = http.send("POST", base + "/orders/" + orderId(k) + "/transitions",
                            operator, "{\"status\":\"" + (toReady ? "ready" : "preparing") + "\",\"reason\":\"t="
                                    + LoadClient.micros() + "\"}");
                    if (response.status() == 200) {
                        done.increment();
                    }
                }
            } catch (IOException e) {
                log.println("transitions failed: " + e);
            }
        }, "transitions");
        thread.start();
        return thread;
    }

    private long queries() throws IOException {
        return jsonLong(get("/bench/stats", null), "queries");
    }

    // ---------------------------------------------------------------- server and setup

    private void startServer() throws Exception {
        List<String> command = new ArrayList<>(List.of(javaBin(), "-Xms" + opts.getOrDefault("server-heap", "2g"),
                "-Xmx" + opts.getOrDefault("server-heap", "2g")));
        for (String property : new String[] {"tracking.test.postgres", "tracking.test.redis"}) {
            if (System.getProperty(property) != null) { // where the server finds PostgreSQL and Redis
                command.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        if (!opts.getOrDefault("server-jvm", "").matches(".*-XX:\\+Use\\w+GC.*")) {
            command.add("-XX:+UseG1GC"); // the default unless --server-jvm picks a collector
        }
        if (opts.containsKey("server-jfr")) {
            command.add("-XX:StartFlightRecording=filename=" + opts.get("server-jfr") + ",settings=profile");
        }
        if (opts.containsKey("server-jvm")) {
            // extra server JVM flags, space-separated, e.g. --server-jvm "-XX:+UseParallelGC"; later flags win
            for (String flag : opts.get("server-jvm").trim().split("\\s+")) {
                if (!flag.isEmpty()) {
                    command.add(flag);
                }
            }
        }
        List<String> jvmFlags = new ArrayList<>(command.subList(1, command.size()));
        results.put("server_jvm_flags", String.join(" ", jvmFlags));
        log.println("server JVM flags: " + String.join(" ", jvmFlags));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchServer.class.getName(),
                "--secret", secret));
        List<String> shared = new ArrayList<>();
        if (nodes == 1) {
            shared.addAll(List.of("--store", opts.getOrDefault("store", "memory")));
            for (String option : new String[] {"bus", "locations", "redis"}) {
                if (opts.containsKey(option)) {
                    shared.addAll(List.of("--" + option, opts.get(option)));
                }
            }
        } else {
            // one database and one Redis for both: the same table prefix and Redis prefix
            String store = opts.getOrDefault("store", "postgres");
            if (!store.equals("postgres")) {
                throw new IllegalArgumentException("--nodes 2 shares one order repository: --store postgres, not " + store);
            }
            shared.addAll(List.of("--store", "postgres", "--bus", "redis", "--locations", "redis",
                    "--table-prefix", "n" + run + "_", "--redis-prefix", "bench:n" + run + ":"));
            if (opts.containsKey("redis")) {
                shared.addAll(List.of("--redis", opts.get("redis")));
            }
            results.put("nodes", Map.of("a", server.getPort(), "b", server.getPort() + 1,
                    "store", "postgres", "bus", "redis", "locations", "redis"));
        }
        for (int i = 0; i < nodes; i++) {
            List<String> node = new ArrayList<>(command);
            node.addAll(List.of("--port", Integer.toString(server.getPort() + i)));
            node.addAll(shared);
            if (nodes == 2) {
                // node A migrates the shared tables and drops them on exit; B only uses them
                node.addAll(i == 0 ? List.of("--drop-tables", "true") : List.of("--migrate", "false", "--drop-tables", "false"));
            }
            startNode(node, new InetSocketAddress(server.getHostString(), server.getPort() + i));
        }
    }

    private void startNode(List<String> command, InetSocketAddress address) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of(opts.getOrDefault("server-log",
                        "benchmarks/target/bench-server.log")).toFile()));
        Process process = builder.start();
        serverProcesses.add(process);
        if (serverProcess == null) {
            serverProcess = process;
            serverPid = process.pid();
        }
        serverPids.add(process.pid());
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline && process.isAlive()) {
            try {
                get(address, "/bench/stats", null);
                log.println("bench server up on port " + address.getPort() + ", pid " + process.pid());
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the bench server on port " + address.getPort()
                + " did not come up within 60 s; see its log");
    }

    private void setUpOrders() throws Exception {
        String operator = jwt.issue(Role.OPERATOR, "bench", Duration.ofSeconds(3600));
        int threads = 8;
        List<Thread> workers = new ArrayList<>();
        LongAdder failures = new LongAdder();
        for (int w = 0; w < threads; w++) {
            int worker = w;
            Thread thread = new Thread(() -> {
                try (Http1 http = new Http1(server, localIps[worker % localIps.length])) {
                    for (int k = worker; k < orders; k += threads) {
                        String id = orderId(k);
                        Http1.Response created = http.send("POST", base + "/orders", operator,
                                "{\"order_id\":\"" + id + "\",\"restaurant_id\":\"r-" + (k % 50) + "\",\"customer_id\":\"c-"
                                        + k + "\",\"destination\":{\"lat\":33.8938,\"lon\":35.5018}}");
                        Http1.Response accepted = http.send("POST", base + "/orders/" + id + "/transitions", operator,
                                "{\"status\":\"accepted\"}");
                        Http1.Response preparing = http.send("POST", base + "/orders/" + id + "/transitions", operator,
                                "{\"status\":\"preparing\"}");
                        boolean ok = created.status() == 201 && accepted.status() == 200 && preparing.status() == 200;
                        if (ok && mix) {
                            // the mix: every order is being delivered by its own driver
                            Http1.Response ready = http.send("POST", base + "/orders/" + id + "/transitions", operator,
                                    "{\"status\":\"ready\"}");
                            Http1.Response assigned = http.send("POST", base + "/orders/" + id + "/driver", operator,
                                    "{\"driver_id\":\"" + mixDriverId(k) + "\"}");
                            Http1.Response pickedUp = http.send("POST", base + "/orders/" + id + "/transitions", operator,
                                    "{\"status\":\"picked_up\"}");
                            ok = ready.status() == 200 && assigned.status() == 200 && pickedUp.status() == 200;
                            if (!ok && failures.sum() < 3) {
                                log.println("mix setup of " + id + " failed: " + ready + " " + assigned + " " + pickedUp);
                            }
                        }
                        if (!ok) {
                            failures.increment();
                            if (failures.sum() < 3) {
                                log.println("setup of " + id + " failed: " + created + " " + accepted + " " + preparing);
                            }
                        }
                    }
                } catch (IOException e) {
                    failures.increment();
                    log.println("setup failed: " + e);
                }
            });
            thread.start();
            workers.add(thread);
        }
        for (Thread thread : workers) {
            thread.join();
        }
        if (failures.sum() > 0) {
            throw new IllegalStateException(failures.sum() + " orders could not be set up");
        }
        log.printf("registered %d orders (run %s), each %s%n", orders, run,
                mix ? "picked up by its own driver" : "accepted and preparing");
    }

    private String orderId(int k) {
        return "bench-" + run + "-" + k;
    }

    private String mixDriverId(int d) {
        return "m-" + run + "-" + d;
    }

    private String get(String path, String token) throws IOException {
        return get(server, path, token);
    }

    private String get(InetSocketAddress target, String path, String token) throws IOException {
        try (Http1 http = new Http1(target, "127.0.0.1")) {
            Http1.Response response = http.send("GET", path, token, null);
            if (response.status() != 200) {
                throw new IOException("GET " + path + " answered " + response.status() + ": " + response.body());
            }
            return response.body();
        }
    }

    /** Heap after a GC (bench server only) and RSS of the server processes, in bytes. */
    private Map<String, Long> serverMemory(boolean gc) {
        Map<String, Long> memory = new LinkedHashMap<>();
        if (serverProcess != null && nodes == 1) { // with two nodes, a heap per stream of one node would mislead
            try {
                String stats = get("/bench/stats" + (gc ? "?gc=1" : ""), null);
                memory.put("heap_used", jsonLong(stats, "heap_used"));
            } catch (IOException e) {
                log.println("no heap figure: " + e);
            }
        }
        long rss = 0;
        for (long pid : serverPids) {
            rss += ProcStats.rssBytes(pid);
        }
        if (!serverPids.isEmpty()) {
            memory.put("rss", rss);
        }
        return memory;
    }

    /**
     * With {@code --server-profile file} (and {@code --profiler lib}, the path of async-profiler's
     * {@code libasyncProfiler.so}, or the {@code ASYNC_PROFILER} environment variable), sends the
     * profiler one command through the attach API: started just after the measurement
     * window's first CPU reading and stopped just after its last, so the profile holds the measured
     * window only, never the stream opening or settling. A {@code .collapsed} file gets folded stacks,
     * an {@code .html} one a flame graph. Without {@code --server-profile} it does nothing.
     */
    private void profile(String command) {
        if (!opts.containsKey("server-profile") || serverPids.isEmpty()) {
            return;
        }
        String lib = opts.getOrDefault("profiler", System.getenv("ASYNC_PROFILER"));
        if (lib == null) {
            throw new IllegalArgumentException("--server-profile needs --profiler /path/to/libasyncProfiler.so");
        }
        String format = opts.get("server-profile").endsWith(".collapsed") ? ",collapsed" : "";
        for (long pid : serverPids) {
            String perPid = serverPids.size() == 1 ? command : command.replace("file=", "file=" + pid + "-");
            try {
                com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(Long.toString(pid));
                try {
                    vm.loadAgentPath(lib, perPid + (perPid.startsWith("stop") ? format : ""));
                } finally {
                    vm.detach();
                }
            } catch (Exception e) {
                log.println("profiler command '" + perPid + "' on " + pid + " failed: " + e);
            }
        }
    }

    /** CPU ms of the server processes, of the load generator (this JVM and its clients), machine jiffies. */
    private long[] cpu() {
        long serverCpu = 0;
        for (long pid : serverPids) {
            serverCpu += ProcStats.cpuMillis(pid);
        }
        long loadgen = ProcStats.cpuMillis(ProcessHandle.current().pid());
        for (Child child : children) {
            loadgen += ProcStats.cpuMillis(child.process.pid());
        }
        long[] machine = ProcStats.machineJiffies();
        return new long[] {serverCpu, loadgen, machine[0], machine[1]};
    }

    // ---------------------------------------------------------------- client processes

    private void startClients() throws IOException {
        int per = (streams + clients - 1) / clients;
        int connectRate = intOpt("connect-rate", 2000) / clients;
        for (int i = 0; i < clients; i++) {
            int first = i * per;
            int count = Math.min(per, streams - first);
            if (count <= 0) {
                break;
            }
            List<String> ips = new ArrayList<>();
            for (int k = i; k < localIps.length; k += clients) {
                ips.add(localIps[k]);
            }
            if (ips.isEmpty()) {
                ips.add(localIps[i % localIps.length]);
            }
            // with two nodes the first half of the clients read from node B (cross-node), the rest from A
            int node = nodes == 2 && i < (clients + 1) / 2 ? 1 : 0;
            List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx" + opts.getOrDefault("client-heap", "512m"),
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=4", "-cp", System.getProperty("java.class.path"),
                    LoadClient.class.getName(), "--mode", nchan ? "nchan" : "tracking", "--host", server.getHostString(),
                    "--port", Integer.toString(server.getPort() + node), "--base", base, "--run", run,
                    "--secret", secret, "--orders", Integer.toString(orders), "--first", Integer.toString(first),
                    "--count", Integer.toString(count), "--local-ips", String.join(",", ips),
                    "--connect-rate", Integer.toString(Math.max(1, connectRate)),
                    "--churn-ms", opts.getOrDefault("churn-ms", "0"),
                    "--max-seconds", Integer.toString(intOpt("max-seconds", 900))));
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Child child = new Child(i, process, node);
            children.add(child);
            child.readInBackground();
        }
    }

    private boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Child child : children) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !child.ready.await(left, TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    private Histogram stopClients() throws InterruptedException {
        Histogram merged = new Histogram(60_000_000L, 3);
        for (Child child : children) {
            child.command("STOP");
        }
        for (Child child : children) {
            if (child.done.await(60, TimeUnit.SECONDS) && child.histogram != null) {
                merged.add(child.histogram);
            } else {
                log.println("client " + child.index + " did not finish; its latencies are missing");
            }
        }
        return merged;
    }

    /** The percentiles the results report, in milliseconds, of a histogram in microseconds. */
    static Map<String, Object> latencyMillis(Histogram micros) {
        Map<String, Object> ms = new LinkedHashMap<>();
        ms.put("p50", round(micros.getValueAtPercentile(50) / 1000.0));
        ms.put("p99", round(micros.getValueAtPercentile(99) / 1000.0));
        ms.put("p99_9", round(micros.getValueAtPercentile(99.9) / 1000.0));
        ms.put("max", round(micros.getMaxValue() / 1000.0));
        return ms;
    }

    /** The histograms {@code which} picks from each child, merged; a missing one adds nothing. */
    static <T> Histogram merge(List<T> from, java.util.function.Function<T, Histogram> which) {
        Histogram merged = new Histogram(60_000_000L, 3);
        for (T t : from) {
            Histogram h = which.apply(t);
            if (h != null) {
                merged.add(h);
            }
        }
        return merged;
    }

    private Map<String, Long> counters(java.util.function.Predicate<Child> which) {
        Map<String, Long> totals = new LinkedHashMap<>();
        for (Child child : children) {
            if (which.test(child)) {
                child.last.forEach((k, v) -> totals.merge(k, v, Long::sum));
            }
        }
        return totals;
    }

    /** The server counters of {@code GET /metrics} the mix reports, summed over the nodes. */
    private Map<String, Long> serverMetrics() {
        Map<String, Long> sum = new LinkedHashMap<>();
        String operator = jwt.issue(Role.OPERATOR, "bench", Duration.ofSeconds(600));
        for (int i = 0; i < nodes; i++) {
            try {
                String metrics = get(new InetSocketAddress(server.getHostString(), server.getPort() + i),
                        base + "/metrics", operator);
                metricCounters(metrics).forEach((k, v) -> sum.merge(k, v, Long::sum));
            } catch (IOException e) {
                log.println("no metrics from node " + i + ": " + e);
            }
        }
        return sum;
    }

    /** Reads the counters the mix reports from a {@code GET /metrics} answer. */
    static Map<String, Long> metricCounters(String metrics) {
        Map<String, Long> counters = new LinkedHashMap<>();
        int events = metrics.indexOf("\"events\":{");
        String ev = events < 0 ? "" : metrics.substring(events, metrics.indexOf('}', events));
        int fixes = metrics.indexOf("\"fixes\":{");
        String fx = fixes < 0 ? "" : metrics.substring(fixes, metrics.indexOf('}', fixes));
        counters.put("events_status", jsonLong(ev, "status"));
        counters.put("events_location", jsonLong(ev, "location"));
        counters.put("events_dropped", jsonLong(ev, "dropped"));
        counters.put("slow_disconnects", jsonLong(ev, "slow_disconnects"));
        counters.put("fixes_applied", jsonLong(fx, "applied"));
        counters.put("fixes_rejected", jsonLong(fx, "rejected"));
        counters.put("fixes_published", jsonLong(fx, "published"));
        return counters;
    }

    private void shutdown() {
        for (Child child : children) {
            child.process.destroy();
        }
        // node B first: node A drops the tables they share
        for (int i = serverProcesses.size() - 1; i >= 0; i--) {
            Process process = serverProcesses.get(i);
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A client process and what it last reported. */
    private final class Child {
        final int index;
        final Process process;
        final int node;
        final CountDownLatch ready = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final PrintStream in;
        volatile long open;
        volatile long statusEvents;
        volatile Map<String, Long> last = new LinkedHashMap<>();
        volatile Histogram histogram;
        volatile Histogram locationHistogram;

        Child(int index, Process process, int node) {
            this.index = index;
            this.process = process;
            this.node = node;
            this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        void command(String command) {
            in.println(command);
            in.flush();
        }

        void readInBackground() {
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith("READY")) {
                            open = Long.parseLong(line.substring(6).trim());
                            ready.countDown();
                        } else if (line.startsWith("STAT ")) {
                            Map<String, Long> stat = new LinkedHashMap<>();
                            for (String pair : line.substring(5).split(" ")) {
                                int eq = pair.indexOf('=');
                                stat.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
                            }
                            last = stat;
                            open = stat.get("open");
                            statusEvents = stat.get("status_events");
                            if (opts.containsKey("verbose")) {
                                log.println("client " + index + ": " + line);
                            }
                        } else if (line.startsWith("HIST ")) {
                            histogram = Histogram.decodeFromCompressedByteBuffer(
                                    ByteBuffer.wrap(Base64.getDecoder().decode(line.substring(5))), 0);
                        } else if (line.startsWith("LHIST ")) {
                            locationHistogram = Histogram.decodeFromCompressedByteBuffer(
                                    ByteBuffer.wrap(Base64.getDecoder().decode(line.substring(6))), 0);
                        } else if (line.equals("DONE")) {
                            done.countDown();
                        } else {
                            log.println("client " + index + ": " + line);
                        }
                    }
                } catch (Exception e) {
                    log.println("client " + index + " output failed: " + e);
                }
                ready.countDown();
                done.countDown();
            }, "client-" + index);
            reader.setDaemon(true);
            reader.start();
        }
    }

    // ---------------------------------------------------------------- publishers

    /**
     * Posts status transitions at a fixed rate, round-robin over the orders, preparing ⇄ ready; in the
     * mix, pairs {@code ready} then {@code picked_up} on one order, one after the other on one
     * connection (so the pair never races), which leaves every order picked up between pairs.
     */
    private final class StatusPublisher {
        final int rate;
        final AtomicBoolean running;
        final LongAdder sent = new LongAdder();
        final LongAdder errors = new LongAdder();
        final AtomicLong next = new AtomicLong();
        final AtomicLong slot = new AtomicLong();
        final AtomicIntegerArray ready;
        final AtomicLongArray seq;

        StatusPublisher(int rate, AtomicBoolean running) {
            this.rate = rate;
            this.running = running;
            this.ready = new AtomicIntegerArray(orders);
            this.seq = new AtomicLongArray(orders);
            for (int k = 0; k < orders; k++) {
                seq.set(k, 3);
            }
        }

        List<Thread> start(int threads) {
            long interval = (mix ? 2_000_000_000L : 1_000_000_000L) / rate;
            slot.set(System.nanoTime());
            String operator = jwt.issue(Role.OPERATOR, "bench", Duration.ofSeconds(3600));
            List<Thread> started = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int index = t;
                Thread thread = new Thread(() -> {
                    try (Http1 http = new Http1(server, localIps[index % localIps.length])) {
                        while (running.get()) {
                            long at = slot.getAndAdd(interval);
                            long wait = at - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                            int k = (int) (next.getAndIncrement() % orders);
                            if (mix) {
                                post(http, operator, k, "ready");
                                post(http, operator, k, "picked_up");
                                continue;
                            }
                            boolean toReady = ready.get(k) == 0;
                            ready.set(k, toReady ? 1 : 0);
                            long micros = LoadClient.micros();
                            try {
                                Http1.Response response;
                                if (nchan) {
                                    long s = seq.incrementAndGet(k);
                                    response = http.send("POST", "/pub/o" + k, null, "{\"order_id\":\"o" + k
                                            + "\",\"seq\":" + s + ",\"status\":\"" + (toReady ? "ready" : "preparing")
                                            + "\",\"previous\":\"" + (toReady ? "preparing" : "ready")
                                            + "\",\"reason\":\"t=" + micros + "\",\"at\":\"" + Instant.now() + "\"}");
                                } else {
                                    response = http.send("POST", base + "/orders/" + orderId(k) + "/transitions",
                                            operator, "{\"status\":\"" + (toReady ? "ready" : "preparing")
                                                    + "\",\"reason\":\"t=" + micros + "\"}");
                                }
                                if (response.status() / 100 == 2) {
                                    sent.increment();
                                } else {
                                    errors.increment();
                                    if (errors.sum() < 3) {
                                        log.println("publish answered " + response);
                                    }
                                }
                            } catch (IOException e) {
                                errors.increment();
                            }
                        }
                    }
                }, "status-publisher-" + t);
                thread.start();
                started.add(thread);
            }
            return started;
        }

        private void post(Http1 http, String operator, int k, String status) {
            try {
                Http1.Response response = http.send("POST", base + "/orders/" + orderId(k) + "/transitions", operator,
                        "{\"status\":\"" + status + "\",\"reason\":\"t=" + LoadClient.micros() + "\"}");
                if (response.status() / 100 == 2) {
                    sent.increment();
                } else {
                    errors.increment();
                    if (errors.sum() < 3) {
                        log.println("publish answered " + response);
                    }
                }
            } catch (IOException e) {
                errors.increment();
            }
        }
    }

    /** Posts batches of fixes at a fixed rate of fixes/s, round-robin over drivers. */
    private final class FixPublisher {
        final int fixesPerSecond;
        final int batch;
        final int drivers;
        final AtomicBoolean running;
        final LongAdder applied = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder errors = new LongAdder();
        final AtomicLong next = new AtomicLong();
        final AtomicLong slot = new AtomicLong();
        final long[] lastRecorded;
        final String[] tokens;

        FixPublisher(int fixesPerSecond, int batch, int drivers, AtomicBoolean running) {
            this.fixesPerSecond = fixesPerSecond;
            this.batch = batch;
            this.drivers = drivers;
            this.running = running;
            this.lastRecorded = new long[drivers];
            this.tokens = new String[drivers];
        }

        List<Thread> start(int threads) {
            for (int d = 0; d < drivers; d++) {
                tokens[d] = jwt.issue(Role.DRIVER, "d-" + run + "-" + d, Duration.ofSeconds(3600));
            }
            long interval = 1_000_000_000L * batch / fixesPerSecond;
            slot.set(System.nanoTime());
            List<Thread> started = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int index = t;
                Thread thread = new Thread(() -> {
                    StringBuilder body = new StringBuilder(batch * 110);
                    try (Http1 http = new Http1(server, localIps[(index + 3) % localIps.length])) {
                        while (running.get()) {
                            long at = slot.getAndAdd(interval);
                            long wait = at - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                            int d = (int) (next.getAndIncrement() % drivers);
                            long now = System.currentTimeMillis();
                            body.setLength(0);
                            body.append("{\"fixes\":[");
                            synchronized (lastRecorded) {
                                long start = Math.max(lastRecorded[d] + 10, now - 10L * batch);
                                for (int j = 0; j < batch; j++) {
                                    long recorded = start + 10L * j;
                                    double lat = 33.80 + d * 0.0001 + (recorded % 600_000) * 1e-9;
                                    if (j > 0) {
                                        body.append(',');
                                    }
                                    body.append("{\"lat\":").append(lat).append(",\"lon\":35.50,\"accuracy\":8,\"recorded_at\":\"")
                                            .append(Instant.ofEpochMilli(recorded)).append("\"}");
                                }
                                lastRecorded[d] = start + 10L * (batch - 1);
                            }
                            body.append("]}");
                            try {
                                Http1.Response response = http.send("POST", base + "/drivers/d-" + run + "-" + d
                                        + "/locations", tokens[d], body.toString());
                                if (response.status() == 200) {
                                    applied.add(jsonLong(response.body(), "applied"));
                                    rejected.add(count(response.body(), "\"index\""));
                                } else {
                                    errors.increment();
                                    if (errors.sum() < 3) {
                                        log.println("batch answered " + response);
                                    }
                                }
                            } catch (IOException e) {
                                errors.increment();
                            }
                        }
                    }
                }, "fix-publisher-" + t);
                thread.start();
                started.add(thread);
            }
            return started;
        }
    }

    /** Sends single fixes over driver WebSockets at a fixed total rate; counts acks. */
    private final class WsFixes {
        final int perSecond;
        final int drivers;
        final AtomicBoolean running;
        final AtomicLong sent = new AtomicLong();
        final AtomicLong acks = new AtomicLong();
        final AtomicLong errors = new AtomicLong();

        WsFixes(int perSecond, int drivers, AtomicBoolean running) {
            this.perSecond = perSecond;
            this.drivers = drivers;
            this.running = running;
        }

        Thread start() {
            Thread thread = new Thread(() -> {
                HttpClient client = HttpClient.newHttpClient();
                List<WebSocket> sockets = new ArrayList<>();
                for (int d = 0; d < drivers; d++) {
                    String id = "w-" + run + "-" + d;
                    URI uri = URI.create("ws://" + server.getHostString() + ":" + server.getPort() + base + "/drivers/"
                            + id + "/socket?access_token=" + jwt.issue(Role.DRIVER, id, Duration.ofSeconds(3600)));
                    try {
                        sockets.add(client.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                                if (data.toString().contains("\"ack\"")) {
                                    acks.incrementAndGet();
                                } else if (data.toString().contains("\"error\"")) {
                                    errors.incrementAndGet();
                                }
                                ws.request(1);
                                return null;
                            }
                        }).get(10, TimeUnit.SECONDS));
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        if (errors.get() < 3) {
                            log.println("driver socket failed: " + e);
                        }
                    }
                }
                if (sockets.isEmpty()) {
                    return;
                }
                long interval = 1_000_000_000L / perSecond;
                long at = System.nanoTime();
                long[] last = new long[sockets.size()];
                int i = 0;
                while (running.get()) {
                    at += interval;
                    long wait = at - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    int d = i++ % sockets.size();
                    long recorded = Math.max(System.currentTimeMillis(), last[d] + 1);
                    last[d] = recorded;
                    String frame = "{\"type\":\"location\",\"fix\":{\"lat\":" + (33.85 + d * 0.0001 + (recorded % 600_000) * 1e-9)
                            + ",\"lon\":35.51,\"accuracy\":6,\"recorded_at\":\"" + Instant.ofEpochMilli(recorded) + "\"}}";
                    try {
                        sockets.get(d).sendText(frame, true).get(5, TimeUnit.SECONDS);
                        sent.incrementAndGet();
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
                for (WebSocket socket : sockets) {
                    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
                }
            }, "ws-fixes");
            thread.start();
            return thread;
        }
    }

    /**
     * The realistic mix's drivers: {@code drivers} of them, driver {@code d} delivering order {@code d}
     * (picked up during setup), each sending one fix every {@code intervalMillis}, the sends of all
     * drivers spread evenly over the interval. The first {@code wsShare} of them send over their driver
     * WebSocket (JDK client, one frame per fix, acks counted), the others {@code POST} a batch of that one
     * fix to the batch endpoint. Fixes follow {@link Trace} ({@code stepMeters} apart) and carry their
     * send instant, to the microsecond, as {@code recorded_at}: what the clients measure location
     * latency from.
     */
    private final class MixDrivers {
        final int drivers;
        final int wsDrivers;
        final long intervalMillis;
        final double stepMeters;
        final AtomicBoolean running;
        final long[] fixesOf;
        final AtomicLong wsSent = new AtomicLong();
        final AtomicLong wsAcks = new AtomicLong();
        final AtomicLong wsErrors = new AtomicLong();
        final LongAdder batchSent = new LongAdder();
        final LongAdder batchApplied = new LongAdder();
        final LongAdder batchRejected = new LongAdder();
        final LongAdder batchErrors = new LongAdder();

        MixDrivers(int drivers, long intervalMillis, double wsShare, double stepMeters, AtomicBoolean running) {
            if (drivers < 1 || intervalMillis < 1 || !(wsShare >= 0 && wsShare <= 1) || !(stepMeters >= 0)) {
                throw new IllegalArgumentException("--drivers and --fix-interval-ms must be positive, --ws-share in [0, 1],"
                        + " --step-m not negative");
            }
            this.drivers = drivers;
            this.wsDrivers = (int) Math.round(drivers * wsShare);
            this.intervalMillis = intervalMillis;
            this.stepMeters = stepMeters;
            this.running = running;
            this.fixesOf = new long[drivers];
        }

        long sent() {
            return wsSent.get() + batchSent.sum();
        }

        /** The next fix of driver {@code d} as JSON, recorded now; one thread per driver at a time. */
        private String nextFix(int d) {
            long j = fixesOf[d]++;
            return "{\"lat\":" + Trace.lat(d, j, stepMeters) + ",\"lon\":" + Trace.lon(d)
                    + ",\"accuracy\":8,\"recorded_at\":\"" + LoadClient.ofMicros(LoadClient.micros()) + "\"}";
        }

        /** Opens the sockets (before the warm-up starts), then starts the senders. */
        List<Thread> start(int batchThreads) throws InterruptedException {
            List<Thread> started = new ArrayList<>();
            if (wsDrivers > 0) {
                HttpClient client = HttpClient.newHttpClient();
                List<java.util.concurrent.CompletableFuture<WebSocket>> opening = new ArrayList<>();
                for (int d = 0; d < wsDrivers; d++) {
                    String id = mixDriverId(d);
                    URI uri = URI.create("ws://" + server.getHostString() + ":" + server.getPort() + base + "/drivers/"
                            + id + "/socket?access_token=" + jwt.issue(Role.DRIVER, id, Duration.ofSeconds(3600)));
                    opening.add(client.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                            String text = data.toString();
                            if (text.contains("\"ack\"")) {
                                wsAcks.incrementAndGet();
                            } else if (text.contains("\"error\"")) {
                                wsErrors.incrementAndGet();
                                if (wsErrors.get() < 3) {
                                    log.println("driver socket answered " + text);
                                }
                            }
                            ws.request(1);
                            return null;
                        }
                    }));
                }
                WebSocket[] sockets = new WebSocket[wsDrivers];
                for (int d = 0; d < wsDrivers; d++) {
                    try {
                        sockets[d] = opening.get(d).get(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        wsErrors.incrementAndGet();
                        if (wsErrors.get() < 3) {
                            log.println("driver socket failed: " + e);
                        }
                    }
                }
                log.printf("mix: %d driver sockets open%n", wsDrivers - wsErrors.get());
                Thread thread = new Thread(() -> {
                    long slot = intervalMillis * 1_000_000L / wsDrivers;
                    long at = System.nanoTime();
                    for (long n = 0; running.get(); n++) {
                        at += slot;
                        long wait = at - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        int d = (int) (n % wsDrivers);
                        if (sockets[d] == null) {
                            continue;
                        }
                        try {
                            sockets[d].sendText("{\"type\":\"location\",\"fix\":" + nextFix(d) + "}", true)
                                    .get(5, TimeUnit.SECONDS);
                            wsSent.incrementAndGet();
                        } catch (Exception e) {
                            wsErrors.incrementAndGet();
                        }
                    }
                    for (WebSocket socket : sockets) {
                        if (socket != null) {
                            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
                        }
                    }
                }, "mix-ws-drivers");
                thread.start();
                started.add(thread);
            }
            int batchDrivers = drivers - wsDrivers;
            if (batchDrivers > 0) {
                String[] tokens = new String[batchDrivers];
                for (int i = 0; i < batchDrivers; i++) {
                    tokens[i] = jwt.issue(Role.DRIVER, mixDriverId(wsDrivers + i), Duration.ofSeconds(3600));
                }
                long slot = intervalMillis * 1_000_000L / batchDrivers;
                AtomicLong next = new AtomicLong();
                long start = System.nanoTime();
                for (int t = 0; t < Math.max(1, batchThreads); t++) {
                    int index = t;
                    Thread thread = new Thread(() -> {
                        try (Http1 http = new Http1(server, localIps[(index + 5) % localIps.length])) {
                            while (running.get()) {
                                long n = next.getAndIncrement();
                                long wait = start + n * slot - System.nanoTime();
                                if (wait > 0) {
                                    LockSupport.parkNanos(wait);
                                }
                                int i = (int) (n % batchDrivers);
                                int d = wsDrivers + i;
                                String body;
                                synchronized (fixesOf) { // two threads may hold slots of one driver
                                    body = "{\"fixes\":[" + nextFix(d) + "]}";
                                }
                                try {
                                    Http1.Response response = http.send("POST", base + "/drivers/" + mixDriverId(d)
                                            + "/locations", tokens[i], body);
                                    batchSent.increment();
                                    if (response.status() == 200) {
                                        batchApplied.add(jsonLong(response.body(), "applied"));
                                        batchRejected.add(count(response.body(), "\"index\""));
                                    } else {
                                        batchErrors.increment();
                                        if (batchErrors.sum() < 3) {
                                            log.println("mix batch answered " + response);
                                        }
                                    }
                                } catch (IOException e) {
                                    batchErrors.increment();
                                }
                            }
                        }
                    }, "mix-batch-drivers-" + t);
                    thread.start();
                    started.add(thread);
                }
            }
            return started;
        }
    }

    // ---------------------------------------------------------------- little helpers

    static long jsonLong(String json, String field) {
        int at = json.indexOf("\"" + field + "\":");
        if (at < 0) {
            return 0;
        }
        int i = at + field.length() + 3;
        while (i < json.length() && json.charAt(i) == ' ') {
            i++;
        }
        long v = 0;
        for (; i < json.length() && Character.isDigit(json.charAt(i)); i++) {
            v = v * 10 + (json.charAt(i) - '0');
        }
        return v;
    }

    private static long count(String s, String what) {
        long n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    @SuppressWarnings("unchecked")
    static String toJson(Object value, String indent) {
        if (value instanceof Map<?, ?> map) {
            StringBuilder sb = new StringBuilder("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                sb.append(indent).append("  \"").append(e.getKey()).append("\": ")
                        .append(toJson(e.getValue(), indent + "  "));
                sb.append(++i < map.size() ? ",\n" : "\n");
            }
            return sb.append(indent).append('}').toString();
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        String s = String.valueOf(value);
        if (s.startsWith("{") && s.endsWith("}")) {
            return s;
        }
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
