package org.ordertracking.client.internal;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the n-th retry (n ≥ 1) waits a uniformly random time in
 * {@code [0, min(cap, base · 2^(n-1))]}. Spreads clients that failed together (a server back after
 * a power cut) over the whole window instead of sending them back in waves. Not thread-safe: each
 * client's sender owns one.
 */
public final class Backoff {
    private final long baseMillis;
    private final long capMillis;
    private final RandomGenerator random;
    private int failures;

    public Backoff(Duration base, Duration cap, RandomGenerator random) {
        this.baseMillis = Math.max(1, base.toMillis());
        this.capMillis = Math.max(baseMillis, cap.toMillis());
        this.random = random;
    }

    /** The ceiling of the wait after {@code failures} consecutive failures (≥ 1). */
    public long ceilingMillis(int failures) {
        int shift = Math.min(Math.max(failures - 1, 0), 40);
        long ceiling = baseMillis << shift;
        return ceiling <= 0 || ceiling > capMillis ? capMillis : ceiling;
    }

    /** Counts a failure and returns how long to wait before the next attempt, in milliseconds. */
    public long nextDelayMillis() {
        failures = Math.min(failures + 1, 1_000);
        return random.nextLong(ceilingMillis(failures) + 1);
    }

    /** A random wait in {@code [0, base]}, for the first attempt after a start (no failure counted). */
    public long initialDelayMillis() {
        return random.nextLong(baseMillis + 1);
    }

    /** Consecutive failures so far. */
    public int failures() {
        return failures;
    }

    /** After a success. */
    public void reset() {
        failures = 0;
    }
}
