package org.ordertracking.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ordertracking.client.internal.ChannelFactory;
import org.ordertracking.client.internal.Journal;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;

/** The client against the real servlet on Jetty: restarts, lost answers, SIGKILL, a lossy link, instructions. */
@Timeout(180)
class DriverClientIT {
    static final String DRIVER = "d-1";
    static final String ORDER = "o-1";

    @TempDir
    Path dir;

    OrderTracker tracker;
    TestServer server;
    final List<LocationFix> published = new CopyOnWriteArrayList<>();
    Subscription customerView;
    final List<DriverClient> clients = new ArrayList<>();

    /** Fix i of a drive: one every 5 s from {@code first}, 40 m apart (29 km/h) heading north from Beirut. */
    static Fix trackFix(Instant first, int i) {
        return new Fix(33.8938 + i * 0.00036, 35.5018, 8.0, 0.0, 8.0, first.plusSeconds(5L * i));
    }

    /** Fix i of a fast GPS: one a second from {@code first}, 10 m apart. */
    static Fix secondFix(Instant first, int i) {
        return new Fix(33.8938 + i * 0.00009, 35.5018, 8.0, 0.0, 10.0, first.plusSeconds(i));
    }

    @BeforeEach
    void start() throws Exception {
        tracker = OrderTracker.builder().build();
        server = new TestServer(tracker, 500);
        tracker.register(new NewOrder(ORDER, "r-1", "c-1", new GeoPoint(33.95, 35.51)));
        tracker.assignDriver(ORDER, DRIVER);
        tracker.transition(ORDER, OrderStatus.ACCEPTED);
        tracker.transition(ORDER, OrderStatus.PREPARING);
        tracker.transition(ORDER, OrderStatus.READY);
        tracker.transition(ORDER, OrderStatus.PICKED_UP);
        // what every customer stream of the order forwards: the location updates on the order's topic
        customerView = tracker.eventBus().subscribe(Topic.order(ORDER), envelope -> {
            if (envelope.message() instanceof TrackingMessage.LocationUpdate update) {
                published.add(update.fix());
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(DriverClient::close);
        customerView.close();
        server.close();
        tracker.close();
    }

    DriverClient.Builder client(java.net.URI base) {
        return DriverClient.builder(base, DRIVER).journalDirectory(dir)
                .tokens(TokenSupplier.of(TestServer.driverToken(DRIVER)))
                .flushInterval(Duration.ofMillis(100)).backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .random(new SplittableRandom(12));
    }

    DriverClient started(DriverClient.Builder b) {
        DriverClient c = b.build();
        clients.add(c);
        return c;
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    @Test
    void serverStoppedForAWhile_backlogIsFlushedInOrderAsOneBatch_andTheCustomerSeesOneJump() throws Exception {
        DriverClient client = started(client(server.base()).live(false));
        Instant first = now().minus(Duration.ofMinutes(4));
        client.record(trackFix(first, 0));
        await().atMost(20, TimeUnit.SECONDS).until(() -> client.state().backlog() == 0 && published.size() == 1);

        server.stop();
        Instant dead = now().minus(Duration.ofMinutes(3)); // a 3-minute dead zone, one fix every 5 s
        List<Fix> backlog = new ArrayList<>();
        for (int i = 0; i < 36; i++) {
            Fix f = trackFix(dead, i + 1);
            backlog.add(f);
            client.record(f);
        }
        await().atMost(20, TimeUnit.SECONDS).until(() -> client.state().connectivity() == Connectivity.OFFLINE);
        assertEquals(36, client.state().backlog());
        int requestsBefore = server.batchRequests.get();

        server.start();
        await().atMost(30, TimeUnit.SECONDS).until(() -> client.state().backlog() == 0);

        assertEquals(requestsBefore + 1, server.batchRequests.get(), "the 3-minute backlog went in one request");
        assertEquals(36, server.batchSizes.get(server.batchSizes.size() - 1));
        for (Fix f : backlog) {
            assertEquals(1, server.processedCount(f.recordedAt()), "sent once: " + f.recordedAt());
        }
        Fix newest = backlog.get(35);
        assertEquals(newest.recordedAt(), server.store.get(DRIVER)
                .orElseThrow().recordedAt(), "the store ends with the newest fix");
        await().atMost(10, TimeUnit.SECONDS).until(() -> published.size() == 2);
        assertEquals(newest.recordedAt(), published.get(1).recordedAt(), "the customer sees one jump to the newest");
        assertEquals(newest.recordedAt(), client.state().lastAcknowledged());
        assertEquals(Connectivity.ONLINE, client.state().connectivity());
    }

    @Test
    void lostAnswer_theBatchIsSentAgain_andTheServersDedupeMakesItHarmless() throws Exception {
        Instant first = now().minus(Duration.ofMinutes(2));
        try (Journal j = Journal.open(dir, SyncPolicy.DEFAULT, ChannelFactory.DEFAULT, 1 << 20, 100)) {
            for (int i = 0; i < 5; i++) {
                j.append(trackFix(first, i)); // recorded by an earlier run of the app
            }
        }
        try (LossyProxy proxy = new LossyProxy(server.port(), 1)) {
            proxy.cutResponses = 1;
            DriverClient client = started(client(java.net.URI.create("http://127.0.0.1:" + proxy.port() + "/tracking"))
                    .live(false));
            await().atMost(30, TimeUnit.SECONDS).until(() -> client.state().backlog() == 0);
            assertEquals(1, proxy.cuts.get(), "one answer was lost");
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(2, server.processedCount(trackFix(first, i).recordedAt()),
                    "the server processed the batch, the answer was lost, the client sent it again");
        }
        assertEquals(2, server.batchRequests.get());
        await().atMost(10, TimeUnit.SECONDS).until(() -> !published.isEmpty());
        assertEquals(1, published.size(), "the repeat published nothing");
        assertEquals(trackFix(first, 4).recordedAt(), published.get(0).recordedAt());
        assertEquals(trackFix(first, 4).recordedAt(),
                server.store.get(DRIVER).orElseThrow().recordedAt());
    }

    @Test
    void sigkillMidBacklog_restartOnTheSameDirectory_deliversEveryRecordedFix() throws Exception {
        Instant first = now().minus(Duration.ofMinutes(25));
        int count = 1_400; // one a second: 23 minutes of driving, all within the server's 30 min
        // a slow link, so the backlog is still waiting when the process dies
        LossyProxy proxy = new LossyProxy(server.port(), 3);
        proxy.delayMillis = 30;
        proxy.bytesPerSecond = 8_000;
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(javaBin, "-Dorg.slf4j.simpleLogger.log.org.ordertracking.client=debug", "-cp", System.getProperty("java.class.path"),
                KilledDriver.class.getName(), "http://127.0.0.1:" + proxy.port() + "/tracking", DRIVER,
                dir.toString(), TestServer.driverToken(DRIVER), Long.toString(first.toEpochMilli()),
                Integer.toString(count))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int lastRecorded = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("recorded ")) {
                    lastRecorded = Integer.parseInt(line.substring(9));
                    // kill once part of the backlog got through and more is waiting
                    if (server.processed.size() >= 20 && lastRecorded >= server.processed.size() + 30) {
                        break;
                    }
                }
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no last sync
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        assertTrue(lastRecorded < count - 1, "the driver was still recording when it was killed");
        proxy.close();
        int beforeRestart = server.processed.size();
        assertTrue(beforeRestart > 0 && beforeRestart < lastRecorded + 1, "the kill landed mid-backlog: "
                + beforeRestart + " delivered of " + (lastRecorded + 1));

        int killedAfter = lastRecorded;
        DriverClient client = started(client(server.base()).live(false));
        await().atMost(60, TimeUnit.SECONDS).until(() -> client.state().backlog() == 0
                && server.processedCount(secondFix(first, killedAfter).recordedAt()) > 0);

        int delivered = 0;
        int repeats = 0;
        for (int i = 0; i < count; i++) {
            int n = server.processedCount(secondFix(first, i).recordedAt());
            if (i <= lastRecorded) {
                assertTrue(n >= 1, "fix " + i + " was recorded before the kill and must arrive");
            }
            if (n > 0) {
                assertEquals(i, delivered, "what arrived is a prefix of what was recorded, without a hole");
                delivered++;
                repeats += n - 1;
            }
        }
        assertTrue(repeats <= 50, "only the batch in flight at the kill may be sent again, but " + repeats + " were");
        // the server stores each fix's effect once: the newest position is the last recorded one
        assertEquals(secondFix(first, delivered - 1).recordedAt(),
                server.store.get(DRIVER).orElseThrow().recordedAt());
        System.out.printf("SIGKILL after fix %d: %d delivered before the kill, %d after the restart, %d sent twice%n",
                lastRecorded, beforeRestart, delivered - beforeRestart, repeats);
    }

    @Test
    void liveSocket_carriesFixes_andEveryInstructionArrives() throws Exception {
        LinkedBlockingQueue<Instruction> instructions = new LinkedBlockingQueue<>();
        DriverClient client = started(client(server.base()).instructionListener(instructions::add));
        await().atMost(20, TimeUnit.SECONDS).until(() -> client.state().connectivity() == Connectivity.LIVE);
        // the server sends the current assignments when the socket opens: ORDER was assigned before
        assertEquals(new Instruction(Instruction.Type.ASSIGNMENT, ORDER), instructions.poll(20, TimeUnit.SECONDS));

        Instant first = now().minusSeconds(60);
        for (int i = 0; i < 5; i++) {
            client.record(trackFix(first, i));
        }
        await().atMost(20, TimeUnit.SECONDS).until(() -> client.state().backlog() == 0);
        assertEquals(0, server.batchRequests.get(), "no batch request while the socket is up");
        assertTrue(server.socketFrames.get() >= 1);
        for (int i = 0; i < 5; i++) {
            assertEquals(1, server.processedCount(trackFix(first, i).recordedAt()));
        }
        assertEquals(trackFix(first, 4).recordedAt(), client.state().lastAcknowledged());

        tracker.register(new NewOrder("o-2", "r-1", "c-2", new GeoPoint(33.90, 35.50)));
        tracker.assignDriver("o-2", DRIVER);
        Instruction got = instructions.poll(20, TimeUnit.SECONDS);
        assertEquals(new Instruction(Instruction.Type.ASSIGNMENT, "o-2"), got);

        tracker.unassignDriver("o-2");
        assertEquals(new Instruction(Instruction.Type.UNASSIGNED, "o-2"), instructions.poll(20, TimeUnit.SECONDS));
        tracker.transition(ORDER, OrderStatus.FAILED, "customer_unreachable", "operator:ops");
        assertEquals(new Instruction(Instruction.Type.CANCELLED, ORDER), instructions.poll(20, TimeUnit.SECONDS));
    }

    @Test
    void socketCut_theClientReconnects_andTheFixArrivesOnce() throws Exception {
        try (LossyProxy proxy = new LossyProxy(server.port(), 5)) {
            DriverClient client = started(client(java.net.URI.create("http://127.0.0.1:" + proxy.port() + "/tracking")));
            await().atMost(20, TimeUnit.SECONDS).until(() -> client.state().connectivity() == Connectivity.LIVE);
            int connections = proxy.connections.get();
            proxy.cutAll();
            Instant first = now().minusSeconds(30);
            client.record(trackFix(first, 0));
            // over a batch or a new socket, whichever the jittered retry reaches first
            await().atMost(20, TimeUnit.SECONDS).until(() -> client.state().backlog() == 0
                    && client.state().connectivity() == Connectivity.LIVE && proxy.connections.get() > connections);
            assertEquals(1, server.processedCount(trackFix(first, 0).recordedAt()));
        }
    }

    @Test
    void slowLossyLink_theClientConvergesWithNothingLost() throws Exception {
        try (LossyProxy proxy = new LossyProxy(server.port(), 99)) {
            proxy.delayMillis = 5;
            proxy.bytesPerSecond = 64_000;
            proxy.cutAfterMaxBytes = 3_000;
            AtomicInteger rejected = new AtomicInteger();
            DriverClient client = started(client(java.net.URI.create("http://127.0.0.1:" + proxy.port() + "/tracking"))
                    .maxBatchSize(10).requestTimeout(Duration.ofSeconds(3)).ackTimeout(Duration.ofSeconds(3))
                    .listener(new DriverClientListener() {
                        @Override
                        public void onRejected(Fix fix, String reason, String message) {
                            rejected.incrementAndGet();
                        }
                    }));
            Instant first = now().minus(Duration.ofMinutes(20));
            int count = 200;
            for (int i = 0; i < count; i++) {
                client.record(trackFix(first, i));
                if (i % 20 == 0) {
                    Thread.sleep(50); // the app records over time while the link misbehaves
                }
            }
            await().atMost(120, TimeUnit.SECONDS).until(() -> client.state().backlog() == 0);
            for (int i = 0; i < count; i++) {
                assertTrue(server.processedCount(trackFix(first, i).recordedAt()) >= 1, "fix " + i + " arrived");
            }
            assertEquals(0, rejected.get());
            assertTrue(proxy.cuts.get() > 0, "the link did cut connections");
            assertTrue(server.batchRequests.get() > 0 && server.socketFrames.get() > 0,
                    "fixes went over the socket and, while it was down, as batches");
            assertEquals(trackFix(first, count - 1).recordedAt(),
                    server.store.get(DRIVER).orElseThrow().recordedAt());
            System.out.printf("lossy link: %d connections, %d cut, %d batch requests, %d socket frames%n",
                    proxy.connections.get(), proxy.cuts.get(), server.batchRequests.get(), server.socketFrames.get());
        }
    }

    @Test
    void expiredToken_isRefreshedOnce_andARefusedFreshTokenIsReported() throws Exception {
        List<Boolean> asked = new CopyOnWriteArrayList<>();
        AtomicInteger authFailures = new AtomicInteger();
        String good = TestServer.driverToken(DRIVER);
        DriverClient client = started(client(server.base()).live(false).tokens(refresh -> {
            asked.add(refresh);
            return refresh ? good : "expired.token.value";
        }).listener(new DriverClientListener() {
            @Override
            public void onAuthenticationFailed(String detail) {
                authFailures.incrementAndGet();
            }
        }));
        Instant first = now().minusSeconds(60);
        client.record(trackFix(first, 0));
        await().atMost(20, TimeUnit.SECONDS).until(() -> client.state().backlog() == 0);
        assertEquals(List.of(false, true), asked, "one refresh after the 401");
        assertEquals(0, authFailures.get());

        DriverClient refused = started(DriverClient.builder(server.base(), "d-2").journalDirectory(dir.resolve("d-2"))
                .live(false).flushInterval(Duration.ofMillis(100)).backoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .tokens(refresh -> "never.valid.token").listener(new DriverClientListener() {
                    @Override
                    public void onAuthenticationFailed(String detail) {
                        authFailures.incrementAndGet();
                    }
                }));
        refused.record(trackFix(first, 0));
        await().atMost(20, TimeUnit.SECONDS).until(() -> authFailures.get() >= 1);
        assertEquals(1, refused.state().backlog(), "the fix is kept for when a valid token comes");
        assertEquals(Connectivity.OFFLINE, refused.state().connectivity());
    }

    @Test
    void rejectedFix_isDroppedAndReported_andDoesNotHoldUpItsNeighbours() throws Exception {
        List<String> reasons = new CopyOnWriteArrayList<>();
        DriverClient client = started(client(server.base()).live(false).listener(new DriverClientListener() {
            @Override
            public void onRejected(Fix fix, String reason, String message) {
                reasons.add(reason + "@" + fix.recordedAt());
            }
        }).maxFixAge(Duration.ofHours(2)));
        Instant first = now().minusSeconds(60);
        Instant ancient = now().minus(Duration.ofMinutes(45)); // older than the server's 30 min
        client.record(trackFix(first, 0));
        client.record(new Fix(33.9, 35.5, null, null, null, ancient));
        client.record(trackFix(first, 1));
        await().atMost(20, TimeUnit.SECONDS).until(() -> client.state().backlog() == 0);
        assertEquals(List.of("too_old@" + ancient), reasons);
        assertEquals(1, server.processedCount(trackFix(first, 1).recordedAt()));
    }

    @Test
    void rejectedFixOverTheSocket_isDroppedAndReported_andItsNeighboursAreAcknowledged() throws Exception {
        List<String> reasons = new CopyOnWriteArrayList<>();
        DriverClient client = started(client(server.base()).listener(new DriverClientListener() {
            @Override
            public void onRejected(Fix fix, String reason, String message) {
                reasons.add(reason + "@" + fix.recordedAt());
            }
        }).maxFixAge(Duration.ofHours(2)));
        await().atMost(20, TimeUnit.SECONDS).until(() -> client.state().connectivity() == Connectivity.LIVE);
        Instant ancient = now().minus(Duration.ofMinutes(45)); // older than the server's 30 min
        client.record(new Fix(33.9, 35.5, null, null, null, ancient)); // alone in a location frame
        await().atMost(20, TimeUnit.SECONDS).until(() -> client.state().backlog() == 0);
        assertEquals(List.of("too_old@" + ancient), reasons);

        // four fixes waiting when the next client starts: they go as one batch frame, and the rejection
        // is matched by the index the server names ("fix 1: …")
        client.close();
        Instant first = now().minusSeconds(60);
        Instant ancient2 = ancient.plusSeconds(1);
        try (Journal j = Journal.open(dir, SyncPolicy.DEFAULT, ChannelFactory.DEFAULT, 1 << 20, 100)) {
            j.append(trackFix(first, 0));
            j.append(new Fix(33.9, 35.5, null, null, null, ancient2));
            j.append(trackFix(first, 1));
            j.append(trackFix(first, 2));
        }
        int framesBefore = server.socketFrames.get();
        DriverClient next = started(client(server.base()).listener(new DriverClientListener() {
            @Override
            public void onRejected(Fix fix, String reason, String message) {
                reasons.add(reason + "@" + fix.recordedAt());
            }
        }).maxFixAge(Duration.ofHours(2)));
        await().atMost(20, TimeUnit.SECONDS).until(() -> next.state().backlog() == 0);
        assertEquals(framesBefore + 1, server.socketFrames.get(), "one batch frame");
        assertEquals(List.of("too_old@" + ancient, "too_old@" + ancient2), reasons);
        for (int i = 0; i < 3; i++) {
            assertEquals(1, server.processedCount(trackFix(first, i).recordedAt()), "fix " + i + " sent once");
        }
        assertEquals(0, server.batchRequests.get(), "all over the socket");
        assertEquals(trackFix(first, 2).recordedAt(), next.state().lastAcknowledged());
    }
}
