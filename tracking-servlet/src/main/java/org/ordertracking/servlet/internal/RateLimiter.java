package org.ordertracking.servlet.internal;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A token bucket per key: {@code permits} per {@code window}, refilled continuously, full at start.
 * Time comes from the given clock. Thread-safe.
 *
 * <p>Idle keys are forgotten incrementally: every call also examines at most {@link #SWEEP_STEP}
 * buckets at a cursor that walks the map round and round, and removes those that have refilled
 * (a full bucket is indistinguishable from a new one). No call ever scans the whole map; since
 * each call adds at most one key and examines two, a full pass over the map finishes while at most
 * half its size was added, so the map holds the keys active within about one window, times a small
 * factor. A removed bucket is marked dead under its lock, so a caller that raced the removal retries
 * on a fresh bucket instead of spending a permit nobody sees.
 */
public final class RateLimiter {
    /** Buckets examined for eviction per call. */
    static final int SWEEP_STEP = 2;

    private final InstantSource clock;
    private final double permits;
    private final double perMilli;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final ReentrantLock sweepLock = new ReentrantLock();
    private Iterator<Map.Entry<String, Bucket>> cursor; // guarded by sweepLock
    private long examined;                              // guarded by sweepLock

    public RateLimiter(InstantSource clock, int permits, Duration window) {
        this.clock = clock;
        this.permits = permits;
        this.perMilli = permits / (double) Math.max(1, window.toMillis());
    }

    /** Takes one permit; returns 0 if granted, else the milliseconds until one is available. */
    public long tryAcquire(String key) {
        long now = clock.millis();
        sweep(now);
        while (true) {
            Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(permits, now));
            synchronized (bucket) {
                if (bucket.dead) {
                    continue;
                }
                bucket.refill(now);
                if (bucket.tokens >= 1) {
                    bucket.tokens -= 1;
                    return 0;
                }
                return (long) Math.ceil((1 - bucket.tokens) / perMilli);
            }
        }
    }

    /** Examines at most {@link #SWEEP_STEP} buckets; skipped when another thread is sweeping. */
    private void sweep(long now) {
        if (!sweepLock.tryLock()) {
            return;
        }
        try {
            for (int i = 0; i < SWEEP_STEP; i++) {
                if (cursor == null || !cursor.hasNext()) {
                    cursor = buckets.entrySet().iterator();
                    if (!cursor.hasNext()) {
                        return;
                    }
                }
                Map.Entry<String, Bucket> entry = cursor.next();
                examined++;
                Bucket bucket = entry.getValue();
                synchronized (bucket) {
                    if (!bucket.dead && bucket.isFullAt(now)) {
                        bucket.dead = true;
                        buckets.remove(entry.getKey(), bucket);
                    }
                }
            }
        } finally {
            sweepLock.unlock();
        }
    }

    /** Buckets examined for eviction since creation (for tests: the per-call cost). */
    long examined() {
        sweepLock.lock();
        try {
            return examined;
        } finally {
            sweepLock.unlock();
        }
    }

    /** How many keys hold a bucket now (tests of the eviction read it). */
    int keys() {
        return buckets.size();
    }

    private final class Bucket {
        double tokens;
        long at;
        boolean dead;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }

        void refill(long now) {
            if (now > at) {
                tokens = Math.min(permits, tokens + (now - at) * perMilli);
                at = now;
            }
        }

        boolean isFullAt(long now) {
            return tokens + Math.max(0, now - at) * perMilli >= permits;
        }
    }
}
