package org.ordertracking.core;

import org.ordertracking.core.internal.Checks;

/**
 * Names one event of the audit trail: an order and a seq.
 *
 * @since 0.1.0
 */
public record EventRef(String orderId, long seq) {

    public EventRef {
        Checks.requireId(orderId, "orderId");
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be at least 1, but was " + seq);
        }
    }

    public static EventRef of(OrderEvent event) {
        return new EventRef(event.orderId(), event.seq());
    }
}
