package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.internal.InMemoryLocationStore;

class InMemoryLocationStoreTest extends LocationStoreContract {
    private final SettableClock clock = SettableClock.at("2026-11-24T10:00:00Z");

    @Override
    protected LocationStore createStore(Duration ttl, Duration lastSeenRetention) {
        return LocationStore.inMemory(clock, ttl, lastSeenRetention);
    }

    @Override
    protected Instant now() {
        return clock.instant();
    }

    @Override
    protected void advance(Duration amount) {
        clock.advance(amount);
    }

    @Test
    void sweep_afterTheRetention_reclaimsTheEntries() {
        InMemoryLocationStore memory = (InMemoryLocationStore) store;
        for (int i = 0; i < 100; i++) {
            memory.putIfNewer(driver("d" + i), fix(0, i));
        }
        assertEquals(100, memory.size());
        clock.advance(retention().plus(Duration.ofSeconds(1)));
        assertEquals(100, memory.sweep());
        assertEquals(0, memory.size());
    }

    @Test
    void putIfNewer_aTtlAfterTheLastSweep_reclaimsExpiredEntriesOnTheWay() {
        InMemoryLocationStore memory = (InMemoryLocationStore) store;
        for (int i = 0; i < 100; i++) {
            memory.putIfNewer(driver("d" + i), fix(0, i));
        }
        clock.advance(retention().plus(Duration.ofSeconds(1)));
        memory.putIfNewer(driver("fresh"), fix(0, 1));
        assertEquals(1, memory.size(), "the write swept the 100 forgotten drivers");
    }
}
