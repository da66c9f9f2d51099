package org.ordertracking.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ordertracking.servlet.ProblemType;

class RouteTableTest {
    private final RouteTable.Handler register = ex -> { };
    private final RouteTable.Handler snapshot = ex -> { };
    private final RouteTable.Handler stream = ex -> { };
    private final RouteTable.Handler transition = ex -> { };
    private final RouteTable.Handler metrics = ex -> { };
    private final RouteTable table = RouteTable.builder()
            .route("POST", "/orders", register)
            .route("GET", "/orders/{id}", snapshot)
            .streamRoute("/orders/{id}/stream", stream)
            .route("POST", "/orders/{id}/transitions", transition)
            .route("GET", "/metrics", metrics)
            .build();

    @Test
    void match_literalAndVariableSegments_bindsTheVariable() {
        RouteTable.Match m = table.match("GET", "/orders/o-42/stream");
        assertSame(stream, m.handler());
        assertEquals("o-42", m.param("id"));
        assertEquals("GET /orders/{id}/stream", m.route());
        assertSame(transition, table.match("POST", "/orders/o-1/transitions").handler());
        assertSame(register, table.match("POST", "/orders").handler());
    }

    @Test
    void match_onlyStreamRoutes_acceptTheQueryToken() {
        assertTrue(table.match("GET", "/orders/o-1/stream").acceptsQueryToken());
        assertTrue(table.match("HEAD", "/orders/o-1/stream").acceptsQueryToken());
        assertFalse(table.match("GET", "/orders/o-1").acceptsQueryToken());
        assertFalse(table.match("POST", "/orders/o-1/transitions").acceptsQueryToken());
        assertFalse(table.match("GET", "/metrics").acceptsQueryToken());
        RouteTable withPublic = RouteTable.builder().publicRoute("GET", "/widget/{name}", ex -> { }).build();
        assertFalse(withPublic.match("GET", "/widget/w.js").acceptsQueryToken());
    }

    @Test
    void match_headOnAGetRoute_isServedByTheGetHandler() {
        assertSame(snapshot, table.match("HEAD", "/orders/o-1").handler());
    }

    @Test
    void match_emptyVariableSegment_isLeftToTheHandlerToRefuse() {
        RouteTable.Match m = table.match("GET", "/orders/");
        assertSame(snapshot, m.handler());
        assertEquals("", m.param("id"));
    }

    @Test
    void match_unknownPath_is404NamingIt() {
        Problem p = assertThrows(Problem.class, () -> table.match("GET", "/orders/o-1/stream/extra"));
        assertEquals(ProblemType.NOT_FOUND, p.type());
        assertEquals("no endpoint at /orders/o-1/stream/extra", p.detail());
        assertEquals(ProblemType.NOT_FOUND, assertThrows(Problem.class, () -> table.match("GET", "/nope")).type());
    }

    @Test
    void match_nullOrEmptyPath_isTheRootAnd404() {
        assertEquals("no endpoint at /", assertThrows(Problem.class, () -> table.match("GET", null)).detail());
        assertEquals("no endpoint at /", assertThrows(Problem.class, () -> table.match("GET", "")).detail());
    }

    @Test
    void match_knownPathWrongMethod_is405WithAllow() {
        Problem p = assertThrows(Problem.class, () -> table.match("DELETE", "/orders/o-1"));
        assertEquals(ProblemType.METHOD_NOT_ALLOWED, p.type());
        assertEquals("DELETE is not allowed here; use GET", p.detail());
        assertEquals("GET", p.headers().get("Allow"));
        Problem head = assertThrows(Problem.class, () -> table.match("HEAD", "/orders"));
        assertEquals("HEAD is not allowed here; use POST", head.detail());
        assertEquals("POST", head.headers().get("Allow"));
    }

    @Test
    void match_pathWithSeveralMethods_allowListsEachOnceInOrder() {
        RouteTable two = RouteTable.builder()
                .route("GET", "/things/{id}", ex -> { })
                .route("PUT", "/things/{id}", ex -> { })
                .route("GET", "/things/{other}", ex -> { })
                .build();
        Problem p = assertThrows(Problem.class, () -> two.match("DELETE", "/things/t-1"));
        assertEquals("GET, PUT", p.headers().get("Allow"));
    }

    @Test
    void match_firstMatchingRouteWins() {
        RouteTable.Handler literal = ex -> { };
        RouteTable ordered = RouteTable.builder()
                .route("GET", "/orders/special", literal)
                .route("GET", "/orders/{id}", snapshot)
                .build();
        assertSame(literal, ordered.match("GET", "/orders/special").handler());
        assertSame(snapshot, ordered.match("GET", "/orders/o-1").handler());
    }

    @Test
    void builder_badPatterns_areRejectedShowingThem() {
        IllegalArgumentException noSlash = assertThrows(IllegalArgumentException.class,
                () -> RouteTable.builder().route("GET", "orders", ex -> { }));
        assertEquals("pattern must start with '/', but was orders", noSlash.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> RouteTable.builder().route("GET", "/a/{id}/b/{id}", ex -> { }));
        assertEquals("pattern names {id} twice: /a/{id}/b/{id}", twice.getMessage());
    }

    @Test
    void param_unknownName_isABugNamingTheRoute() {
        RouteTable.Match m = table.match("GET", "/metrics");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.param("id"));
        assertEquals("route GET /metrics has no variable {id}", e.getMessage());
    }
}
