package org.ordertracking.servlet;

import java.util.Objects;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.TrackedOrder;

/**
 * Decides who a caller is and what it may do. The host implements it, or uses the default
 * {@link JwtAuthorizer} (HS256 bearer tokens).
 *
 * <p>Every request is first {@linkplain #authenticate authenticated} (no or bad credential: 401),
 * then the resource it names is loaded (unknown order: 404), then it is {@linkplain #authorize
 * authorized} (refused: 403). The default {@link #authorize} applies {@link #defaultRules}, the table
 * of the design.
 *
 * <p>Implementations must be thread-safe and must not block for long: {@link #authenticate} runs
 * on a container thread for every request and WebSocket handshake.
 *
 * @since 0.1.0
 */
public interface Authorizer {

    /**
     * Returns the caller a credential belongs to.
     *
     * @param token the bearer token from the {@code Authorization} header or, on the SSE stream GETs
     *     and the driver socket handshake only, the {@code access_token} query parameter; {@code null}
     *     if the request carried none
     * @throws AuthenticationException if there is no token, or it is malformed, tampered with or expired
     */
    Caller authenticate(String token) throws AuthenticationException;

    /** Returns whether {@code caller} may do {@code access}; by default {@link #defaultRules}. */
    default boolean authorize(Caller caller, Access access) {
        return defaultRules(caller, access);
    }

    /**
     * Returns whether {@code caller} could do {@code action} to <em>some</em> resource: {@code false}
     * means never, whatever the order, restaurant, driver or body. The servlet asks this before it reads a
     * request body, so that a token that can never write (a customer's) is refused with 403 without the
     * server reading and parsing up to {@code maxBodyBytes} of JSON; the full {@link #authorize} check
     * follows once the resource is known. By default {@link #defaultMayAttempt}, the role table of
     * {@link #defaultRules}: if you override {@link #authorize} to allow a role more than the default
     * table does, override this method as well.
     *
     * @since 0.1.0
     */
    default boolean mayAttempt(Caller caller, Action action) {
        return defaultMayAttempt(caller, action);
    }

    /**
     * The roles of {@link #defaultRules}, without the resource: a customer may only watch and read
     * orders; a restaurant may not assign drivers, report positions, open a driver socket, read the
     * metrics or watch operations; a driver may watch, read and move orders, report positions, open its socket and list its
     * orders; an
     * operator may do everything but report positions and open a driver socket. Whenever
     * {@code defaultRules(caller, access)} is true, {@code defaultMayAttempt(caller, access.action())} is.
     *
     * @since 0.1.0
     */
    static boolean defaultMayAttempt(Caller caller, Action action) {
        Objects.requireNonNull(caller, "caller must not be null");
        Objects.requireNonNull(action, "action must not be null");
        return switch (caller.role()) {
            case OPERATOR -> action != Action.REPORT_LOCATIONS && action != Action.DRIVER_SOCKET;
            case CUSTOMER -> action == Action.WATCH_ORDER || action == Action.READ_ORDER;
            case RESTAURANT -> switch (action) {
                case WATCH_ORDER, READ_ORDER, REGISTER_ORDER, TRANSITION_ORDER, WATCH_RESTAURANT,
                        LIST_RESTAURANT_ORDERS -> true;
                default -> false;
            };
            case DRIVER -> switch (action) {
                case WATCH_ORDER, READ_ORDER, TRANSITION_ORDER, DRIVER_SOCKET, REPORT_LOCATIONS,
                        LIST_DRIVER_ORDERS -> true;
                default -> false;
            };
        };
    }

    /**
     * The authorization table of the design:
     * <ul>
     *   <li>operator: everything except reporting a driver's position and opening a driver socket; the
     *       operations stream ({@link Action#WATCH_OPERATIONS}) is theirs alone;</li>
     *   <li>customer: watch and read the one order its token is bound to;</li>
     *   <li>restaurant: watch and read its orders, register orders for itself, move its orders to
     *       {@code accepted}, {@code preparing}, {@code ready}, or {@code failed} (reject/cancel) while
     *       the order is not picked up; watch and list its own restaurant;</li>
     *   <li>driver: watch and read the orders assigned to it, move them to {@code picked_up},
     *       {@code delivered}, or {@code failed} once picked up (delivery failed); report its own
     *       position, open its own socket and list its own current assignments.</li>
     * </ul>
     */
    static boolean defaultRules(Caller caller, Access access) {
        Objects.requireNonNull(caller, "caller must not be null");
        Objects.requireNonNull(access, "access must not be null");
        String sub = caller.subject();
        TrackedOrder order = access.order();
        return switch (caller.role()) {
            case OPERATOR -> access.action() != Action.REPORT_LOCATIONS && access.action() != Action.DRIVER_SOCKET;
            case CUSTOMER -> (access.action() == Action.WATCH_ORDER || access.action() == Action.READ_ORDER)
                    && order != null && order.orderId().equals(sub);
            case RESTAURANT -> switch (access.action()) {
                case WATCH_ORDER, READ_ORDER -> order != null && order.restaurantId().equals(sub);
                case REGISTER_ORDER, WATCH_RESTAURANT, LIST_RESTAURANT_ORDERS -> sub.equals(access.restaurantId());
                case TRANSITION_ORDER -> order != null && order.restaurantId().equals(sub)
                        && restaurantMay(order.status(), access.target());
                default -> false;
            };
            case DRIVER -> switch (access.action()) {
                case WATCH_ORDER, READ_ORDER -> order != null && sub.equals(order.driverId());
                case TRANSITION_ORDER -> order != null && sub.equals(order.driverId())
                        && driverMay(order.status(), access.target());
                case DRIVER_SOCKET, REPORT_LOCATIONS, LIST_DRIVER_ORDERS -> sub.equals(access.driverId());
                default -> false;
            };
        };
    }

    private static boolean restaurantMay(OrderStatus current, OrderStatus target) {
        return switch (target) {
            case ACCEPTED, PREPARING, READY -> true;
            case FAILED -> current != OrderStatus.PICKED_UP && current != OrderStatus.DELIVERED;
            default -> false;
        };
    }

    private static boolean driverMay(OrderStatus current, OrderStatus target) {
        return switch (target) {
            case PICKED_UP, DELIVERED -> true;
            case FAILED -> current == OrderStatus.PICKED_UP || current == OrderStatus.FAILED;
            default -> false;
        };
    }
}
