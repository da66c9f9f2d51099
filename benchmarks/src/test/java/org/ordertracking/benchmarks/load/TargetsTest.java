package org.ordertracking.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The arithmetic of issue 17's targets table. */
class TargetsTest {
    private static NavigableMap<Integer, Targets.Step> steps(double[][] rows) {
        NavigableMap<Integer, Targets.Step> steps = new TreeMap<>();
        for (double[] row : rows) {
            steps.put((int) row[0], new Targets.Step((int) row[0], row[1], row[2]));
        }
        return steps;
    }

    @Test
    void saturationPoint_stepsUntilTheFirstFailure_isTheLastRateThatHeld() {
        NavigableMap<Integer, Targets.Step> steps = steps(new double[][] {
                {1000, 2.1, 1000}, {2000, 4.0, 1999}, {3500, 48.0, 3490}, {5000, 3200, 4100}, {7500, 9000, 4200}});
        assertEquals(3500, Targets.saturationPoint(steps, 50, 0.95));
    }

    @Test
    void saturationPoint_aPassAboveAFailure_isNoiseNotCapacity() {
        NavigableMap<Integer, Targets.Step> steps = steps(new double[][] {
                {1000, 2, 1000}, {2000, 80, 2000}, {3500, 10, 3500}});
        assertEquals(1000, Targets.saturationPoint(steps, 50, 0.95));
    }

    @Test
    void saturationPoint_publishersFallingBehind_failsTheStepEvenWithALowP99() {
        // a closed-loop publisher behind its schedule hides saturation: 3,000 of 5,000 published
        NavigableMap<Integer, Targets.Step> steps = steps(new double[][] {{1000, 2, 1000}, {5000, 5, 3000}});
        assertEquals(1000, Targets.saturationPoint(steps, 50, 0.95));
    }

    @Test
    void saturationPoint_lowestStepFailsOrNoSteps_isZero() {
        assertEquals(0, Targets.saturationPoint(steps(new double[][] {{1000, 51, 1000}, {2000, 10, 2000}}), 50, 0.95));
        assertEquals(0, Targets.saturationPoint(new TreeMap<>(), 50, 0.95));
        assertEquals(0, Targets.saturationPoint(steps(new double[][] {{1000, Double.NaN, 1000}}), 50, 0.95));
    }

    @Test
    void saturationPoint_everyStepHolds_isTheHighestStep() {
        assertEquals(10_000, Targets.saturationPoint(steps(new double[][] {
                {10_000, 50, 9_500}, {1000, 1, 1000}, {5000, 3, 5000}}), 50, 0.95));
    }

    @Test
    void ratio_missingOrNonPositiveDenominator_isNaN() {
        assertEquals(2.8, Targets.ratio(78, 78 / 2.8), 1e-9);
        assertTrue(Double.isNaN(Targets.ratio(1, 0)));
        assertTrue(Double.isNaN(Targets.ratio(Double.NaN, 1)));
        assertTrue(Double.isNaN(Targets.ratio(1, Double.NaN)));
    }

    @Test
    void atMost_saysMetOrByHowMuchItWasMissed() {
        assertEquals("met", Targets.atMost(1.5, 1.5));
        assertEquals("met", Targets.atMost(0.9, 1.0));
        assertEquals("missed by 87 %", Targets.atMost(2.8, 1.5));
        assertEquals("missed by 3", Targets.atMost(3, 0));
        assertEquals("met", Targets.atMost(0, 0));
        assertEquals("not measured", Targets.atMost(Double.NaN, 2));
    }

    @Test
    void atLeast_saysMetOrByHowMuchItFellShort() {
        assertEquals("met", Targets.atLeast(1.0, 1.0));
        assertEquals("missed by 30 %", Targets.atLeast(0.7, 1.0));
        assertEquals("not measured", Targets.atLeast(Double.NaN, 1.0));
    }

    @Test
    void cpuMicrosPerEvent_isCpuTimeOverDeliveredEvents() {
        // 161 % CPU (1.61 cores) delivering 50,000 events/s: 32.2 µs of CPU per event
        assertEquals(32.2, Targets.cpuMicrosPerEvent(161, 50_000), 1e-9);
        assertTrue(Double.isNaN(Targets.cpuMicrosPerEvent(50, 0)));
    }
}
