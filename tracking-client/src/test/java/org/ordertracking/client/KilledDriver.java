package org.ordertracking.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The driver app of {@code DriverClientIT.sigkillMidBacklog…}, run in its own JVM: records fixes as
 * fast as it can and prints {@code recorded <i>} after each {@code record} returned, until it is killed.
 * Arguments: base URI, driver id, journal directory, token, first recorded_at (epoch ms), count.
 */
public final class KilledDriver {
    private KilledDriver() {
    }

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        String driver = args[1];
        Path dir = Path.of(args[2]);
        String token = args[3];
        Instant first = Instant.ofEpochMilli(Long.parseLong(args[4]));
        int count = Integer.parseInt(args[5]);
        DriverClient client = DriverClient.builder(base, driver).journalDirectory(dir).tokens(TokenSupplier.of(token))
                .live(false).maxBatchSize(50).flushInterval(Duration.ofMillis(20))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).build();
        for (int i = 0; i < count; i++) {
            client.record(DriverClientIT.secondFix(first, i));
            System.out.println("recorded " + i);
            System.out.flush();
            Thread.sleep(10); // faster than the slow link drains: a backlog builds up
        }
        System.out.println("done");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // wait for the kill
    }
}
