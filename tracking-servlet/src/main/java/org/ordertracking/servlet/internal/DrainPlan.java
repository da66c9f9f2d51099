package org.ordertracking.servlet.internal;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When each connection leaves during a drain of {@code window}. Every connection draws the moment its
 * client should be back (elsewhere), uniformly over the first two thirds of the window (the
 * <em>spread</em>), so that the reconnects reach the other nodes evenly instead of all at once; the last
 * third is slack for streams that are slow to write their final bytes and for a loaded server's
 * scheduling. Each connection also draws a <em>lead</em>, uniformly up to a sixth of the spread (never
 * more than its come-back moment): it is ended in the wave at or before {@code back - lead} (waves every
 * {@link #waveMillis()}, at most 1 s apart, at least ten over the spread when that allows 50 ms waves)
 * and told, with {@code retry:}, to wait the rest. Ending connections in waves spreads the server's work;
 * the {@code retry:} spreads the reconnects within and across waves, so that when a busy server (or
 * client) ends several waves late at once, those clients still come back over the next seconds rather
 * than in the same one. Immutable and thread-safe.
 */
final class DrainPlan {
    static final long MAX_WAVE_MILLIS = 1000;
    static final long MIN_WAVE_MILLIS = 50;

    /** One connection's exit: ended at {@code endAtMillis} after the drain began, told to wait {@code retryMillis}. */
    record Exit(long endAtMillis, long retryMillis) {
    }

    private final long windowMillis;
    private final long spreadMillis;
    private final long waveMillis;
    private final long maxLeadMillis;

    DrainPlan(Duration window) {
        if (window == null || window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("window must be positive, but was " + window);
        }
        this.windowMillis = Math.max(1, window.toMillis());
        this.spreadMillis = Math.max(1, windowMillis * 2 / 3);
        this.waveMillis = Math.min(spreadMillis, Math.max(MIN_WAVE_MILLIS, Math.min(MAX_WAVE_MILLIS, spreadMillis / 10)));
        // a longer lead absorbs longer stalls but ends more connections in the first wave (about
        // (wave + lead / 2) / spread of them: 16 % for a 20 s window)
        this.maxLeadMillis = spreadMillis / 6;
    }

    long windowMillis() {
        return windowMillis;
    }

    long spreadMillis() {
        return spreadMillis;
    }

    long waveMillis() {
        return waveMillis;
    }

    /** The longest lead: a sixth of the spread. */
    long maxLeadMillis() {
        return maxLeadMillis;
    }

    /**
     * The exit of a connection whose client should be back {@code comeBackMillis} after the drain began,
     * ended about {@code leadMillis} before that (in the wave at or before {@code back - lead}).
     */
    Exit exitFor(long comeBackMillis, long leadMillis) {
        long back = Math.max(0, Math.min(comeBackMillis, spreadMillis - 1));
        long end = back - Math.max(0, Math.min(leadMillis, back));
        long wave = end / waveMillis * waveMillis;
        return new Exit(wave, back - wave);
    }

    /** Draws one connection's exit: its come-back moment over the spread, its lead up to {@link #maxLeadMillis()}. */
    Exit draw(RandomGenerator random) {
        return exitFor(random.nextLong(spreadMillis), random.nextLong(maxLeadMillis + 1));
    }

    /**
     * The exit of a connection that arrives {@code elapsedMillis} into the drain (it raced the start):
     * ended at once, back at a random moment of what is left of the spread.
     */
    Exit late(long elapsedMillis, RandomGenerator random) {
        long left = Math.max(1, spreadMillis - elapsedMillis);
        return new Exit(0, random.nextLong(left));
    }

    /** The {@code Retry-After} of a refused open, in seconds: a random moment of what is left of the spread, at least 1. */
    long retryAfterSeconds(long elapsedMillis, RandomGenerator random) {
        long left = Math.max(1000, spreadMillis - elapsedMillis);
        return 1 + random.nextLong(left) / 1000;
    }
}
