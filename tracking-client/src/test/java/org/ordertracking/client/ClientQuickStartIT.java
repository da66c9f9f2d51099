package org.ordertracking.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ordertracking.core.OrderTracker;

/**
 * The README's driver quick start, compiled and run against the real servlet on Jetty.
 * {@link #readme_driverQuickStart_isThisTestsSample()} keeps the README's copy identical.
 */
class ClientQuickStartIT {
    @TempDir
    Path dataDir;

    /** Stands in for the app's login service. */
    static final class Auth {
        String driverToken(boolean refresh) {
            return TestServer.driverToken("d-17");
        }
    }

    @Test
    void driverQuickStart_recordsAndDelivers() throws Exception {
        try (OrderTracker tracker = OrderTracker.builder().build(); TestServer server = new TestServer(tracker, 500)) {
            URI baseUri = server.base();
            Auth auth = new Auth();
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

            // tag::driver-quick-start[]
            try (DriverClient client = DriverClient.builder(baseUri, "d-17")       // where tracking-servlet is mounted
                    .journalDirectory(dataDir.resolve("tracking-journal"))     // survives restarts and power cuts
                    .tokens(refresh -> auth.driverToken(refresh))              // a fresh JWT when asked
                    .instructionListener(i -> System.out.println(i.type() + " " + i.orderId()))
                    .listener(new DriverClientListener() {
                        @Override
                        public void onRejected(Fix fix, String reason, String message) {
                            System.out.println("dropped " + fix.recordedAt() + ": " + reason);
                        }
                    })
                    .build()) {

                client.record(new Fix(33.8938, 35.5018, 8.0, 90.0, 6.5, now));   // never blocks on the network

                ClientState state = client.state();   // e.g. OFFLINE, 42 positions waiting
                System.out.println(state.connectivity() + ", " + state.backlog() + " positions waiting");
            }   // close() delivers what it can within 3 s; the rest waits in the journal
            // end::driver-quick-start[]

            // at least once: a socket frame still unanswered when close() ran is sent again as a batch
            assertTrue(server.processedCount(now) >= 1, "close() delivered the fix");
            assertTrue(server.store.get("d-17").isPresent());
        }
    }

    @Test
    void readme_driverQuickStart_isThisTestsSample() throws IOException {
        String code = Files.readString(Path.of("src/test/java/org/ordertracking/client/ClientQuickStartIT.java"));
        String sample = between(code, "// tag::driver-quick-start[]\n", "            // end::driver-quick-start[]");
        String readme = Files.readString(Path.of("../README.md"));
        String block = between(readme, "<!-- driver-quick-start: tracking-client/src/test/java/org/ordertracking/"
                + "client/ClientQuickStartIT.java -->\n```java\n", "```");
        assertEquals(unindent(sample, 12), block, "README.md's driver quick start differs from ClientQuickStartIT");
    }

    private static String between(String text, String start, String end) {
        int from = text.indexOf(start);
        if (from < 0) {
            throw new AssertionError("marker not found: " + start);
        }
        from += start.length();
        return text.substring(from, text.indexOf(end, from));
    }

    private static String unindent(String text, int columns) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            out.append(line.length() >= columns ? line.substring(columns) : line.strip()).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }
}
