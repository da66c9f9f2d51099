package org.ordertracking.client;

import java.time.Duration;
import java.util.Objects;

/**
 * When the journal asks the operating system to put recorded fixes on the storage device
 * ({@code fsync}).
 *
 * <p>Every fix is written into the journal file (the kernel's page cache) before
 * {@link DriverClient#record(Fix)} returns, whatever the policy: a killed process ({@code kill -9},
 * an app killed by the OS, a crash of the JVM) loses nothing. The policy only decides what a
 * <em>power loss</em> (battery pulled, kernel panic) may lose:
 * <ul>
 *   <li>{@link #EVERY_RECORD}: {@code record} returns after {@code fdatasync}; nothing is lost, and
 *       {@code record} costs a device flush (typically 0.1 to 10 ms on flash);</li>
 *   <li>{@link #groupCommit(Duration) groupCommit(interval)}: a background thread syncs every
 *       {@code interval} if anything was written; at most the fixes recorded in the last
 *       {@code interval} (plus the time of the sync itself) are lost. {@code record} never waits for
 *       the device.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class SyncPolicy {
    /** The interval of {@link #DEFAULT}: 50 ms. */
    public static final Duration DEFAULT_GROUP_COMMIT_INTERVAL = Duration.ofMillis(50);

    /** Sync before every {@code record} returns: nothing recorded is ever lost. */
    public static final SyncPolicy EVERY_RECORD = new SyncPolicy(Duration.ZERO);

    /** The default: group commit every {@link #DEFAULT_GROUP_COMMIT_INTERVAL}. */
    public static final SyncPolicy DEFAULT = new SyncPolicy(DEFAULT_GROUP_COMMIT_INTERVAL);

    private final Duration interval;

    private SyncPolicy(Duration interval) {
        this.interval = interval;
    }

    /**
     * Group commit: a background thread syncs every {@code interval}.
     *
     * @param interval positive, at most one minute
     * @throws IllegalArgumentException if the interval is not positive or longer than a minute
     */
    public static SyncPolicy groupCommit(Duration interval) {
        Objects.requireNonNull(interval, "interval must not be null");
        if (interval.isNegative() || interval.isZero() || interval.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("interval must be positive and at most PT1M, but was " + interval);
        }
        return new SyncPolicy(interval);
    }

    /** Whether every record is synced before {@code record} returns. */
    public boolean syncsEveryRecord() {
        return interval.isZero();
    }

    /** The group-commit interval; zero for {@link #EVERY_RECORD}. */
    public Duration interval() {
        return interval;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SyncPolicy other && other.interval.equals(interval);
    }

    @Override
    public int hashCode() {
        return interval.hashCode();
    }

    @Override
    public String toString() {
        return syncsEveryRecord() ? "SyncPolicy[EVERY_RECORD]" : "SyncPolicy[groupCommit " + interval + "]";
    }
}
