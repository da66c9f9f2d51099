package org.ordertracking.servlet;

/**
 * Tells {@link JwtAuthorizer} whether a token that is otherwise valid has been revoked: a deny-list
 * of token ids ({@code jti}), or of callers (a driver who left, a restaurant that was closed).
 *
 * <p>The authorizer consults it only after the token passed every other check (signature,
 * {@code exp}, {@code nbf}, and {@code iss}/{@code aud} when configured), so a forged or expired token
 * never reaches it. Its answer is remembered per {@code jti} for
 * {@link JwtAuthorizer.Builder#revocationCacheTtl} (default
 * {@link JwtAuthorizer#DEFAULT_REVOCATION_CACHE_TTL}), so a deny-list in a database is asked about a
 * token at most about once per that period and not on every request; a revocation therefore takes
 * effect within that period, on streams opened and requests made after it (an open stream is not cut).
 * Both answers are remembered, so a revoked token that keeps knocking is refused without asking again.
 *
 * <p>Tokens without a {@code jti} are not passed to it: they are accepted, unless the authorizer is
 * built with {@link JwtAuthorizer.Builder#requireTokenId requireTokenId(true)}.
 *
 * <p>Implementations must be thread-safe: it is called on container threads, concurrently. It should
 * answer quickly (a cache of its own, an indexed look-up); it runs on the request thread of a cache
 * miss. If it throws, the token is refused (401) and the failure is not remembered, so the next
 * request asks again.
 *
 * <pre>{@code
 * JwtAuthorizer authorizer = JwtAuthorizer.builder(secret)
 *         .revocation((jti, caller) -> denyList.contains(jti))
 *         .build();
 * }</pre>
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface TokenRevocation {

    /**
     * Returns whether the token with id {@code tokenId}, issued to {@code caller}, is revoked.
     *
     * @param tokenId the token's {@code jti} claim, never null or empty
     * @param caller the role and subject the token names
     */
    boolean isRevoked(String tokenId, Caller caller);
}
