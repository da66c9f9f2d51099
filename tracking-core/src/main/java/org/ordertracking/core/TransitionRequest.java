package org.ordertracking.core;

import java.time.Instant;
import java.util.Objects;
import org.ordertracking.core.internal.Checks;

/**
 * What a caller asks of {@link OrderRepository#transition}: move {@code orderId} to {@code target}.
 *
 * @param orderId the order
 * @param target the status to move to
 * @param reason free text recorded with the event, at most {@link OrderEvent#MAX_REASON_LENGTH}
 *     characters and no control character (C0 — tab and line breaks included —, DEL, C1), may be {@code null}
 * @param actor who asks, recorded with the event, at most {@link OrderEvent#MAX_ACTOR_LENGTH} characters
 *     and no control character, may be {@code null}
 * @param at server time to record
 * @param expectedCurrent if not {@code null}, the transition only happens while the order is in this
 *     status (a conditional transition such as the acceptance timeout, which must not fail an order
 *     that was accepted a moment before); otherwise {@link IllegalTransitionException}
 * @throws IllegalArgumentException if an id, the reason or the actor is invalid (before anything is stored)
 * @since 0.1.0
 */
public record TransitionRequest(String orderId, OrderStatus target, String reason, String actor, Instant at,
        OrderStatus expectedCurrent) {

    public TransitionRequest {
        Checks.requireId(orderId, "orderId");
        Objects.requireNonNull(target, "target status must not be null");
        // what will be stored: no control characters (PostgreSQL refuses NUL), unlike OrderEvent, which
        // must decode whatever an older version stored
        Checks.requireText(reason, OrderEvent.MAX_REASON_LENGTH, "reason");
        Checks.requireText(actor, OrderEvent.MAX_ACTOR_LENGTH, "actor");
        Objects.requireNonNull(at, "at must not be null");
    }

    /** An unconditional transition. */
    public static TransitionRequest of(String orderId, OrderStatus target, String reason, String actor,
            Instant at) {
        return new TransitionRequest(orderId, target, reason, actor, at, null);
    }
}
