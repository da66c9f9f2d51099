package org.ordertracking.client;

/**
 * Supplies the driver's bearer token (a JWT with role {@code driver} and the driver's id as subject).
 *
 * <p>The client asks with {@code refresh == false} when it first needs a token and keeps the answer.
 * When the server answers 401 it asks once with {@code refresh == true} and retries; a second 401
 * goes to {@link DriverClientListener#onAuthenticationFailed(String)} and the client retries later
 * with backoff, asking again. Called on the client's thread; it may block briefly (for example to
 * refresh the token over the network, within the request timeout).
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface TokenSupplier {
    /**
     * Returns the token.
     *
     * @param refresh {@code true} if the last token was refused and a fresh one is needed
     * @return the token without the {@code Bearer } prefix; not null
     */
    String token(boolean refresh);

    /** A supplier that always returns the same token (tests, demos). */
    static TokenSupplier of(String token) {
        java.util.Objects.requireNonNull(token, "token must not be null");
        return refresh -> token;
    }
}
