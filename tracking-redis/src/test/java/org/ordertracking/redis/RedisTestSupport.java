package org.ordertracking.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.TrackingMessage;

/** Connection to the Redis the integration tests use, and helpers shared by them. */
final class RedisTestSupport {
    /** Where the shared Redis is: system property {@code tracking.test.redis}. */
    static final String URI = System.getProperty("tracking.test.redis", "redis://127.0.0.1:6379");

    private RedisTestSupport() {
    }

    /** Returns a client on the shared Redis after checking it answers; fails loudly if it does not. */
    static RedisClient client() {
        RedisURI uri = RedisURI.create(URI);
        uri.setTimeout(Duration.ofSeconds(5));
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().ping();
        } catch (RuntimeException e) {
            client.shutdown();
            throw new AssertionError("Redis is required for the tracking-redis integration tests but is not reachable at "
                    + URI + " (set -Dtracking.test.redis=redis://host:port, or start redis-server): " + e, e);
        }
        return client;
    }

    /** An {@code accepted} status message; {@code seq} must be 2 or more (seq 1 is always {@code received}). */
    static TrackingMessage status(String orderId, long seq) {
        return new TrackingMessage.StatusUpdate(new OrderEvent(orderId, seq, OrderStatus.ACCEPTED, OrderStatus.RECEIVED,
                null, null, Instant.parse("2026-11-24T10:00:00Z").plusSeconds(seq)));
    }

    /** Returns a key/channel prefix no other test uses. */
    static String uniquePrefix() {
        return "test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    /** Deletes every key under {@code prefix} and checks none is left. */
    static void deleteKeys(RedisClient client, String prefix) {
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            List<String> keys = connection.sync().keys(prefix + "*");
            if (!keys.isEmpty()) {
                connection.sync().del(keys.toArray(String[]::new));
            }
            assertEquals(List.of(), connection.sync().keys(prefix + "*"), "keys left behind under " + prefix);
        }
    }

    /** The instant a Redis {@code TIME} reply (seconds, microseconds) stands for. */
    static Instant instant(List<String> time) {
        return Instant.ofEpochSecond(Long.parseLong(time.get(0)), Long.parseLong(time.get(1)) * 1_000);
    }
}
