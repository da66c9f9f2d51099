package org.ordertracking.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * When an order counts as at risk of a scheduled power cut. An active order placed at {@code P} is
 * at risk when a cut of its restaurant's area <em>starts</em>
 *
 * <ul>
 *   <li>within the {@link #lead()} of its placement: {@code P <= start <= P + lead} (both ends
 *       included: a cut exactly {@code lead} after the placement counts), reason
 *       {@link PowerRisk.Reason#PLACED_BEFORE_CUT}; or</li>
 *   <li>inside its expected preparation-and-delivery window: {@code P <= start <= P + expectedDuration},
 *       reason {@link PowerRisk.Reason#DURING_DELIVERY} (when not within the lead).</li>
 * </ul>
 *
 * <p>A cut that started before the placement does not make an order at risk: what breaks orders is
 * the switch-over (the kitchen's screens, the router and the POS restart on the generator), and that
 * switch-over was behind it. The first cut that qualifies is the one reported. A terminal order is
 * never at risk. Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class PowerRiskPolicy {

    /**
     * Default lead: 10 minutes, the article's figure for orders "placed ~10 minutes before a scheduled
     * cut".
     */
    public static final Duration DEFAULT_LEAD = Duration.ofMinutes(10);

    /**
     * Default expected preparation-and-delivery time: 45 minutes, the upper end of a typical Beirut
     * delivery (15 to 20 minutes in the kitchen, 20 to 25 on the road). A cut later than that most
     * likely finds the order delivered; set your platform's own 90th percentile.
     */
    public static final Duration DEFAULT_EXPECTED_DURATION = Duration.ofMinutes(45);

    private static final PowerRiskPolicy DEFAULTS = new PowerRiskPolicy(DEFAULT_LEAD, DEFAULT_EXPECTED_DURATION);

    private final Duration lead;
    private final Duration expectedDuration;

    private PowerRiskPolicy(Duration lead, Duration expectedDuration) {
        this.lead = lead;
        this.expectedDuration = expectedDuration;
    }

    /** Returns the policy with {@link #DEFAULT_LEAD} and {@link #DEFAULT_EXPECTED_DURATION}. */
    public static PowerRiskPolicy defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a policy.
     *
     * @param lead how long after a placement a cut's start makes the order "placed before a cut"; zero
     *     or positive
     * @param expectedDuration the expected preparation-and-delivery time; zero (only the lead counts) or
     *     positive
     * @throws IllegalArgumentException showing a negative value
     */
    public static PowerRiskPolicy of(Duration lead, Duration expectedDuration) {
        return new PowerRiskPolicy(notNegative(lead, "lead"), notNegative(expectedDuration, "expectedDuration"));
    }

    private static Duration notNegative(Duration value, String name) {
        Objects.requireNonNull(value, () -> name + " must not be null");
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, but was " + value);
        }
        return value;
    }

    public Duration lead() {
        return lead;
    }

    public Duration expectedDuration() {
        return expectedDuration;
    }

    /**
     * Assesses an order against a plan at {@code now}.
     *
     * @return the risk, or {@code null} if the order is terminal, its restaurant is not in the plan, or
     *     no cut of its area starts within the lead or the expected window
     */
    public PowerRisk assess(TrackedOrder order, PowerPlan plan, Instant now) {
        Objects.requireNonNull(order, "order must not be null");
        Objects.requireNonNull(plan, "plan must not be null");
        Objects.requireNonNull(now, "now must not be null");
        if (order.status().isTerminal()) {
            return null;
        }
        Instant placed = order.createdAt();
        Duration horizon = lead.compareTo(expectedDuration) >= 0 ? lead : expectedDuration;
        List<PowerCut> cuts = plan.cutsOfRestaurant(order.restaurantId(), placed, placed.plus(horizon));
        if (cuts.isEmpty()) {
            return null;
        }
        PowerCut first = cuts.get(0);
        PowerRisk.Reason reason = Duration.between(placed, first.start()).compareTo(lead) <= 0
                ? PowerRisk.Reason.PLACED_BEFORE_CUT : PowerRisk.Reason.DURING_DELIVERY;
        return new PowerRisk(order.orderId(), order.restaurantId(), placed, first, reason, now);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PowerRiskPolicy other && lead.equals(other.lead)
                && expectedDuration.equals(other.expectedDuration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(lead, expectedDuration);
    }

    @Override
    public String toString() {
        return "PowerRiskPolicy[lead=" + lead + ", expectedDuration=" + expectedDuration + "]";
    }
}
