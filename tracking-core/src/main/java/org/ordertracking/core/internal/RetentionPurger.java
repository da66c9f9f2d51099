package org.ordertracking.core.internal;

import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.PurgeResult;
import org.ordertracking.core.RetentionConfig;

/**
 * One run of the retention policy: purges terminal orders that finished more than the policy's
 * {@code maxAge} ago, batch by batch through {@link OrderRepository#purgeTerminal}, judged from the
 * stored timestamps (so a restart changes nothing). A run ends when a batch comes back short (nothing
 * more is eligible), when another purger holds the lease (it carries on), or after
 * {@value #MAX_BATCHES_PER_RUN} batches, so that a backlog — a database where retention was just
 * turned on — is worked off over several runs instead of holding a scheduler thread for minutes.
 *
 * <p>Thread-safe: overlapping runs are serialized by the repository's lease.
 */
public final class RetentionPurger {

    /** Most batches one run purges: 10 × the default 500 = 5,000 orders a minute. */
    public static final int MAX_BATCHES_PER_RUN = 10;

    private final OrderRepository repository;
    private final Supplier<Instant> now;
    private final RetentionConfig config;

    /** The outcome of one run. */
    public record Run(int purged, Instant finishedBefore, boolean busy) {
    }

    /**
     * @param repository where orders are purged
     * @param now server time
     * @param config the policy; must be enabled
     */
    public RetentionPurger(OrderRepository repository, Supplier<Instant> now, RetentionConfig config) {
        this.repository = Objects.requireNonNull(repository, "repository must not be null");
        this.now = Objects.requireNonNull(now, "now must not be null");
        this.config = Objects.requireNonNull(config, "config must not be null");
        if (!config.enabled()) {
            throw new IllegalArgumentException("the retention policy is disabled: " + config);
        }
    }

    /** Purges what is eligible now, up to {@value #MAX_BATCHES_PER_RUN} batches. */
    public Run run() {
        Instant cutoff = now.get().minus(config.maxAge());
        int purged = 0;
        for (int batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
            PurgeResult result = repository.purgeTerminal(cutoff, config.batchSize());
            if (result.busy()) {
                return new Run(purged, cutoff, true);
            }
            purged += result.purged();
            if (result.purged() < config.batchSize()) {
                break;
            }
        }
        return new Run(purged, cutoff, false);
    }
}
