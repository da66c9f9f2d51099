package org.ordertracking.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import org.ordertracking.core.internal.Checks;

/**
 * Why an active order is at risk of a scheduled power cut: the first cut of its restaurant's area
 * that starts within the {@linkplain PowerRiskPolicy#lead() lead} of the order's placement, or inside
 * its {@linkplain PowerRiskPolicy#expectedDuration() expected preparation-and-delivery window}.
 * {@link PowerRiskPolicy#assess} decides it; {@link OrderTracker#powerRisk} answers it for an order.
 *
 * @param orderId the order
 * @param restaurantId its restaurant
 * @param placedAt when the order was placed (registered)
 * @param cut the cut, in the restaurant's area
 * @param reason whether the cut starts within the lead of the placement or later in the window
 * @param assessedAt server time of the assessment, from which {@link #minutesUntil()} counts
 * @since 0.1.0
 */
public record PowerRisk(String orderId, String restaurantId, Instant placedAt, PowerCut cut, Reason reason,
        Instant assessedAt) {

    /** Where in the order's life the cut falls. */
    public enum Reason {
        /** The cut starts within the lead of the placement: the order was placed just before a cut. */
        PLACED_BEFORE_CUT,
        /** The cut starts later, inside the expected preparation-and-delivery window. */
        DURING_DELIVERY;

        private final String wireName = name().toLowerCase(Locale.ROOT);

        /** Returns the snake_case name used in JSON, e.g. {@code "placed_before_cut"}. */
        public String wireName() {
            return wireName;
        }

        /**
         * Parses a wire name.
         *
         * @throws IllegalArgumentException naming the value if it is not a reason
         */
        public static Reason fromWireName(String name) {
            for (Reason reason : values()) {
                if (reason.wireName.equals(name)) {
                    return reason;
                }
            }
            throw new IllegalArgumentException("unknown power risk reason '" + name
                    + "'; expected placed_before_cut or during_delivery");
        }
    }

    public PowerRisk {
        Checks.requireId(orderId, "orderId");
        Checks.requireId(restaurantId, "restaurantId");
        Objects.requireNonNull(placedAt, "placedAt must not be null");
        Objects.requireNonNull(cut, "cut must not be null");
        Objects.requireNonNull(reason, "reason must not be null");
        Objects.requireNonNull(assessedAt, "assessedAt must not be null");
    }

    /** Returns the area of the cut (the restaurant's area). */
    public String area() {
        return cut.area();
    }

    /**
     * Returns the minutes from {@link #assessedAt()} to the cut's start, rounded up: 10 when it starts
     * in 9 minutes 20 seconds, 0 when it starts now or started less than a minute ago, negative once it
     * started a minute or more before.
     */
    public long minutesUntil() {
        long millis = Duration.between(assessedAt, cut.start()).toMillis();
        return -Math.floorDiv(-millis, 60_000L);
    }
}
