package org.ordertracking.core.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.ordertracking.core.IllegalTransitionException;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.TransitionRequest;
import org.ordertracking.core.TransitionResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acceptance-timeout sweep: fails every order that has been {@code received} for longer than the
 * timeout, judged from the stored timestamps (so it holds across restarts), in batches. Each failure
 * is a conditional transition ({@code received -> failed} only if still {@code received}), so an
 * order accepted between the query and the transition is left alone.
 *
 * <p>Thread-safe if its transition function is; overlapping runs fail each order once (the second
 * transition is refused or repeats the first).
 */
public final class AcceptanceSweeper {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptanceSweeper.class);

    private final OrderRepository repository;
    private final Supplier<Instant> now;
    private final Duration timeout;
    private final int batchSize;
    private final String reason;
    private final String actor;
    private final Function<TransitionRequest, TransitionResult> transition;

    /**
     * @param repository where expired orders are found
     * @param now server time
     * @param timeout how long an order may stay {@code received}; positive
     * @param batchSize orders fetched per query
     * @param reason recorded with each failure
     * @param actor recorded with each failure
     * @param transition applies one transition and publishes it (the tracker's commit path)
     */
    public AcceptanceSweeper(OrderRepository repository, Supplier<Instant> now, Duration timeout, int batchSize,
            String reason, String actor, Function<TransitionRequest, TransitionResult> transition) {
        this.repository = Objects.requireNonNull(repository, "repository must not be null");
        this.now = Objects.requireNonNull(now, "now must not be null");
        this.timeout = Checks.requirePositive(timeout, "timeout");
        this.batchSize = Checks.requirePositive(batchSize, "batchSize");
        this.reason = reason;
        this.actor = actor;
        this.transition = Objects.requireNonNull(transition, "transition must not be null");
    }

    /**
     * Fails the expired orders.
     *
     * @return how many orders it failed
     */
    public int run() {
        int failed = 0;
        Instant cutoff = now.get().minus(timeout);
        while (true) {
            List<TrackedOrder> expired = repository.findByStatus(OrderStatus.RECEIVED, cutoff, batchSize);
            int before = failed;
            for (TrackedOrder order : expired) {
                try {
                    TransitionResult result = transition.apply(new TransitionRequest(order.orderId(),
                            OrderStatus.FAILED, reason, actor, now.get(), OrderStatus.RECEIVED));
                    if (result.applied()) {
                        failed++;
                    }
                } catch (IllegalTransitionException e) {
                    LOG.debug("order {} left received before its acceptance timeout", order.orderId());
                }
            }
            // a full batch that failed nothing would be found again: stop rather than spin
            if (expired.size() < batchSize || failed == before) {
                return failed;
            }
        }
    }
}
