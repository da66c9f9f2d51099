package org.ordertracking.servlet;

import java.util.Objects;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.TrackedOrder;

/**
 * One request to authorize: the action and the resource it touches.
 *
 * @param action what is asked
 * @param order the order concerned (as stored), or {@code null} when the action is not about a stored order
 * @param restaurantId the restaurant concerned (the path's, or the body's for a registration), or {@code null}
 * @param driverId the driver concerned (the path's), or {@code null}
 * @param target the status asked for by a transition, or {@code null}
 * @since 0.1.0
 */
public record Access(Action action, TrackedOrder order, String restaurantId, String driverId, OrderStatus target) {

    public Access {
        Objects.requireNonNull(action, "action must not be null");
        if (action == Action.TRANSITION_ORDER && (order == null || target == null)) {
            throw new IllegalArgumentException("a transition needs its order and target status");
        }
    }

    /** An action on a stored order. */
    public static Access toOrder(Action action, TrackedOrder order) {
        return new Access(action, Objects.requireNonNull(order, "order must not be null"), order.restaurantId(),
                order.driverId(), null);
    }

    /** A transition of a stored order to {@code target}. */
    public static Access transition(TrackedOrder order, OrderStatus target) {
        return new Access(Action.TRANSITION_ORDER, order, order.restaurantId(), order.driverId(), target);
    }

    /** An action on a restaurant. */
    public static Access toRestaurant(Action action, String restaurantId) {
        return new Access(action, null, restaurantId, null, null);
    }

    /** An action of a driver. */
    public static Access toDriver(Action action, String driverId) {
        return new Access(action, null, null, driverId, null);
    }

    /** An action on no particular resource, such as reading the metrics. */
    public static Access global(Action action) {
        return new Access(action, null, null, null, null);
    }
}
