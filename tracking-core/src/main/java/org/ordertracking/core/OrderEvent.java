package org.ordertracking.core;

import java.time.Instant;
import java.util.Objects;
import org.ordertracking.core.internal.Checks;

/**
 * One entry of an order's audit trail: the transition that gave the order {@code status}.
 *
 * @param orderId the order
 * @param seq position in the order's trail: 1 for {@code received}, then 2, 3 … with no gaps
 * @param status the status the order moved to
 * @param previous the status it left, {@code null} only for seq 1
 * @param reason free text given with the transition, may be {@code null}
 * @param actor who caused it, as the host names it (e.g. {@code "restaurant:r-17"}), may be {@code null}
 * @param at server time of the commit
 * @since 0.1.0
 */
public record OrderEvent(String orderId, long seq, OrderStatus status, OrderStatus previous, String reason,
        String actor, Instant at) {

    /** Longest accepted {@code reason}, in characters. */
    public static final int MAX_REASON_LENGTH = 500;

    /** Longest accepted {@code actor}, in characters. */
    public static final int MAX_ACTOR_LENGTH = 200;

    public OrderEvent {
        Checks.requireId(orderId, "orderId");
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be at least 1, but was " + seq);
        }
        Objects.requireNonNull(status, "status must not be null");
        if (seq == 1 && previous != null) {
            throw new IllegalArgumentException("the first event has no previous status, but was " + previous);
        }
        if (seq > 1 && previous == null) {
            throw new IllegalArgumentException("event " + seq + " must name its previous status");
        }
        requireText(reason, MAX_REASON_LENGTH, "reason");
        requireText(actor, MAX_ACTOR_LENGTH, "actor");
        Objects.requireNonNull(at, "at must not be null");
    }

    static void requireText(String value, int max, String name) {
        if (value != null && value.length() > max) {
            throw new IllegalArgumentException(name + " must be at most " + max + " characters, but was "
                    + value.length() + " characters long");
        }
    }
}
