package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.LocationStore;

/**
 * The behaviour every {@link LocationStore} must have. An implementation's test subclasses this and
 * provides {@link #createStore(Duration, Duration)}, {@link #now()} and {@link #advance(Duration)}.
 *
 * <p>Time: an in-memory store runs on a {@link SettableClock} that {@code advance} moves. A store
 * whose expiry runs on a server's clock (Redis) cannot be given a fake clock: it overrides
 * {@link #ttl()} with a short TTL (e.g. one second) and implements {@code advance} by waiting, with a
 * deadline, until that much has passed on the server's clock — the suite only ever advances by
 * multiples of the TTL. Each test uses driver ids unique to it ({@link #driver(String)}), so a shared server
 * needs no cleanup between tests; a store with a key prefix should still use one per test class.
 *
 * @since 0.1.0
 */
public abstract class LocationStoreContract {

    /** For subclasses: one per implementation under test. */
    protected LocationStoreContract() {
    }

    protected LocationStore store;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);

    /** Returns a new store with this TTL and last-seen retention; closed after each test. */
    protected abstract LocationStore createStore(Duration ttl, Duration lastSeenRetention);

    /** Returns the current server time, from which the suite makes fixes' {@code receivedAt}. */
    protected abstract Instant now();

    /** Lets {@code amount} of time pass for the store: moves a test clock, or waits for real. */
    protected abstract void advance(Duration amount);

    /** The TTL the suite creates stores with; default 30 s. A store on real time returns a short one. */
    protected Duration ttl() {
        return Duration.ofSeconds(30);
    }

    /** The last-seen retention the suite uses: four TTLs. */
    protected Duration retention() {
        return ttl().multipliedBy(4);
    }

    @BeforeEach
    void setUpStore() {
        store = createStore(ttl(), retention());
    }

    @AfterEach
    void tearDownStore() {
        store.close();
    }

    /** Returns a driver id unique to this run of the suite. */
    protected String driver(String name) {
        return "ls-" + runId + "-" + name;
    }

    /** A fix recorded {@code secondsAgo} before now, around Beirut, shifted east by {@code step}. */
    protected LocationFix fix(long millisOffset, int step) {
        Instant now = now();
        return new LocationFix(33.8938, 35.5018 + step * 0.0001, 5.0, null, null, now.plusMillis(millisOffset), now);
    }

    private boolean put(String driverId, LocationFix fix) {
        return store.putIfNewer(driverId, fix).toCompletableFuture().join();
    }

    @Test
    void get_unknownDriver_isEmpty() {
        assertEquals(Optional.empty(), store.get(driver("nobody")));
        assertEquals(Optional.empty(), store.lastSeen(driver("nobody")));
    }

    @Test
    void putIfNewer_firstFix_isStoredAndReadBack() {
        String d = driver("a");
        LocationFix fix = fix(0, 1);
        assertTrue(put(d, fix));
        assertEquals(Optional.of(fix), store.get(d));
        assertEquals(Optional.of(fix.recordedAt()), store.lastSeen(d));
    }

    @Test
    void putIfNewer_newerFix_replacesTheStoredOne() {
        String d = driver("a");
        put(d, fix(-2000, 1));
        LocationFix newer = fix(0, 2);
        assertTrue(put(d, newer));
        assertEquals(Optional.of(newer), store.get(d));
    }

    @Test
    void putIfNewer_olderFix_neverOverwritesTheNewerOne() {
        String d = driver("a");
        LocationFix newer = fix(0, 2);
        put(d, newer);
        assertFalse(put(d, fix(-5000, 1)));
        assertEquals(Optional.of(newer), store.get(d));
        assertEquals(Optional.of(newer.recordedAt()), store.lastSeen(d));
    }

    @Test
    void putIfNewer_sameRecordedAt_isAcceptedAndRefreshesTheTtl() {
        String d = driver("a");
        LocationFix fix = fix(0, 1);
        put(d, fix);
        advance(ttl().dividedBy(2));
        assertTrue(put(d, fix));
        advance(ttl().dividedBy(2).plus(ttl().dividedBy(4)));
        assertEquals(Optional.of(fix), store.get(d), "a rewrite restarts the TTL");
    }

    @Test
    void get_afterTheTtl_isEmptyButLastSeenRemains() {
        String d = driver("a");
        LocationFix fix = fix(0, 1);
        put(d, fix);
        advance(ttl().multipliedBy(2));
        assertEquals(Optional.empty(), store.get(d));
        assertEquals(Optional.of(fix.recordedAt()), store.lastSeen(d));
    }

    @Test
    void lastSeen_afterTheRetention_isEmpty() {
        String d = driver("a");
        put(d, fix(0, 1));
        advance(retention().plus(ttl()));
        assertEquals(Optional.empty(), store.lastSeen(d));
        assertEquals(Optional.empty(), store.get(d));
    }

    @Test
    void putIfNewer_afterExpiry_acceptsAnyValidFixAgain() {
        String d = driver("a");
        put(d, fix(0, 1));
        advance(retention().plus(ttl()));
        LocationFix later = fix(-1000, 2);
        assertTrue(put(d, later));
        assertEquals(Optional.of(later), store.get(d));
    }

    @Test
    void getAll_someDrivers_returnsOnlyThoseWithAPosition() {
        String a = driver("a");
        String b = driver("b");
        String c = driver("c");
        LocationFix fa = fix(0, 1);
        LocationFix fc = fix(0, 3);
        put(a, fa);
        put(c, fc);
        Map<String, LocationFix> all = store.getAll(List.of(a, b, c));
        assertEquals(Map.of(a, fa, c, fc), all);
        assertEquals(Map.of(), store.getAll(List.of()));
    }

    @Test
    void getAll_expiredDriver_isLeftOut() {
        String a = driver("a");
        String b = driver("b");
        put(a, fix(0, 1));
        advance(ttl().multipliedBy(2));
        LocationFix fb = fix(0, 2);
        put(b, fb);
        assertEquals(Map.of(b, fb), store.getAll(List.of(a, b)));
    }

    @Test
    void lastSeenAll_someDrivers_returnsTheNewestRecordedAtOfThoseSeen() {
        String a = driver("a");
        String b = driver("b");
        String c = driver("c");
        LocationFix newest = fix(0, 2);
        put(a, newest);
        put(a, fix(-5000, 1));
        LocationFix fc = fix(-1000, 3);
        put(c, fc);
        assertEquals(Map.of(a, newest.recordedAt(), c, fc.recordedAt()), store.lastSeenAll(List.of(a, b, c, a)),
                "b never wrote; a's older fix did not move its last-seen; a asked twice is harmless");
        assertEquals(Map.of(), store.lastSeenAll(List.of()));
        assertEquals(Map.of(), store.lastSeenAll(List.of(b)));
    }

    @Test
    void lastSeenAll_afterTheTtl_keepsDriversWhosePositionExpired() {
        String a = driver("a");
        String b = driver("b");
        LocationFix fa = fix(0, 1);
        put(a, fa);
        advance(ttl().multipliedBy(2));
        LocationFix fb = fix(0, 2);
        put(b, fb);
        assertEquals(Optional.empty(), store.get(a));
        assertEquals(Map.of(a, fa.recordedAt(), b, fb.recordedAt()), store.lastSeenAll(List.of(a, b)));
    }

    @Test
    void lastSeenAll_afterTheRetention_leavesTheDriverOut() {
        String a = driver("a");
        String b = driver("b");
        put(a, fix(0, 1));
        advance(retention().plus(ttl()));
        LocationFix fb = fix(0, 2);
        put(b, fb);
        assertEquals(Map.of(b, fb.recordedAt()), store.lastSeenAll(List.of(a, b)));
    }

    @Test
    void lastSeenAll_agreesWithLastSeenForEachDriver() {
        List<String> drivers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String d = driver("bulk-" + i);
            drivers.add(d);
            if (i % 4 != 0) {
                put(d, fix(-i * 100L, i));
            }
        }
        Map<String, Instant> all = store.lastSeenAll(drivers);
        assertEquals(37, all.size());
        for (String d : drivers) {
            assertEquals(store.lastSeen(d), Optional.ofNullable(all.get(d)), d);
        }
    }

    @Test
    void ttlAndRetention_areThoseConfigured() {
        assertEquals(ttl(), store.ttl());
        assertEquals(retention(), store.lastSeenRetention());
    }

    @Test
    void putIfNewer_concurrentWriters_neverLeaveAnOlderFix() throws Exception {
        int writers = 8;
        int perWriter = 200;
        String d = driver("race");
        List<LocationFix> all = new ArrayList<>();
        for (int i = 0; i < writers * perWriter; i++) {
            all.add(fix(-60_000 + i * 10L, i % 50));
        }
        LocationFix newest = all.get(all.size() - 1);
        Collections.shuffle(all, new Random(42));
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                List<LocationFix> mine = all.subList(w * perWriter, (w + 1) * perWriter);
                done.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    for (LocationFix f : mine) {
                        put(d, f);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(Optional.of(newest), store.get(d));
        assertEquals(Optional.of(newest.recordedAt()), store.lastSeen(d));
    }

    @Test
    void close_twice_isANoOpAndLeavesOtherStoresWorking() {
        LocationStore extra = createStore(ttl(), retention());
        assertDoesNotThrow(extra::close);
        assertDoesNotThrow(extra::close, "a second close is a no-op");
        // closing one store never closes what the caller shares between stores (a client, a pool)
        String d = driver("after-close");
        LocationFix fix = fix(0, 1);
        assertTrue(put(d, fix));
        assertEquals(Optional.of(fix), store.get(d));
    }
}
