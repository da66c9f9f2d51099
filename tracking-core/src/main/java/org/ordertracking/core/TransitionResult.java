package org.ordertracking.core;

import java.util.Objects;

/**
 * The outcome of a transition or a registration.
 *
 * @param order the order after the step
 * @param event the event that produced the order's current status
 * @param applied {@code true} if this call wrote {@code event}; {@code false} if it repeated the
 *     transition that produced the current status and {@code event} is the existing one
 * @since 0.1.0
 */
public record TransitionResult(TrackedOrder order, OrderEvent event, boolean applied) {

    public TransitionResult {
        Objects.requireNonNull(order, "order must not be null");
        Objects.requireNonNull(event, "event must not be null");
    }
}
