package org.ordertracking.core;

import java.util.Objects;
import org.ordertracking.core.internal.Checks;

/**
 * An order to register for tracking. Ids are 1 to 128 characters of {@code [A-Za-z0-9_.-]}.
 *
 * @param orderId the order's id in the host platform
 * @param restaurantId the restaurant that prepares it
 * @param customerId the customer who watches it
 * @param destination where it is delivered
 * @since 0.1.0
 */
public record NewOrder(String orderId, String restaurantId, String customerId, GeoPoint destination) {

    public NewOrder {
        Checks.requireId(orderId, "orderId");
        Checks.requireId(restaurantId, "restaurantId");
        Checks.requireId(customerId, "customerId");
        Objects.requireNonNull(destination, "destination must not be null");
    }
}
