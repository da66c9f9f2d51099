package org.ordertracking.servlet.internal;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per key: {@code permits} per {@code window}, refilled continuously, full at start.
 * Time comes from the given clock. Thread-safe; idle keys are forgotten.
 */
public final class RateLimiter {
    private final InstantSource clock;
    private final double permits;
    private final double perMilli;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimiter(InstantSource clock, int permits, Duration window) {
        this.clock = clock;
        this.permits = permits;
        this.perMilli = permits / (double) Math.max(1, window.toMillis());
    }

    /** Takes one permit; returns 0 if granted, else the milliseconds until one is available. */
    public long tryAcquire(String key) {
        long now = clock.millis();
        if (buckets.size() > 10_000) {
            buckets.values().removeIf(b -> b.isFullAt(now));
        }
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(permits, now));
        synchronized (bucket) {
            bucket.refill(now);
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - bucket.tokens) / perMilli);
        }
    }

    /** How many keys hold a bucket now (tests of the eviction read it). */
    int keys() {
        return buckets.size();
    }

    private final class Bucket {
        double tokens;
        long at;

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

        synchronized boolean isFullAt(long now) {
            return tokens + Math.max(0, now - at) * perMilli >= permits;
        }
    }
}
