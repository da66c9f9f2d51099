package org.ordertracking.core;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.ordertracking.core.internal.InMemoryLocationStore;

/**
 * The current position of each driver, kept for a time-to-live after the last write: when fixes
 * stop arriving the entry expires and the driver's location reads as absent.
 *
 * <p>Implementations: {@code LocationStore.inMemory(…)} (this module) and
 * {@code RedisLocationStore} (module tracking-redis). They are thread-safe and pass the contract
 * suite {@code LocationStoreContract} of tracking-test.
 *
 * @since 0.1.0
 */
public interface LocationStore extends AutoCloseable {

    /** Default time-to-live of a driver's position: 30 seconds. */
    Duration DEFAULT_TTL = Duration.ofSeconds(30);

    /**
     * Returns a thread-safe store that keeps positions in this JVM, with the {@linkplain #DEFAULT_TTL
     * default TTL} and {@linkplain #DEFAULT_LAST_SEEN_RETENTION last-seen retention}. Entries expire
     * on {@code clock}; expired entries are reclaimed, so memory stays bounded by the drivers seen
     * within the retention.
     *
     * @param clock server time, on which entries expire (a test passes a clock it moves)
     */
    static LocationStore inMemory(InstantSource clock) {
        return inMemory(clock, DEFAULT_TTL, DEFAULT_LAST_SEEN_RETENTION);
    }

    /**
     * Returns a thread-safe in-memory store on the resources' clock; see
     * {@link #inMemory(InstantSource)}. The store holds no thread of its own.
     *
     * @throws IllegalStateException if the resources are closed
     * @since 0.1.0
     */
    static LocationStore inMemory(TrackingResources resources) {
        Objects.requireNonNull(resources, "resources must not be null");
        resources.requireOpen("an in-memory LocationStore");
        return inMemory(resources.clock());
    }

    /**
     * Returns a thread-safe in-memory store; see {@link #inMemory(InstantSource)}.
     *
     * @param ttl time-to-live of a position after its last write, positive
     * @param lastSeenRetention how long the last-seen instant is kept after the last write, at least {@code ttl}
     * @throws IllegalArgumentException naming the bad value
     */
    static LocationStore inMemory(InstantSource clock, Duration ttl, Duration lastSeenRetention) {
        return new InMemoryLocationStore(clock, ttl, lastSeenRetention);
    }

    /**
     * Stores {@code fix} as the driver's current position and restarts its time-to-live, unless
     * the stored fix was recorded later (an older fix never overwrites a newer one, even with
     * concurrent writers). A fix recorded at the same instant as the stored one refreshes the TTL.
     * May complete asynchronously; it does not block the caller on a network round trip.
     *
     * @return completes with {@code true} if {@code fix} is now the stored one
     */
    CompletionStage<Boolean> putIfNewer(String driverId, LocationFix fix);

    /** Returns the driver's current position, or empty if none was stored or it expired. */
    Optional<LocationFix> get(String driverId);

    /** Returns the current positions of those drivers that have one, in one round trip. */
    Map<String, LocationFix> getAll(Collection<String> driverIds);

    /**
     * Returns when the driver's newest stored fix was recorded, even after the position itself
     * expired: the staleness classifier needs the age of the newest fix past the position's TTL
     * ("last seen 47 s ago", "connection lost"). Kept for {@link #lastSeenRetention()} after the
     * last write; empty if there was no write within it.
     */
    Optional<Instant> lastSeen(String driverId);

    /**
     * Returns {@link #lastSeen} of many drivers at once: the staleness timer reads every active
     * delivery's driver each tick, and a store across the network answers this in one round trip.
     * Drivers with no last-seen instant are left out of the map; duplicates in {@code driverIds}
     * are harmless. The map may be unmodifiable.
     *
     * <p>The default asks {@link #lastSeen} for each driver in turn; stores override it with a bulk
     * read.
     *
     * @throws NullPointerException if {@code driverIds} is or contains {@code null}
     * @since 0.1.0
     */
    default Map<String, Instant> lastSeenAll(Collection<String> driverIds) {
        Objects.requireNonNull(driverIds, "driverIds must not be null");
        Map<String, Instant> result = new HashMap<>();
        for (String driverId : driverIds) {
            lastSeen(Objects.requireNonNull(driverId, "driverIds must not contain null"))
                    .ifPresent(at -> result.put(driverId, at));
        }
        return result;
    }

    /** Default time the last-seen instant is kept after the last write: 10 minutes. */
    Duration DEFAULT_LAST_SEEN_RETENTION = Duration.ofMinutes(10);

    /** Returns how long {@link #lastSeen} is kept after the last write; longer than {@link #ttl()}. */
    Duration lastSeenRetention();

    /** Returns the time-to-live applied to every write. */
    Duration ttl();

    /** Releases what this store created. Never closes resources the caller handed in. Idempotent. */
    @Override
    void close();
}
