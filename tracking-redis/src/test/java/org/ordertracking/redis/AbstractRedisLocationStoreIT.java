package org.ordertracking.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.LocationStore;
import org.ordertracking.redis.internal.PutIfNewerScript;
import org.ordertracking.test.LocationStoreContract;

/**
 * The {@link LocationStoreContract} (on the server's clock: a one-second TTL and real waits) plus what
 * only the Redis store has: its key layout, nanosecond comparison, the script cache, the GEO index,
 * prefix isolation. Run on standalone Redis and on Redis Cluster. Each test uses its own key prefix
 * and deletes every key under it afterwards, checking none is left.
 */
abstract class AbstractRedisLocationStoreIT extends LocationStoreContract {
    /** Key prefix of this test. */
    protected final String prefix = RedisTestSupport.uniquePrefix();
    /** A store with a 30 s TTL for the Redis-specific tests. */
    protected RedisLocationStore redisStore;

    /** Returns a store with the caller-owned client of the Redis under test. */
    protected abstract RedisLocationStore newStore(RedisLocationStoreConfig config);

    /** Returns the remaining time-to-live of {@code key} in milliseconds (-2 if it does not exist). */
    protected abstract long pttl(String key);

    /** Returns the type of {@code key} ({@code string}, {@code hash}, {@code none}). */
    protected abstract String type(String key);

    /** Returns the string value of {@code key}, or null. */
    protected abstract String get(String key);

    /** Deletes {@code key}. */
    protected abstract void delete(String key);

    /** Empties the Lua script cache of every node. */
    protected abstract void flushScripts();

    /** Deletes every key under {@code prefix} and checks that none is left. */
    protected abstract void deleteKeys(String prefix);

    protected RedisLocationStoreConfig config(Duration ttl) {
        return RedisLocationStoreConfig.builder().keyPrefix(prefix).ttl(ttl).lastSeenRetention(ttl.multipliedBy(4)).build();
    }

    @Override
    protected LocationStore createStore(Duration ttl, Duration lastSeenRetention) {
        return newStore(RedisLocationStoreConfig.builder().keyPrefix(prefix).ttl(ttl).lastSeenRetention(lastSeenRetention)
                .build());
    }

    /** Expiry runs on the Redis server's clock, so the suite runs on real time with a short TTL. */
    @Override
    protected Duration ttl() {
        return Duration.ofSeconds(1);
    }

    @Override
    protected Instant now() {
        return Instant.now();
    }

    /**
     * Lets {@code amount} pass on the Redis server's clock, which is what expires keys: waits, with a
     * deadline, until the server's {@code TIME} has moved on that much.
     */
    @Override
    protected void advance(Duration amount) {
        Instant until = serverTime().plus(amount);
        await("the Redis server's clock to reach " + until).atMost(amount.plusSeconds(10))
                .pollInterval(Duration.ofMillis(10)).until(() -> !serverTime().isBefore(until));
    }

    /** The Redis server's clock ({@code TIME}). */
    protected abstract Instant serverTime();

    @BeforeEach
    void openRedisStore() {
        redisStore = newStore(config(Duration.ofSeconds(30)));
    }

    @AfterEach
    void closeRedisStoreAndDeleteKeys() {
        redisStore.close();
        deleteKeys(prefix);
    }

    protected static LocationFix fixAt(Instant recordedAt, int step) {
        return new LocationFix(33.8938, 35.5018 + step * 0.0001, 5.0, 90.0, 8.5, recordedAt, recordedAt.plusMillis(300));
    }

    private static boolean put(RedisLocationStore store, String driverId, LocationFix fix) {
        return store.putIfNewer(driverId, fix).toCompletableFuture().join();
    }

    @Test
    void putIfNewer_storesTheDocumentedKeysWithTheirExpiries() {
        String d = driver("keys");
        LocationFix fix = fixAt(Instant.parse("2026-11-24T10:00:00.123456789Z"), 1);
        assertTrue(put(redisStore, d, fix));

        String location = prefix + "driver:{" + d + "}:pos";
        String seen = prefix + "driver:{" + d + "}:seen_at";
        assertEquals(location, redisStore.locationKey(d));
        assertEquals(seen, redisStore.seenKey(d));
        assertEquals("string", type(location));
        assertEquals("string", type(seen));
        assertEquals("31557015962733600" + "123456789", get(seen), "stamp: epoch seconds + 31557014167219200, then nanos");
        assertEquals(get(seen) + fix.lat() + "," + fix.lon() + ",5.0,90.0,8.5,31557015962733600423456789", get(location),
                "the position: its stamp, lat, lon, accuracy, heading, speed, the receivedAt stamp");
        long locationTtl = pttl(location);
        long seenTtl = pttl(seen);
        assertTrue(locationTtl > 0 && locationTtl <= 30_000, "position TTL " + locationTtl);
        assertTrue(seenTtl > 30_000 && seenTtl <= 120_000, "last-seen retention " + seenTtl);
        assertEquals(Optional.of(fix), redisStore.get(d), "every field, nanoseconds included, survives");
        assertEquals(Optional.of(fix.recordedAt()), redisStore.lastSeen(d));
    }

    @Test
    void putIfNewer_olderFixAndNewer_comparesToTheNanosecond() {
        String d = driver("nanos");
        Instant t = Instant.parse("2026-11-24T10:00:00.000000002Z");
        assertTrue(put(redisStore, d, fixAt(t, 1)));
        assertFalse(put(redisStore, d, fixAt(t.minusNanos(1), 2)));
        assertTrue(put(redisStore, d, fixAt(t, 3)), "the same instant is accepted");
        assertTrue(put(redisStore, d, fixAt(t.plusNanos(1), 4)));
        assertEquals(4, Math.round((redisStore.get(d).orElseThrow().lon() - 35.5018) / 0.0001));
    }

    @Test
    void get_afterAShortTtl_isEmptyWhileLastSeenRemains() {
        Duration ttl = Duration.ofMillis(300);
        try (RedisLocationStore shortLived = newStore(config(ttl))) {
            String d = driver("short");
            LocationFix fix = fixAt(Instant.parse("2026-11-24T10:00:00Z"), 1);
            assertTrue(put(shortLived, d, fix));
            assertEquals(Optional.of(fix), shortLived.get(d));
            advance(ttl.multipliedBy(2));
            assertEquals(Optional.empty(), shortLived.get(d));
            assertEquals(Map.of(), shortLived.getAll(List.of(d)));
            assertEquals(Optional.of(fix.recordedAt()), shortLived.lastSeen(d));
        }
    }

    @Test
    void putIfNewer_olderFixAfterThePositionExpired_isStoredButLastSeenKeepsTheNewest() {
        Duration ttl = Duration.ofMillis(300);
        try (RedisLocationStore shortLived = newStore(config(ttl))) {
            String d = driver("late");
            Instant t = Instant.parse("2026-11-24T10:00:10Z");
            put(shortLived, d, fixAt(t, 1));
            advance(ttl.multipliedBy(2));
            LocationFix older = fixAt(t.minusSeconds(5), 2);
            assertTrue(put(shortLived, d, older), "no stored position to protect");
            assertEquals(Optional.of(older), shortLived.get(d));
            assertEquals(Optional.of(t), shortLived.lastSeen(d));
            LocationFix between = fixAt(t.minusSeconds(2), 3);
            assertTrue(put(shortLived, d, between), "newer than the stored position");
            assertEquals(Optional.of(between), shortLived.get(d));
        }
    }

    @Test
    void putIfNewer_lastSeenKeyLost_stillNeverOverwritesANewerPosition() {
        String d = driver("evicted");
        Instant t = Instant.parse("2026-11-24T10:00:10Z");
        LocationFix newer = fixAt(t, 1);
        assertTrue(put(redisStore, d, newer));
        delete(redisStore.seenKey(d)); // as an eviction under maxmemory might
        assertFalse(put(redisStore, d, fixAt(t.minusSeconds(5), 2)));
        assertEquals(Optional.of(newer), redisStore.get(d));
        assertEquals(Optional.of(t), redisStore.lastSeen(d), "the last-seen stamp is taken back from the position");
        assertTrue(pttl(redisStore.seenKey(d)) > 30_000, "with the retention");
    }

    @Test
    void putIfNewer_olderFixWhilePositionLives_isRefusedAndChangesNeitherKey() {
        String d = driver("refused");
        Instant t = Instant.parse("2026-11-24T10:00:10Z");
        LocationFix newer = fixAt(t, 1);
        assertTrue(put(redisStore, d, newer));
        String position = get(redisStore.locationKey(d));
        assertFalse(put(redisStore, d, fixAt(t.minusNanos(1), 2)));
        assertEquals(position, get(redisStore.locationKey(d)));
        assertEquals(PutIfNewerScript.stamp(t), get(redisStore.seenKey(d)));
    }

    @Test
    void putIfNewer_afterTheScriptCacheWasFlushed_loadsTheScriptAgain() {
        String d = driver("flush");
        put(redisStore, d, fixAt(Instant.parse("2026-11-24T10:00:00Z"), 1));
        flushScripts();
        LocationFix newer = fixAt(Instant.parse("2026-11-24T10:00:05Z"), 2);
        assertTrue(put(redisStore, d, newer));
        assertEquals(Optional.of(newer), redisStore.get(d));
    }

    @Test
    void getAll_manyDriversAcrossSlots_returnsEachPosition() {
        Instant t = Instant.parse("2026-11-24T10:00:00Z");
        java.util.Map<String, LocationFix> expected = new java.util.HashMap<>();
        List<String> asked = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String d = driver("many-" + i);
            asked.add(d);
            if (i % 3 != 0) {
                LocationFix fix = fixAt(t.plusSeconds(i), i);
                expected.put(d, fix);
                redisStore.putIfNewer(d, fix);
            }
        }
        // writes were pipelined without waiting; one more write to each and a join orders them
        redisStore.putIfNewer(driver("many-1"), expected.get(driver("many-1"))).toCompletableFuture().join();
        assertEquals(expected, redisStore.getAll(asked));
    }

    @Test
    void putIfNewer_pipelinedWritesCoalesced_eachGetsItsOwnResult() {
        Instant t = Instant.parse("2026-11-24T10:00:00Z");
        int drivers = 1000;
        List<java.util.concurrent.CompletableFuture<Boolean>> first = new java.util.ArrayList<>();
        List<java.util.concurrent.CompletableFuture<Boolean>> older = new java.util.ArrayList<>();
        List<java.util.concurrent.CompletableFuture<Boolean>> newer = new java.util.ArrayList<>();
        // fired without waiting: they queue behind the first script call and go out in batches
        for (int i = 0; i < drivers; i++) {
            first.add(redisStore.putIfNewer(driver("co-" + i), fixAt(t, 1)).toCompletableFuture());
            older.add(redisStore.putIfNewer(driver("co-" + i), fixAt(t.minusMillis(1 + i), 2)).toCompletableFuture());
            newer.add(redisStore.putIfNewer(driver("co-" + i), fixAt(t.plusNanos(1 + i), 3)).toCompletableFuture());
        }
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < drivers; i++) {
            assertTrue(first.get(i).join(), "first fix of driver " + i);
            assertFalse(older.get(i).join(), "older fix of driver " + i);
            assertTrue(newer.get(i).join(), "newer fix of driver " + i);
            ids.add(driver("co-" + i));
        }
        Map<String, LocationFix> stored = redisStore.getAll(ids);
        Map<String, Instant> seen = redisStore.lastSeenAll(ids);
        for (int i = 0; i < drivers; i++) {
            assertEquals(fixAt(t.plusNanos(1 + i), 3), stored.get(ids.get(i)));
            assertEquals(t.plusNanos(1 + i), seen.get(ids.get(i)));
        }
    }

    @Test
    void putIfNewer_afterClose_failsWithoutReachingRedis() {
        RedisLocationStore extra = newStore(config(Duration.ofSeconds(30)));
        extra.close();
        java.util.concurrent.CompletionException e = assertThrows(java.util.concurrent.CompletionException.class,
                () -> extra.putIfNewer(driver("closed"), fixAt(Instant.parse("2026-11-24T10:00:00Z"), 1))
                        .toCompletableFuture().join());
        assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
        assertEquals(Optional.empty(), redisStore.lastSeen(driver("closed")));
    }

    @Test
    void driversNear_returnsLivePositionsNearestFirstAndSweepsExpiredDrivers() {
        Duration ttl = Duration.ofMillis(400);
        RedisLocationStoreConfig config = RedisLocationStoreConfig.builder().keyPrefix(prefix).ttl(ttl).lastSeenRetention(ttl.multipliedBy(4))
                        .geoIndex(true).build();
        try (RedisLocationStore geo = newStore(config)) {
            Instant t = Instant.parse("2026-11-24T10:00:00Z");
            String a = driver("geo-a");
            String b = driver("geo-b");
            String far = driver("geo-far");
            LocationFix atCenter = new LocationFix(33.8938, 35.5018, null, null, null, t, t);
            LocationFix oneKmEast = new LocationFix(33.8938, 35.5126, null, null, null, t, t);
            put(geo, b, oneKmEast);
            put(geo, a, atCenter);
            put(geo, far, new LocationFix(34.4367, 35.8497, null, null, null, t, t));
            GeoPoint center = new GeoPoint(33.8938, 35.5018);

            assertEquals(List.of(a, b), List.copyOf(geo.driversNear(center, 5_000, 10).keySet()));
            assertEquals(List.of(a), List.copyOf(geo.driversNear(center, 5_000, 1).keySet()));

            advance(ttl.multipliedBy(2));
            LocationFix bLater = new LocationFix(33.8938, 35.5130, null, null, null, t.plusSeconds(1), t.plusSeconds(1));
            put(geo, b, bLater);
            assertEquals(Map.of(b, bLater), geo.driversNear(center, 5_000, 10), "a expired and is left out");
            assertEquals(1, geo.sweepGeoIndex(), "the far driver expired too; a was swept by the query");
            assertEquals(0, geo.sweepGeoIndex());
        }
    }

    @Test
    void driversNear_withoutTheIndex_isRefused() {
        assertThrows(IllegalStateException.class, () -> redisStore.driversNear(new GeoPoint(33.9, 35.5), 1000, 5));
    }

    @Test
    void prefixes_isolateStores() {
        String d = driver("iso");
        put(redisStore, d, fixAt(Instant.parse("2026-11-24T10:00:00Z"), 1));
        String otherPrefix = RedisTestSupport.uniquePrefix();
        try (RedisLocationStore other = newStore(RedisLocationStoreConfig.builder().keyPrefix(otherPrefix).build())) {
            assertEquals(Optional.empty(), other.get(d));
            assertEquals(Optional.empty(), other.lastSeen(d));
        } finally {
            deleteKeys(otherPrefix);
        }
    }

    @Test
    void close_twice_isSafeAndLeavesTheCallersClientUsable() {
        RedisLocationStore extra = newStore(config(Duration.ofSeconds(30)));
        assertDoesNotThrow(extra::close);
        assertDoesNotThrow(extra::close, "a second close is a no-op");
        // the client is the caller's: the store closed twice never shut it down
        String d = driver("after-close");
        assertTrue(put(redisStore, d, fixAt(Instant.parse("2026-11-24T10:00:00Z"), 1)));
        assertTrue(redisStore.get(d).isPresent());
    }
}
