package org.ordertracking.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.ordertracking.core.EventRef;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;

/**
 * The publish marks of events the bus accepted, queued and written to the repository in batches
 * ({@link OrderRepository#markPublished}), so a transition never pays a second write for its mark.
 * A mark that is lost (the process dies before a flush) costs only a duplicate publish by the outbox
 * relay, which subscribers drop by seq.
 *
 * <p>Thread-safe: {@link #add} takes no lock; flushes may run concurrently with adds and with each
 * other (each mark is written by exactly one of them).
 */
public final class PublishMarks {
    private final OrderRepository repository;
    private final int batchSize;
    private final ConcurrentLinkedQueue<EventRef> queue = new ConcurrentLinkedQueue<>();
    /** Size of {@link #queue}: the queue's own size() walks it. */
    private final AtomicInteger pending = new AtomicInteger();

    /**
     * @param repository where the marks are written
     * @param batchSize pending marks at which {@link #isFull()} says a flush is due
     */
    public PublishMarks(OrderRepository repository, int batchSize) {
        this.repository = Objects.requireNonNull(repository, "repository must not be null");
        this.batchSize = Checks.requirePositive(batchSize, "batchSize");
    }

    /** Queues the mark of an event the bus accepted. */
    public void add(OrderEvent event) {
        queue.add(EventRef.of(event));
        pending.incrementAndGet();
    }

    /** Returns how many marks wait for a flush. */
    public int pending() {
        return pending.get();
    }

    /** Returns whether a batch's worth of marks waits, so the caller should flush now. */
    public boolean isFull() {
        return pending.get() >= batchSize;
    }

    /**
     * Writes every queued mark in one call. If the repository throws, the marks go back into the
     * queue for the next flush and the exception propagates.
     *
     * @return how many marks it wrote
     */
    public int flush() {
        EventRef ref = queue.poll();
        if (ref == null) {
            return 0;
        }
        List<EventRef> batch = new ArrayList<>();
        do {
            pending.decrementAndGet();
            batch.add(ref);
        } while ((ref = queue.poll()) != null);
        try {
            repository.markPublished(batch);
        } catch (RuntimeException e) {
            queue.addAll(batch);
            pending.addAndGet(batch.size());
            throw e;
        }
        return batch.size();
    }
}
