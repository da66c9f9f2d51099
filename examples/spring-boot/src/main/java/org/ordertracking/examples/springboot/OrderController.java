package org.ordertracking.examples.springboot;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.ordertracking.core.DuplicateOrderException;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.IllegalTransitionException;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.UnknownOrderException;
import org.ordertracking.servlet.JwtIssuer;
import org.ordertracking.servlet.Role;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The platform's own order API: checkout registers the order with the tracker and hands the customer
 * a tracking link; the kitchen and dispatch screens move it along. The platform's real
 * authentication would guard these endpoints; the example binds to loopback instead.
 *
 * <p>The tracker and the token issuer are the starter's beans, injected like any other.
 */
@RestController
@RequestMapping("/api/orders")
public class OrderController {
    private static final Duration DRIVER_SHIFT = Duration.ofHours(12);

    private final OrderTracker tracker;
    private final JwtIssuer tokens;

    public OrderController(OrderTracker tracker, JwtIssuer tokens) {
        this.tracker = tracker;
        this.tokens = tokens;
    }

    /** What checkout sends. */
    public record Checkout(String restaurantId, String customerId, double lat, double lon) {
    }

    /** What checkout gets back: the order and the customer's tracking link. */
    public record Placed(String orderId, String status, String trackingToken, String trackingPage, String streamUrl) {
    }

    /** A status change from the kitchen or the dispatch screen. */
    public record StatusChange(String status, String reason) {
    }

    /** A driver assignment, and the token the driver's app uses for its socket. */
    public record Assignment(String driverId) {
    }

    public record Assigned(String orderId, String driverId, String driverToken, String socketPath) {
    }

    @PostMapping
    public ResponseEntity<Placed> place(@RequestBody Checkout checkout) {
        String orderId = "o-" + UUID.randomUUID().toString().substring(0, 8);
        TrackedOrder order = tracker.register(new NewOrder(orderId, checkout.restaurantId(), checkout.customerId(),
                new GeoPoint(checkout.lat(), checkout.lon())), "checkout");
        String token = tokens.issue(Role.CUSTOMER, orderId, Duration.ofHours(24));
        Placed placed = new Placed(orderId, order.status().wireName(), token,
                "/track.html?order=" + orderId + "&token=" + token,
                "/tracking/orders/" + orderId + "/stream");
        return ResponseEntity.created(URI.create("/api/orders/" + orderId)).body(placed);
    }

    @PostMapping("/{orderId}/status")
    public Map<String, Object> changeStatus(@PathVariable String orderId, @RequestBody StatusChange change) {
        OrderEvent event = tracker.transition(orderId, OrderStatus.fromWireName(change.status()), change.reason(),
                "platform");
        return Map.of("orderId", orderId, "seq", event.seq(), "status", event.status().wireName());
    }

    @PostMapping("/{orderId}/driver")
    public Assigned assignDriver(@PathVariable String orderId, @RequestBody Assignment assignment) {
        tracker.assignDriver(orderId, assignment.driverId());
        return new Assigned(orderId, assignment.driverId(),
                tokens.issue(Role.DRIVER, assignment.driverId(), DRIVER_SHIFT),
                "/tracking/drivers/" + assignment.driverId() + "/socket");
    }

    @ExceptionHandler(UnknownOrderException.class)
    ProblemDetail unknown(UnknownOrderException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    }

    @ExceptionHandler({IllegalTransitionException.class, DuplicateOrderException.class})
    ProblemDetail conflict(RuntimeException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail invalid(IllegalArgumentException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }
}
