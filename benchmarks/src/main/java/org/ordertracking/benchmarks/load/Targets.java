package org.ordertracking.benchmarks.load;

import java.util.Locale;
import java.util.NavigableMap;

/**
 * The arithmetic of issue 17's targets table: ratios, the verdict of a target (met, or missed by how
 * much) and the saturation point of a stepped run.
 */
final class Targets {
    private Targets() {
    }

    /** One step of a saturation run: the offered rate, the p99 the streams saw, the rate actually published. */
    record Step(int offeredPerSecond, double p99Millis, double publishedPerSecond) {
    }

    /** {@code a / b}, or NaN when either is missing (NaN) or {@code b} is not positive. */
    static double ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b <= 0) {
            return Double.NaN;
        }
        return a / b;
    }

    /**
     * The saturation point: the highest offered rate of the steps, taken from the lowest rate up, before
     * the first step that failed (p99 above {@code p99LimitMillis}, or fewer than
     * {@code minPublishedShare} of the offered events published, i.e. the publishers fell behind); a
     * pass above a failure is noise, not capacity. 0 if the lowest step failed or there is none.
     */
    static int saturationPoint(NavigableMap<Integer, Step> steps, double p99LimitMillis, double minPublishedShare) {
        int best = 0;
        for (Step step : steps.values()) {
            boolean ok = !Double.isNaN(step.p99Millis()) && step.p99Millis() <= p99LimitMillis
                    && step.publishedPerSecond() >= minPublishedShare * step.offeredPerSecond();
            if (!ok) {
                break;
            }
            best = step.offeredPerSecond();
        }
        return best;
    }

    /**
     * The verdict of "value ≤ limit": "met" or "missed by N %" (how far above the limit); for a limit
     * of 0 (a count that must be nothing), "missed by N" in the value's own units.
     */
    static String atMost(double value, double limit) {
        if (Double.isNaN(value) || Double.isNaN(limit)) {
            return "not measured";
        }
        if (value <= limit) {
            return "met";
        }
        return limit <= 0 ? String.format(Locale.ROOT, "missed by %,.0f", value - limit)
                : String.format(Locale.ROOT, "missed by %.0f %%", (value / limit - 1) * 100);
    }

    /** The verdict of "value ≥ limit": "met" or "missed by N %" (how far below the limit). */
    static String atLeast(double value, double limit) {
        if (Double.isNaN(value) || Double.isNaN(limit)) {
            return "not measured";
        }
        if (value >= limit) {
            return "met";
        }
        return limit <= 0 ? "missed" : String.format(Locale.ROOT, "missed by %.0f %%", (1 - value / limit) * 100);
    }

    /** Server CPU per delivered event, in CPU-microseconds: CPU % (100 = one core) over events/s. */
    static double cpuMicrosPerEvent(double cpuPercent, double eventsPerSecond) {
        if (Double.isNaN(cpuPercent) || Double.isNaN(eventsPerSecond) || eventsPerSecond <= 0) {
            return Double.NaN;
        }
        return cpuPercent / 100 * 1_000_000 / eventsPerSecond;
    }
}
