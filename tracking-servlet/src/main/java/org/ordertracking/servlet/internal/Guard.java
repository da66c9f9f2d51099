package org.ordertracking.servlet.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Locale;
import org.ordertracking.servlet.Access;
import org.ordertracking.servlet.AuthenticationException;
import org.ordertracking.servlet.Authorizer;
import org.ordertracking.servlet.Caller;
import org.ordertracking.servlet.ProblemType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication and authorization of HTTP requests, in one place: the dispatcher authenticates
 * every matched request before its handler runs; a handler asks {@link #authorize} once it knows the
 * resource (the order must exist first: 404 before 403). An authorizer that throws refuses.
 * Thread-safe if the authorizer is.
 */
public final class Guard {
    private static final Logger LOG = LoggerFactory.getLogger(Guard.class);

    private static final String CHALLENGE = "Bearer realm=\"tracking\"";

    private final Authorizer authorizer;

    public Guard(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    /**
     * Reads the token ({@code Authorization: Bearer}, else {@code access_token} where
     * {@code queryTokenAllowed}) and authenticates it. Where the query token is not allowed, a request
     * that carries one is refused whatever its header says: query strings end up in access logs and
     * browser history, and the client should learn to stop sending it.
     *
     * @throws Problem {@code unauthorized} with {@code WWW-Authenticate}
     */
    public Caller authenticate(HttpServletRequest request, boolean queryTokenAllowed) {
        String query = request.getQueryString();
        if (!queryTokenAllowed && Requests.queryParameter(query, Requests.ACCESS_TOKEN) != null) {
            throw Problem.of(ProblemType.UNAUTHORIZED, "the access_token query parameter is accepted only by the "
                    + "GET …/stream endpoints and the driver socket handshake; send the token in the header "
                    + "Authorization: Bearer <token>").header("WWW-Authenticate", CHALLENGE);
        }
        String token = Requests.token(request.getHeader("Authorization"), queryTokenAllowed ? query : null);
        try {
            return authorizer.authenticate(token);
        } catch (AuthenticationException e) {
            throw Problem.of(ProblemType.UNAUTHORIZED, e.getMessage())
                    .header("WWW-Authenticate", CHALLENGE);
        }
    }

    /** @throws Problem {@code forbidden}, naming the caller and what it may not do */
    public void authorize(Caller caller, Access access) {
        boolean allowed;
        try {
            allowed = authorizer.authorize(caller, access);
        } catch (RuntimeException e) {
            LOG.warn("authorizer {} threw; refusing", authorizer, e);
            allowed = false;
        }
        if (!allowed) {
            throw Problem.of(ProblemType.FORBIDDEN, "a " + caller.role().wireName() + " token for '"
                    + Requests.abbreviate(caller.subject()) + "' may not " + describe(access));
        }
    }

    static String describe(Access access) {
        String what = access.action().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        if (access.order() != null) {
            what += " of order '" + access.order().orderId() + "'";
        } else if (access.restaurantId() != null) {
            what += " of restaurant '" + access.restaurantId() + "'";
        } else if (access.driverId() != null) {
            what += " of driver '" + access.driverId() + "'";
        }
        return access.target() == null ? what : what + " to " + access.target().wireName();
    }
}
