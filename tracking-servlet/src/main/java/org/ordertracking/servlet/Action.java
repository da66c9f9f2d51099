package org.ordertracking.servlet;

/**
 * What a request wants to do; one value per row of the HTTP surface.
 *
 * @since 0.1.0
 */
public enum Action {
    /** {@code GET /orders/{id}/stream}. */
    WATCH_ORDER,
    /** {@code GET /orders/{id}}. */
    READ_ORDER,
    /** {@code POST /orders}. */
    REGISTER_ORDER,
    /** {@code POST /orders/{id}/transitions}. */
    TRANSITION_ORDER,
    /** {@code POST /orders/{id}/driver}. */
    ASSIGN_DRIVER,
    /**
     * {@code DELETE /orders/{id}/driver}: take the order back from its driver.
     *
     * @since 0.1.0
     */
    UNASSIGN_DRIVER,
    /** {@code GET /restaurants/{id}/stream}. */
    WATCH_RESTAURANT,
    /** {@code GET /restaurants/{id}/orders}. */
    LIST_RESTAURANT_ORDERS,
    /** {@code WS /drivers/{id}/socket}. */
    DRIVER_SOCKET,
    /** {@code POST /drivers/{id}/locations}. */
    REPORT_LOCATIONS,
    /**
     * {@code GET /drivers/{id}/orders}: the driver's current assignments.
     *
     * @since 0.1.0
     */
    LIST_DRIVER_ORDERS,
    /** {@code GET /metrics}. */
    READ_METRICS,
    /**
     * {@code GET /operations/stream}: the operators' stream of offline restaurants, stuck and at-risk
     * orders and the node's figures. Operators only, by default.
     *
     * @since 0.1.0
     */
    WATCH_OPERATIONS
}
