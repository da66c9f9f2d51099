package org.ordertracking.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ordertracking.client.internal.ChannelFactory;
import org.ordertracking.client.internal.Journal;

/** The client without a server: validation, offline recording, close, a full disk. */
class DriverClientTest {
    @TempDir
    Path dir;

    /** A port nothing listens on. */
    static URI deadServer() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort() + "/tracking");
        }
    }

    DriverClient.Builder builder() throws IOException {
        return DriverClient.builder(deadServer(), "d-1").journalDirectory(dir).tokens(TokenSupplier.of("t"))
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50)).flushInterval(Duration.ofMillis(20));
    }

    static final Instant START = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    static Fix fix(int i) {
        return Fix.of(33.89 + i * 1e-4, 35.5, START.minusSeconds(60 - i));
    }

    @Test
    void builder_rejectsBadValues_showingTheValue() {
        URI base = URI.create("http://localhost/tracking");
        assertEquals("driverId must be 1 to 128 characters of [A-Za-z0-9_.-], but was 'd 1'",
                assertThrows(IllegalArgumentException.class, () -> DriverClient.builder(base, "d 1")).getMessage());
        assertEquals("baseUri must be an absolute http or https URI, but was ftp://x/y",
                assertThrows(IllegalArgumentException.class,
                        () -> DriverClient.builder(URI.create("ftp://x/y"), "d")).getMessage());
        DriverClient.Builder b = DriverClient.builder(base, "d");
        assertEquals("flushInterval must be positive, but was PT-1S",
                assertThrows(IllegalArgumentException.class, () -> b.flushInterval(Duration.ofSeconds(-1))).getMessage());
        assertEquals("maxBatchSize must be in [1, 10000], but was 0",
                assertThrows(IllegalArgumentException.class, () -> b.maxBatchSize(0)).getMessage());
        assertEquals("backoff cap must be at least the base PT2S, but was PT1S",
                assertThrows(IllegalArgumentException.class,
                        () -> b.backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).getMessage());
        assertEquals("interval must be positive and at most PT1M, but was PT0S",
                assertThrows(IllegalArgumentException.class, () -> SyncPolicy.groupCommit(Duration.ZERO)).getMessage());
        assertEquals("journalDirectory is required",
                assertThrows(IllegalStateException.class, () -> b.tokens(TokenSupplier.of("t")).build()).getMessage());
    }

    @Test
    void fix_rejectsWhatTheServerWouldRefuseForItsShape() {
        Instant t = Instant.now();
        assertThrows(IllegalArgumentException.class, () -> Fix.of(0, 0, t));
        assertThrows(IllegalArgumentException.class, () -> Fix.of(91, 35, t));
        assertThrows(IllegalArgumentException.class, () -> Fix.of(Double.NaN, 35, t));
        assertThrows(IllegalArgumentException.class, () -> new Fix(33, 35, -1.0, null, null, t));
        assertThrows(IllegalArgumentException.class, () -> new Fix(33, 35, null, 360.0, null, t));
        assertThrows(IllegalArgumentException.class, () -> new Fix(33, 35, null, null, 151.0, t));
        assertThrows(NullPointerException.class, () -> Fix.of(33, 35, null));
    }

    @Test
    void record_whileTheServerIsUnreachable_neverThrows_andTheStateSaysOfflineWithTheBacklog() throws Exception {
        try (DriverClient client = builder().build()) {
            for (int i = 0; i < 42; i++) {
                client.record(fix(i));
            }
            await().atMost(10, TimeUnit.SECONDS).until(() -> client.state().connectivity() == Connectivity.OFFLINE);
            ClientState state = client.state();
            assertEquals(42, state.backlog());
            assertEquals(null, state.lastAcknowledged());
            assertTrue(!state.online());
        }
    }

    @Test
    void close_twice_closesOnce_andKeepsTheJournalForTheNextStart() throws Exception {
        List<ClientState> states = new CopyOnWriteArrayList<>();
        DriverClient client = builder().listener(new DriverClientListener() {
            @Override
            public void onStateChanged(ClientState state) {
                states.add(state);
            }
        }).build();
        client.record(fix(0));
        client.record(fix(1));
        client.close();
        client.close();
        assertEquals(1, states.stream().filter(s -> s.connectivity() == Connectivity.CLOSED).count(),
                "one CLOSED notification: " + states);
        assertSame(Connectivity.CLOSED, client.state().connectivity());
        assertThrows(IllegalStateException.class, () -> client.record(fix(2)));
        try (Journal j = Journal.open(dir, SyncPolicy.DEFAULT, ChannelFactory.DEFAULT, 1 << 20, 100)) {
            assertEquals(List.of(fix(0).recordedAt(), fix(1).recordedAt()),
                    j.peek(10).stream().map(e -> e.fix().recordedAt()).toList());
        }
        List<String> threads = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("ordertracking-client-d-1")).toList();
        assertEquals(List.of(), threads, "close stopped the client's threads");
    }

    @Test
    void fullDisk_recordThrowsAndTheListenerHears_andEveryFixRecordedBeforeSurvives() throws Exception {
        List<JournalException> heard = new CopyOnWriteArrayList<>();
        int recorded = 0;
        try (DriverClient client = builder().segmentBytes(4096)
                .channels(new org.ordertracking.client.internal.FullDisk(4096 + 400))
                .listener(new DriverClientListener() {
                    @Override
                    public void onJournalError(JournalException error) {
                        heard.add(error);
                    }
                }).build()) {
            JournalException thrown = null;
            for (int i = 0; i < 50 && thrown == null; i++) {
                try {
                    client.record(fix(i));
                    recorded++;
                } catch (JournalException e) {
                    thrown = e;
                }
            }
            assertTrue(thrown != null && thrown.getMessage().contains("No space left on device"), String.valueOf(thrown));
            await().atMost(10, TimeUnit.SECONDS).until(() -> heard.size() == 1);
            assertEquals(recorded, client.state().backlog());
        }
        try (Journal j = Journal.open(dir, SyncPolicy.DEFAULT, ChannelFactory.DEFAULT, 1 << 20, 100)) {
            assertEquals(recorded, j.backlog(), "every fix whose record returned is still there");
            assertTrue(recorded > 3);
        }
    }

    @Test
    void threadFactory_suppliesTheClientsThreads() throws Exception {
        List<String> made = new CopyOnWriteArrayList<>();
        try (DriverClient client = builder().threadFactory(r -> {
            Thread t = new Thread(r, "app-pool-" + made.size());
            t.setDaemon(true);
            made.add(t.getName());
            return t;
        }).build()) {
            client.record(fix(0));
            await().atMost(10, TimeUnit.SECONDS).until(() -> made.size() == 2);
        }
        assertEquals(List.of("app-pool-0", "app-pool-1"), made, "sender and group-commit sync");
    }

    @Test
    void backlogCap_dropsTheOldest_andTellsTheApp() throws Exception {
        List<String> compactions = new CopyOnWriteArrayList<>();
        try (DriverClient client = builder().maxBacklog(10).listener(new DriverClientListener() {
            @Override
            public void onCompacted(long dropped, CompactionReason reason) {
                compactions.add(dropped + " " + reason);
            }
        }).build()) {
            for (int i = 0; i < 25; i++) {
                client.record(fix(i));
            }
            assertEquals(10, client.state().backlog());
            await().atMost(10, TimeUnit.SECONDS).until(() -> compactions.stream()
                    .mapToLong(c -> Long.parseLong(c.split(" ")[0])).sum() == 15);
            assertTrue(compactions.stream().allMatch(c -> c.endsWith("BACKLOG_FULL")), compactions::toString);
        }
    }

    @Test
    void fixesOlderThanMaxFixAge_areCompactedUnsent_andTheAppIsTold() throws Exception {
        List<String> compactions = new CopyOnWriteArrayList<>();
        Instant now = Instant.now();
        try (DriverClient client = builder().maxFixAge(Duration.ofMinutes(30)).listener(new DriverClientListener() {
            @Override
            public void onCompacted(long dropped, CompactionReason reason) {
                compactions.add(dropped + " " + reason);
            }
        }).build()) {
            client.record(Fix.of(33.9, 35.5, now.minus(Duration.ofMinutes(40))));
            client.record(Fix.of(33.9, 35.5, now.minus(Duration.ofMinutes(31))));
            client.record(Fix.of(33.9, 35.5, now.minus(Duration.ofMinutes(1))));
            await().atMost(10, TimeUnit.SECONDS).until(() -> client.state().backlog() == 1);
            assertEquals(2, compactions.stream().mapToLong(c -> Long.parseLong(c.split(" ")[0])).sum());
            assertTrue(compactions.stream().allMatch(c -> c.endsWith("TOO_OLD")), compactions::toString);
        }
    }
}
