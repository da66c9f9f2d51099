package org.ordertracking.spring.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ordertracking.core.OrderRepository;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Order tracking's health, shown by Actuator as {@code tracking}: {@code DOWN} when the repository
 * does not answer a lookup, when a networked bus's server does not answer a ping, or when the outbox
 * holds {@code outboxBacklogThreshold} or more unpublished events (the bus has been failing for a
 * while). Details name each check; they never hold credentials or URLs. Thread-safe.
 *
 * @since 0.1.0
 */
public class TrackingHealthIndicator implements HealthIndicator {
    /** The id looked up to prove the repository answers; no order has it. */
    static final String PROBE_ORDER_ID = "tracking-health-probe";

    private final OrderRepository repository;
    private final BusProbe bus;
    private final OutboxProbe outbox;
    private final long outboxBacklogThreshold;

    TrackingHealthIndicator(OrderRepository repository, BusProbe bus, OutboxProbe outbox,
            long outboxBacklogThreshold) {
        this.repository = repository;
        this.bus = bus;
        this.outbox = outbox;
        this.outboxBacklogThreshold = outboxBacklogThreshold;
    }

    @Override
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean up = true;
        try {
            repository.find(PROBE_ORDER_ID);
            details.put("repository", "reachable");
        } catch (RuntimeException e) {
            up = false;
            details.put("repository", "unreachable: " + e.getClass().getSimpleName());
        }
        if (bus == null) {
            details.put("bus", "in process");
        } else {
            try {
                bus.check();
                details.put("bus", "connected");
            } catch (Exception e) {
                up = false;
                details.put("bus", "disconnected: " + e.getClass().getSimpleName());
            }
        }
        if (outbox != null) {
            try {
                OutboxProbe.Backlog backlog = outbox.read();
                details.put("outboxBacklog", backlog.events());
                details.put("outboxOldestAgeSeconds", backlog.oldestAge().toSeconds());
                details.put("outboxBacklogThreshold", outboxBacklogThreshold);
                if (backlog.events() >= outboxBacklogThreshold) {
                    up = false;
                }
            } catch (Exception e) {
                up = false;
                details.put("outboxBacklog", "unreadable: " + e.getClass().getSimpleName());
            }
        }
        return (up ? Health.up() : Health.down()).withDetails(details).build();
    }
}
