package org.ordertracking.servlet;

import java.util.Locale;

/**
 * Who a caller is, as the {@code role} claim of a token names it.
 *
 * @since 0.1.0
 */
public enum Role {
    /** A customer, bound to one order: the token's subject is the order id. */
    CUSTOMER,
    /** A restaurant, bound to one restaurant id. */
    RESTAURANT,
    /** A driver, bound to one driver id. */
    DRIVER,
    /** Operations staff: registration, dispatch, metrics, any transition. */
    OPERATOR;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** Returns the lower-case claim value, e.g. {@code "customer"}. */
    public String wireName() {
        return wireName;
    }

    /**
     * Parses a claim value.
     *
     * @throws IllegalArgumentException naming the value if it is not a role
     */
    public static Role fromWireName(String value) {
        for (Role role : values()) {
            if (role.wireName.equals(value)) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role '" + value
                + "'; expected one of customer, restaurant, driver, operator");
    }
}
