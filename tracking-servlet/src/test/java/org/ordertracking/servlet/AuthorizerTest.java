package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.TrackedOrder;

/** The pre-body check of the default rules against the full check. */
class AuthorizerTest {
    private static final Instant T = Instant.parse("2026-12-02T03:00:00Z");

    /** Every access of every action to a resource bound to "x" or to someone else, in every status. */
    private static List<Access> accesses() {
        List<Access> all = new ArrayList<>();
        for (OrderStatus status : OrderStatus.values()) {
            for (String owner : List.of("x", "y")) {
                TrackedOrder order = new TrackedOrder(owner, owner, "c-1", owner, new GeoPoint(33.9, 35.5), status,
                        1, T, T);
                for (Action action : Action.values()) {
                    if (action == Action.TRANSITION_ORDER) {
                        for (OrderStatus target : OrderStatus.values()) {
                            all.add(Access.transition(order, target));
                        }
                    } else {
                        all.add(new Access(action, order, owner, owner, null));
                    }
                }
            }
        }
        for (Action action : Action.values()) {
            if (action != Action.TRANSITION_ORDER) {
                all.add(Access.global(action));
            }
        }
        return all;
    }

    @Test
    void defaultMayAttempt_isTrueWheneverTheDefaultRulesAllowSomeAccessOfThatAction() {
        for (Role role : Role.values()) {
            Caller caller = new Caller(role, "x");
            for (Action action : Action.values()) {
                boolean someAllowed = accesses().stream()
                        .anyMatch(a -> a.action() == action && Authorizer.defaultRules(caller, a));
                assertEquals(someAllowed, Authorizer.defaultMayAttempt(caller, action), role + " " + action
                        + ": the pre-body check must refuse exactly the actions the role can never do");
            }
        }
    }

    @Test
    void defaultMayAttempt_customer_mayNeverWrite() {
        Caller customer = new Caller(Role.CUSTOMER, "o-1");
        for (Action write : List.of(Action.REGISTER_ORDER, Action.TRANSITION_ORDER, Action.ASSIGN_DRIVER,
                Action.REPORT_LOCATIONS, Action.DRIVER_SOCKET)) {
            assertFalse(Authorizer.defaultMayAttempt(customer, write), write.toString());
        }
        assertTrue(Authorizer.defaultMayAttempt(customer, Action.WATCH_ORDER));
    }
}
