package org.ordertracking.test;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.LocationStore;

/**
 * The contract, run on a store that does not override {@link LocationStore#lastSeenAll}: a
 * third-party store written before the bulk read existed gets a correct one from the default method.
 */
class DefaultLastSeenAllTest extends LocationStoreContract {
    private final SettableClock clock = SettableClock.at("2026-11-24T10:00:00Z");

    /** Delegates everything an older third-party store would implement, and nothing else. */
    private record ThirdPartyStore(LocationStore delegate) implements LocationStore {
        @Override
        public CompletionStage<Boolean> putIfNewer(String driverId, LocationFix fix) {
            return delegate.putIfNewer(driverId, fix);
        }

        @Override
        public Optional<LocationFix> get(String driverId) {
            return delegate.get(driverId);
        }

        @Override
        public Map<String, LocationFix> getAll(Collection<String> driverIds) {
            return delegate.getAll(driverIds);
        }

        @Override
        public Optional<Instant> lastSeen(String driverId) {
            return delegate.lastSeen(driverId);
        }

        @Override
        public Duration lastSeenRetention() {
            return delegate.lastSeenRetention();
        }

        @Override
        public Duration ttl() {
            return delegate.ttl();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    @Override
    protected LocationStore createStore(Duration ttl, Duration lastSeenRetention) {
        return new ThirdPartyStore(LocationStore.inMemory(clock, ttl, lastSeenRetention));
    }

    @Override
    protected Instant now() {
        return clock.instant();
    }

    @Override
    protected void advance(Duration amount) {
        clock.advance(amount);
    }
}
