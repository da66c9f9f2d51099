package org.ordertracking.core.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox relay: publishes the events that were committed more than a grace period ago and never
 * marked published (a crash between commit and publish, a bus outage), oldest first, in batches, and
 * marks each one published once its publisher returned. The grace keeps the relay from racing the
 * normal publish path of a live node; delivery is at least once, subscribers drop duplicates by seq.
 *
 * <p>Before it looks for unpublished events it flushes the {@link PublishMarks}, so that an event
 * published normally is not relayed again only because its mark was still queued.
 *
 * <p>Thread-safe if its publisher is; runs may overlap (the repository hands each batch to one
 * publisher call at a time).
 */
public final class OutboxRelay {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

    private final OrderRepository repository;
    private final Supplier<Instant> now;
    private final Duration grace;
    private final int batchSize;
    private final Consumer<OrderEvent> publisher;
    private final PublishMarks marks;

    /**
     * @param repository the outbox
     * @param now server time, against which the grace is measured
     * @param grace age an unpublished event must reach before it is relayed; not negative
     * @param batchSize events fetched per repository call
     * @param publisher publishes one event and returns only once the bus accepted it; throws if it did
     *     not, which leaves the event unpublished for the next run
     * @param marks the queued marks of the normal publish path, flushed first
     */
    public OutboxRelay(OrderRepository repository, Supplier<Instant> now, Duration grace, int batchSize,
            Consumer<OrderEvent> publisher, PublishMarks marks) {
        this.repository = Objects.requireNonNull(repository, "repository must not be null");
        this.now = Objects.requireNonNull(now, "now must not be null");
        Objects.requireNonNull(grace, "grace must not be null");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, but was " + grace);
        }
        this.grace = grace;
        this.batchSize = Checks.requirePositive(batchSize, "batchSize");
        this.publisher = Objects.requireNonNull(publisher, "publisher must not be null");
        this.marks = Objects.requireNonNull(marks, "marks must not be null");
    }

    /**
     * Relays every event older than the grace that is not marked published.
     *
     * @return how many events it published
     * @throws RuntimeException what the repository or the publisher threw; the events relayed before
     *     stay marked, the rest are relayed by the next run
     */
    public int run() {
        marks.flush();
        int total = 0;
        int published;
        do {
            published = repository.relayUnpublished(now.get().minus(grace), batchSize, publisher);
            total += published;
        } while (published == batchSize);
        if (total > 0) {
            LOG.info("outbox relay published {} event(s) that had been committed but not published", total);
        }
        return total;
    }
}
