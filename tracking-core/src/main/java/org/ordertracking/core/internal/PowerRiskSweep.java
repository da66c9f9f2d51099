package org.ordertracking.core.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.PowerPlan;
import org.ordertracking.core.PowerRisk;
import org.ordertracking.core.PowerRiskPolicy;
import org.ordertracking.core.PowerSchedule;
import org.ordertracking.core.TrackedOrder;

/**
 * The periodic power-risk sweep of an {@code OrderTracker}: reads the active orders (up to
 * {@code maxOrders} per status), assesses each against the schedule's current plan, keeps the count
 * of those at risk for the gauge, and hands every at-risk order whose announcement it could claim to
 * {@code announce}. So an order that became at risk because the plan changed after it was placed is
 * announced too, once. Runs on one thread at a time (the tracker's scheduler).
 */
public final class PowerRiskSweep {
    private final OrderRepository repository;
    private final PowerSchedule schedule;
    private final PowerRiskPolicy policy;
    private final Supplier<Instant> now;
    private final int maxOrders;
    private final Consumer<PowerRisk> announce;
    /** The at-risk orders by id, as of the last sweep plus those found since; replaced by each sweep. */
    private volatile Map<String, PowerRisk> current = new ConcurrentHashMap<>();

    public PowerRiskSweep(OrderRepository repository, PowerSchedule schedule, PowerRiskPolicy policy,
            Supplier<Instant> now, int maxOrders, Consumer<PowerRisk> announce) {
        this.repository = repository;
        this.schedule = schedule;
        this.policy = policy;
        this.now = now;
        this.maxOrders = maxOrders;
        this.announce = announce;
    }

    /**
     * Runs one sweep.
     *
     * @return how many active orders are at risk
     */
    public int run() {
        PowerPlan plan = schedule.plan();
        Instant at = now.get();
        List<PowerRisk> found = new ArrayList<>();
        for (OrderStatus status : OrderStatus.values()) {
            if (status.isTerminal()) {
                continue;
            }
            for (TrackedOrder order : repository.findByStatus(status, null, maxOrders)) {
                PowerRisk risk = policy.assess(order, plan, at);
                if (risk != null) {
                    found.add(risk);
                }
            }
        }
        // the list first, so whoever hears an announcement reads a gauge (and a list) that includes it
        Map<String, PowerRisk> next = new ConcurrentHashMap<>();
        for (PowerRisk risk : found) {
            next.put(risk.orderId(), risk);
        }
        current = next;
        for (PowerRisk risk : found) {
            if (schedule.claimAnnouncement(risk.orderId(), at)) {
                announce.accept(risk);
            }
        }
        return found.size();
    }

    /** Adds an at-risk order found between sweeps (the next sweep reassesses them all). */
    public void found(PowerRisk risk) {
        current.put(risk.orderId(), risk);
    }

    /** How many active orders are at risk, as of the last sweep (plus those found since). */
    public int atRisk() {
        return current.size();
    }

    /** The active orders at risk, as of the last sweep (plus those found since), by order id. */
    public List<PowerRisk> risks() {
        List<PowerRisk> risks = new ArrayList<>(current.values());
        risks.sort(java.util.Comparator.comparing(PowerRisk::orderId));
        return risks;
    }
}
