package org.ordertracking.core;

import java.time.Instant;

/**
 * The outbox as {@link OrderRepository#outboxBacklog()} reads it: events committed but not yet
 * published, and when the oldest of them was committed.
 *
 * @param events how many events are committed and not yet marked published
 * @param oldestCommittedAt when the oldest of them was committed, or {@code null} when there is none
 * @since 0.1.0
 */
public record OutboxBacklog(long events, Instant oldestCommittedAt) {

    /** An empty outbox. */
    public static final OutboxBacklog EMPTY = new OutboxBacklog(0, null);

    public OutboxBacklog {
        if (events < 0) {
            throw new IllegalArgumentException("events must not be negative, but was " + events);
        }
        if ((events == 0) != (oldestCommittedAt == null)) {
            throw new IllegalArgumentException("oldestCommittedAt must be given exactly when events is positive, but"
                    + " events was " + events + " and oldestCommittedAt " + oldestCommittedAt);
        }
    }
}
