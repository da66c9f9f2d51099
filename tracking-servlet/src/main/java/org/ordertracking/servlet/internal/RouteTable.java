package org.ordertracking.servlet.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.ordertracking.servlet.Caller;
import org.ordertracking.servlet.ProblemType;

/**
 * Method and path pattern to handler. A pattern is a path of literal segments and {@code {name}}
 * variables, e.g. {@code /orders/{id}/stream}; a variable matches any one segment (even an empty one,
 * which the handler then refuses as an invalid id). A path no pattern matches is 404; a path some
 * pattern matches but not with this method is 405 with {@code Allow} naming the methods it has. A
 * {@code GET} route also answers {@code HEAD}. Only a {@linkplain Builder#streamRoute stream route}
 * {@linkplain Match#acceptsQueryToken accepts} the {@code access_token} query parameter. Immutable
 * and thread-safe once built.
 */
public final class RouteTable {

    /** Serves one matched request; the caller is already authenticated (null on a public route). */
    @FunctionalInterface
    public interface Handler {
        void handle(Exchange exchange) throws IOException;
    }

    /** A request that matched a route, with its path variables and the authenticated caller. */
    public record Exchange(HttpServletRequest request, HttpServletResponse response, Caller caller, Match match) {
        /** Returns the raw (unvalidated) path segment bound to {@code {name}}. */
        public String param(String name) {
            return match.param(name);
        }
    }

    /** The route a request matched and the values of its path variables. */
    public static final class Match {
        private final Route route;
        private final String[] values;

        private Match(Route route, String[] values) {
            this.route = route;
            this.values = values;
        }

        public Handler handler() {
            return route.handler;
        }

        /** Whether the route serves anyone, with no token (static assets); the caller is then null. */
        public boolean isPublic() {
            return route.isPublic;
        }

        /** Returns the method and pattern of the route, e.g. {@code GET /orders/{id}}. */
        public String route() {
            return route.method + " " + route.pattern;
        }

        /**
         * Returns whether the request may carry its token as the {@code access_token} query parameter:
         * only on stream routes, since {@code EventSource} cannot send a header.
         */
        public boolean acceptsQueryToken() {
            return route.queryToken;
        }

        /** Returns the segment bound to {@code {name}}. */
        public String param(String name) {
            for (int i = 0; i < route.variables.length; i++) {
                if (route.variables[i].equals(name)) {
                    return values[i];
                }
            }
            throw new IllegalArgumentException("route " + route() + " has no variable {" + name + "}");
        }
    }

    private record Route(String method, String pattern, String[] segments, int[] variableAt, String[] variables,
            Handler handler, boolean isPublic, boolean queryToken) {
    }

    private final List<Route> routes;

    private RouteTable(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Finds the route of {@code method} and {@code path} (the servlet's path info; null or empty is
     * {@code /}).
     *
     * @throws Problem {@code not-found} if no pattern matches the path, {@code method-not-allowed}
     *     with an {@code Allow} header if patterns match but none with this method
     */
    public Match match(String method, String path) {
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        String[] parts = path.substring(1).split("/", -1);
        Set<String> allowed = null;
        for (Route route : routes) {
            if (!matches(route, parts)) {
                continue;
            }
            if (route.method.equals(method) || ("HEAD".equals(method) && "GET".equals(route.method))) {
                String[] values = new String[route.variableAt.length];
                for (int i = 0; i < values.length; i++) {
                    values[i] = parts[route.variableAt[i]];
                }
                return new Match(route, values);
            }
            if (allowed == null) {
                allowed = new LinkedHashSet<>();
            }
            allowed.add(route.method);
        }
        if (allowed != null) {
            String allow = String.join(", ", allowed);
            throw Problem.of(ProblemType.METHOD_NOT_ALLOWED, method + " is not allowed here; use " + allow)
                    .header("Allow", allow);
        }
        throw Problem.of(ProblemType.NOT_FOUND, "no endpoint at " + Requests.abbreviate(path));
    }

    private static boolean matches(Route route, String[] parts) {
        if (parts.length != route.segments.length) {
            return false;
        }
        for (int i = 0; i < parts.length; i++) {
            String literal = route.segments[i];
            if (literal != null && !literal.equals(parts[i])) {
                return false;
            }
        }
        return true;
    }

    /** Collects routes in order; the first that matches path and method wins. Not thread-safe. */
    public static final class Builder {
        private final List<Route> routes = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds a route.
         *
         * @param method an upper-case HTTP method, e.g. {@code GET}
         * @param pattern starts with {@code /}; segments are literals or {@code {name}}
         */
        public Builder route(String method, String pattern, Handler handler) {
            return add(method, pattern, handler, false, false);
        }

        /**
         * Adds a {@code GET} route of an SSE stream, the one kind of route that accepts the token as the
         * {@code access_token} query parameter.
         */
        public Builder streamRoute(String pattern, Handler handler) {
            return add("GET", pattern, handler, false, true);
        }

        /**
         * Adds a route that is served without authentication (the exchange's caller is null): only for
         * what anyone may read, such as the widget's static assets.
         */
        public Builder publicRoute(String method, String pattern, Handler handler) {
            return add(method, pattern, handler, true, false);
        }

        private Builder add(String method, String pattern, Handler handler, boolean isPublic, boolean queryToken) {
            Objects.requireNonNull(method, "method must not be null");
            Objects.requireNonNull(handler, "handler must not be null");
            if (pattern == null || !pattern.startsWith("/")) {
                throw new IllegalArgumentException("pattern must start with '/', but was " + pattern);
            }
            String[] segments = pattern.substring(1).split("/", -1);
            List<Integer> at = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < segments.length; i++) {
                String s = segments[i];
                if (s.length() > 2 && s.startsWith("{") && s.endsWith("}")) {
                    String name = s.substring(1, s.length() - 1);
                    if (names.contains(name)) {
                        throw new IllegalArgumentException("pattern names {" + name + "} twice: " + pattern);
                    }
                    names.add(name);
                    at.add(i);
                    segments[i] = null;
                }
            }
            routes.add(new Route(method, pattern, segments, at.stream().mapToInt(Integer::intValue).toArray(),
                    names.toArray(String[]::new), handler, isPublic, queryToken));
            return this;
        }

        public RouteTable build() {
            return new RouteTable(routes);
        }
    }
}
