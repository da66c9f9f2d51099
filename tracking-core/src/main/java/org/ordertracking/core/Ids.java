package org.ordertracking.core;

import org.ordertracking.core.internal.Checks;

/**
 * The id rule of the SDK: order, restaurant, customer and driver ids are 1 to 128 characters of
 * {@code [A-Za-z0-9_.-]}, so that an id is safe in a URL path segment, a Redis key or channel name
 * and a SQL column without escaping. Every value type and adapter enforces it; this class lets a
 * host check an id at its own edge (a route, a form) before it reaches them.
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class Ids {
    /** The longest valid id, in characters. */
    public static final int MAX_LENGTH = 128;

    private Ids() {
    }

    /** Returns whether {@code id} is a valid id; {@code false} for {@code null}. Allocates nothing. */
    public static boolean isValid(String id) {
        return Checks.isValidId(id);
    }
}
