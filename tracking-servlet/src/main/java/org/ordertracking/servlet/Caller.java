package org.ordertracking.servlet;

import java.util.Objects;

/**
 * An authenticated caller: a role and the id the credential is bound to.
 *
 * @param role the role
 * @param subject the order (customer), restaurant, driver or operator id the credential is bound to
 * @since 0.1.0
 */
public record Caller(Role role, String subject) {

    public Caller {
        Objects.requireNonNull(role, "role must not be null");
        Objects.requireNonNull(subject, "subject must not be null");
        if (subject.isEmpty()) {
            throw new IllegalArgumentException("subject must not be empty");
        }
    }

    /** Returns how the caller is recorded as the actor of an event, e.g. {@code "restaurant:r-17"}. */
    public String actor() {
        String actor = role.wireName() + ':' + subject;
        return actor.length() > 200 ? actor.substring(0, 200) : actor;
    }
}
