package org.ordertracking.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link DrainPlan}: where the come-back moments fall, the waves, and the refused opens' Retry-After. */
class DrainPlanTest {

    @Test
    void plan_twentySecondWindow_spreadsOverTwoThirdsInOneSecondWaves() {
        DrainPlan plan = new DrainPlan(Duration.ofSeconds(20));
        assertEquals(13_333, plan.spreadMillis());
        assertEquals(1_000, plan.waveMillis());
    }

    @Test
    void plan_shortWindow_hasAtLeastTenWavesNoShorterThanFiftyMillis() {
        assertEquals(133, new DrainPlan(Duration.ofSeconds(2)).waveMillis());
        assertEquals(50, new DrainPlan(Duration.ofMillis(400)).waveMillis());
        DrainPlan tiny = new DrainPlan(Duration.ofMillis(10));
        assertEquals(6, tiny.spreadMillis());
        assertEquals(6, tiny.waveMillis(), "never longer than the spread");
    }

    @Test
    void exit_isTheWaveAtOrBeforeTheComeBackMomentLessTheLead_plusTheRestAsRetry() {
        DrainPlan plan = new DrainPlan(Duration.ofSeconds(20));
        assertEquals(2_222, plan.maxLeadMillis(), "a sixth of the spread");
        assertEquals(new DrainPlan.Exit(0, 0), plan.exitFor(0, 0));
        assertEquals(new DrainPlan.Exit(3_000, 250), plan.exitFor(3_250, 0));
        assertEquals(new DrainPlan.Exit(2_000, 1_250), plan.exitFor(3_250, 1_000));
        assertEquals(new DrainPlan.Exit(0, 3_250), plan.exitFor(3_250, 5_000), "never ended before the drain began");
        assertEquals(new DrainPlan.Exit(13_000, 332), plan.exitFor(60_000, 0), "never back past the spread");
        assertEquals(new DrainPlan.Exit(0, 0), plan.exitFor(-5, 0));
    }

    @Test
    void draw_manyConnections_comeBackEvenlyOverTheSpread_noSecondHoldsMoreThanItsShare() {
        DrainPlan plan = new DrainPlan(Duration.ofSeconds(20));
        SplittableRandom random = new SplittableRandom(42);
        int n = 20_000;
        int[] perSecond = new int[20];
        int[] perWave = new int[20];
        int beyondOneWave = 0;
        for (int i = 0; i < n; i++) {
            DrainPlan.Exit exit = plan.draw(random);
            assertTrue(exit.endAtMillis() % plan.waveMillis() == 0, "ended on a wave: " + exit);
            assertTrue(exit.retryMillis() >= 0 && exit.retryMillis() < plan.maxLeadMillis() + plan.waveMillis(),
                    "retry within the lead and a wave: " + exit);
            long back = exit.endAtMillis() + exit.retryMillis();
            assertTrue(back < plan.spreadMillis(), "back within the spread: " + exit);
            perSecond[(int) (back / 1000)]++;
            perWave[(int) (exit.endAtMillis() / plan.waveMillis())]++;
            if (exit.retryMillis() >= plan.waveMillis()) {
                beyondOneWave++;
            }
        }
        for (int s = 0; s < 13; s++) {
            // the even share is n / 13.333 = 1,500 a second; 20,000 draws stay within 15 % of it
            assertTrue(perSecond[s] > 1_275 && perSecond[s] < 1_725, "second " + s + ": " + perSecond[s]);
        }
        assertTrue(perSecond[13] > 350 && perSecond[13] < 650, "the spread's last third of a second: " + perSecond[13]);
        for (int s = 14; s < 20; s++) {
            assertEquals(0, perSecond[s], "the last third of the window is slack");
        }
        for (int w = 0; w < 20; w++) {
            assertTrue(perWave[w] < n / 5, "no wave ends a fifth of the connections: wave " + w + " ends " + perWave[w]);
        }
        // a server that ends several waves late at once still sees their clients come back over seconds
        assertTrue(beyondOneWave > n / 2, "retries longer than a wave: " + beyondOneWave);
    }

    @Test
    void late_arrival_isEndedAtOnceAndBackWithinWhatIsLeft() {
        DrainPlan plan = new DrainPlan(Duration.ofSeconds(20));
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 1_000; i++) {
            DrainPlan.Exit exit = plan.late(10_000, random);
            assertEquals(0, exit.endAtMillis());
            assertTrue(exit.retryMillis() >= 0 && exit.retryMillis() < 3_333, exit.toString());
        }
        assertTrue(plan.late(30_000, random).retryMillis() < 1, "past the spread: back at once");
    }

    @Test
    void retryAfter_isAtLeastOneSecond_andWithinWhatIsLeftOfTheSpread() {
        DrainPlan plan = new DrainPlan(Duration.ofSeconds(20));
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 1_000; i++) {
            long seconds = plan.retryAfterSeconds(5_000, random);
            assertTrue(seconds >= 1 && seconds <= 9, Long.toString(seconds));
            assertEquals(1, plan.retryAfterSeconds(60_000, random));
        }
    }

    @Test
    void plan_nonPositiveWindow_isRejectedShowingIt() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> new DrainPlan(Duration.ZERO));
        assertEquals("window must be positive, but was PT0S", zero.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> new DrainPlan(Duration.ofSeconds(-3)));
        assertEquals("window must be positive, but was PT-3S", negative.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DrainPlan(null));
    }
}
