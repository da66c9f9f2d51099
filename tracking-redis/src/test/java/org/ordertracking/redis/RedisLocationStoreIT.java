package org.ordertracking.redis;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.LocationFix;

/** {@link RedisLocationStore} on standalone Redis ({@code tracking.test.redis}). */
class RedisLocationStoreIT extends AbstractRedisLocationStoreIT {
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> admin;

    @BeforeAll
    static void connect() {
        client = RedisTestSupport.client();
        admin = client.connect();
    }

    @AfterAll
    static void disconnect() {
        if (admin != null) {
            admin.close();
        }
        if (client != null) {
            client.shutdown();
        }
    }

    @Override
    protected RedisLocationStore newStore(RedisLocationStoreConfig config) {
        return RedisLocationStore.create(client, config);
    }

    @Override
    protected java.time.Instant serverTime() {
        return RedisTestSupport.instant(admin.sync().time());
    }

    @Override
    protected long pttl(String key) {
        return admin.sync().pttl(key);
    }

    @Override
    protected String type(String key) {
        return admin.sync().type(key);
    }

    @Override
    protected String get(String key) {
        return admin.sync().get(key);
    }

    @Override
    protected void delete(String key) {
        admin.sync().del(key);
    }

    @Override
    protected void flushScripts() {
        admin.sync().scriptFlush();
    }

    @Override
    protected void deleteKeys(String prefix) {
        RedisTestSupport.deleteKeys(client, prefix);
    }

    @Test
    void create_withUri_ownsItsClientAndRefusesWritesAfterClose() {
        RedisLocationStore owned = RedisLocationStore.create(RedisTestSupport.URI, config(Duration.ofSeconds(5)));
        assertDoesNotThrow(owned::close);
        assertDoesNotThrow(owned::close, "a second close is a no-op");
        LocationFix fix = LocationFix.of(33.9, 35.5, Instant.parse("2026-11-24T10:00:00Z"), Instant.parse("2026-11-24T10:00:00Z"));
        CompletionException e = assertThrows(CompletionException.class,
                () -> owned.putIfNewer(driver("x"), fix).toCompletableFuture().join());
        assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
    }

    @Test
    void putIfNewer_invalidDriverId_isRejected() {
        LocationFix fix = LocationFix.of(33.9, 35.5, Instant.parse("2026-11-24T10:00:00Z"), Instant.parse("2026-11-24T10:00:00Z"));
        assertThrows(IllegalArgumentException.class, () -> redisStore.putIfNewer("no spaces", fix));
        assertThrows(IllegalArgumentException.class, () -> redisStore.get("{x}"));
    }
}
