package org.ordertracking.core.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.LocationStore;

/**
 * {@link LocationStore} in one JVM.
 *
 * <p>One immutable entry per driver in a {@link ConcurrentHashMap}; {@link #putIfNewer} replaces it
 * with {@code compute}, so the "older never overwrites newer" check and the write are one atomic
 * step however many threads write. Times are kept as epoch milliseconds of the injected clock.
 * Expired positions read as absent at once; the entry itself (position and last-seen instant) is
 * removed by a sweep once the last-seen retention has passed. The sweep runs amortised on writes
 * (by the first write after a TTL has passed since the previous sweep, so its cost per write stays
 * tiny however many drivers there are) and can be run directly with {@link #sweep()}. Memory is
 * thus bounded by the drivers written within the last retention plus one TTL. Thread-safe.
 */
public final class InMemoryLocationStore implements LocationStore {
    private static final CompletionStage<Boolean> TRUE = CompletableFuture.completedStage(Boolean.TRUE);
    private static final CompletionStage<Boolean> FALSE = CompletableFuture.completedStage(Boolean.FALSE);

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final InstantSource clock;
    private final Duration ttl;
    private final Duration retention;
    private final long ttlMillis;
    private final long retentionMillis;
    private final AtomicLong lastSweepMillis;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** One driver's state: newest fix, when the position expires, when the whole entry may go. */
    private record Entry(LocationFix fix, long expiresAtMillis, long forgetAtMillis) {
    }

    public InMemoryLocationStore(InstantSource clock, Duration ttl, Duration lastSeenRetention) {
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.ttl = Checks.requirePositive(ttl, "ttl");
        this.retention = Checks.requirePositive(lastSeenRetention, "lastSeenRetention");
        if (lastSeenRetention.compareTo(ttl) < 0) {
            throw new IllegalArgumentException("lastSeenRetention must be at least the ttl " + ttl + ", but was "
                    + lastSeenRetention);
        }
        this.ttlMillis = ttl.toMillis();
        this.retentionMillis = lastSeenRetention.toMillis();
        this.lastSweepMillis = new AtomicLong(clock.millis());
    }

    @Override
    public CompletionStage<Boolean> putIfNewer(String driverId, LocationFix fix) {
        Objects.requireNonNull(driverId, "driverId must not be null");
        Objects.requireNonNull(fix, "fix must not be null");
        if (closed.get()) {
            return CompletableFuture.failedStage(new IllegalStateException("the location store is closed"));
        }
        long now = clock.millis();
        Entry candidate = new Entry(fix, now + ttlMillis, now + retentionMillis);
        // compute: the comparison and the replacement happen under the bin lock, so concurrent
        // writers of one driver are serialized and the newest recordedAt always stays.
        Entry result = entries.compute(driverId, (id, current) ->
                current == null || current.forgetAtMillis <= now
                        || !fix.recordedAt().isBefore(current.fix.recordedAt()) ? candidate : current);
        maybeSweep(now);
        return result == candidate ? TRUE : FALSE;
    }

    @Override
    public Optional<LocationFix> get(String driverId) {
        Objects.requireNonNull(driverId, "driverId must not be null");
        Entry entry = entries.get(driverId);
        return entry != null && entry.expiresAtMillis > clock.millis() ? Optional.of(entry.fix) : Optional.empty();
    }

    @Override
    public Map<String, LocationFix> getAll(Collection<String> driverIds) {
        return collect(driverIds, entry -> entry.expiresAtMillis, entry -> entry.fix);
    }

    @Override
    public Optional<Instant> lastSeen(String driverId) {
        Objects.requireNonNull(driverId, "driverId must not be null");
        Entry entry = entries.get(driverId);
        return entry != null && entry.forgetAtMillis > clock.millis()
                ? Optional.of(entry.fix.recordedAt()) : Optional.empty();
    }

    @Override
    public Map<String, Instant> lastSeenAll(Collection<String> driverIds) {
        return collect(driverIds, entry -> entry.forgetAtMillis, entry -> entry.fix.recordedAt());
    }

    /** One value per listed driver whose entry is still kept ({@code until} is after now). */
    private <T> Map<String, T> collect(Collection<String> driverIds, ToLongFunction<Entry> until,
            Function<Entry, T> value) {
        Objects.requireNonNull(driverIds, "driverIds must not be null");
        long now = clock.millis();
        Map<String, T> result = new HashMap<>();
        for (String driverId : driverIds) {
            Entry entry = entries.get(Objects.requireNonNull(driverId, "driverIds must not contain null"));
            if (entry != null && until.applyAsLong(entry) > now) {
                result.put(driverId, value.apply(entry));
            }
        }
        return result;
    }

    @Override
    public Duration lastSeenRetention() {
        return retention;
    }

    @Override
    public Duration ttl() {
        return ttl;
    }

    /**
     * Removes every entry whose last-seen retention has passed.
     *
     * @return how many entries were removed
     */
    public int sweep() {
        long now = clock.millis();
        lastSweepMillis.set(now);
        int removed = 0;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry entry = e.getValue();
            // conditional remove: a write that raced the sweep keeps its fresh entry
            if (entry.forgetAtMillis <= now && entries.remove(e.getKey(), entry)) {
                removed++;
            }
        }
        return removed;
    }

    /** Returns how many entries are held, expired or not (for tests of the reclamation). */
    public int size() {
        return entries.size();
    }

    private void maybeSweep(long now) {
        long last = lastSweepMillis.get();
        // one writer wins the CAS and sweeps; the others carry on
        if (now - last >= ttlMillis && lastSweepMillis.compareAndSet(last, now)) {
            sweep();
        }
    }

    /** Drops every entry; later writes complete exceptionally. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            entries.clear();
        }
    }
}
