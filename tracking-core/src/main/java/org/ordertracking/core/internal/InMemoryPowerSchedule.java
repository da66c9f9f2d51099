package org.ordertracking.core.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.ordertracking.core.PowerPlan;
import org.ordertracking.core.PowerSchedule;

/**
 * A {@link PowerSchedule} in memory: one volatile plan, swapped whole, and the announcement claims in a
 * concurrent map, forgotten after {@link #CLAIM_RETENTION}. Thread-safe.
 */
public final class InMemoryPowerSchedule implements PowerSchedule {
    /** How long a claim is remembered: far longer than any order stays active. */
    static final Duration CLAIM_RETENTION = Duration.ofHours(24);
    private static final int PRUNE_EVERY = 1024;

    private volatile PowerPlan plan;
    private final Map<String, Instant> claims = new ConcurrentHashMap<>();
    private final AtomicInteger sincePrune = new AtomicInteger();

    public InMemoryPowerSchedule(PowerPlan plan) {
        this.plan = plan;
    }

    @Override
    public PowerPlan plan() {
        return plan;
    }

    @Override
    public void replace(PowerPlan plan) {
        this.plan = Objects.requireNonNull(plan, "plan must not be null");
    }

    @Override
    public boolean claimAnnouncement(String orderId, Instant at) {
        Checks.requireId(orderId, "orderId");
        Objects.requireNonNull(at, "at must not be null");
        boolean claimed = claims.putIfAbsent(orderId, at) == null;
        if (claimed && sincePrune.incrementAndGet() >= PRUNE_EVERY) {
            sincePrune.set(0);
            Instant cutoff = at.minus(CLAIM_RETENTION);
            claims.values().removeIf(claimedAt -> claimedAt.isBefore(cutoff));
        }
        return claimed;
    }

    /** Claims held now (for tests). */
    int claims() {
        return claims.size();
    }

    @Override
    public String toString() {
        return "InMemoryPowerSchedule[" + plan + "]";
    }
}
