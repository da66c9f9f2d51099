package org.ordertracking.test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * An {@link InstantSource} that stands still until a test moves it. Thread-safe.
 *
 * <pre>{@code
 * SettableClock clock = SettableClock.at("2026-11-24T10:00:00Z");
 * OrderTracker tracker = OrderTracker.builder().clock(clock).build();
 * clock.advance(Duration.ofMinutes(6));
 * }</pre>
 *
 * @since 0.1.0
 */
public final class SettableClock implements InstantSource {
    private volatile Instant now;

    private SettableClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start must not be null");
    }

    /** Returns a clock showing {@code start}. */
    public static SettableClock at(Instant start) {
        return new SettableClock(start);
    }

    /** Returns a clock showing the ISO-8601 instant {@code start}. */
    public static SettableClock at(String start) {
        return new SettableClock(Instant.parse(start));
    }

    @Override
    public Instant instant() {
        return now;
    }

    /** Sets the time; it may go backwards (a device clock does), which tests of skew need. */
    public void set(Instant instant) {
        this.now = Objects.requireNonNull(instant, "instant must not be null");
    }

    /** Moves the time by {@code amount} (negative moves it back) and returns the new time. */
    public synchronized Instant advance(Duration amount) {
        Objects.requireNonNull(amount, "amount must not be null");
        now = now.plus(amount);
        return now;
    }

    /** Moves the time forward by {@code seconds} and returns the new time. */
    public Instant advanceSeconds(long seconds) {
        return advance(Duration.ofSeconds(seconds));
    }

    @Override
    public String toString() {
        return "SettableClock[" + now + "]";
    }
}
