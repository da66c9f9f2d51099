package org.ordertracking.servlet;

/**
 * Thrown by {@link Authorizer#authenticate} when a credential is missing, malformed, tampered
 * with or expired. Answered with 401; the message goes into the problem's {@code detail}, so it
 * must not reveal secrets.
 *
 * @since 0.1.0
 */
public final class AuthenticationException extends Exception {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }
}
