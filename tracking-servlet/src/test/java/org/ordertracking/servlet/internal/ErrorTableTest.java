package org.ordertracking.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.core.DuplicateOrderException;
import org.ordertracking.core.IllegalTransitionException;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.TrackerClosedException;
import org.ordertracking.core.UnknownOrderException;
import org.ordertracking.servlet.ProblemType;

class ErrorTableTest {
    private final AtomicBoolean closing = new AtomicBoolean();
    private final ErrorTable table = ErrorTable.standard(closing::get);

    private static JsonNode body(Problem p) throws Exception {
        return JsonCodec.mapper().readTree(p.body("/tracking/x"));
    }

    @Test
    void problem_isItsOwnAnswer() {
        Problem p = Problem.of(ProblemType.INVALID_REQUEST, "bad id");
        assertSame(p, table.problemFor(p, "/x"));
    }

    @Test
    void unknownOrder_isNotFound404() {
        Problem p = table.problemFor(new UnknownOrderException("o-9"), "/x");
        assertEquals(ProblemType.NOT_FOUND, p.type());
        assertEquals(404, p.type().status());
        assertEquals(new UnknownOrderException("o-9").getMessage(), p.detail());
    }

    @Test
    void illegalTransition_isConflict409WithTheEdgeAndTheAllowedOnesSorted() throws Exception {
        IllegalTransitionException e = new IllegalTransitionException("o-1", OrderStatus.RECEIVED,
                OrderStatus.DELIVERED, EnumSet.of(OrderStatus.FAILED, OrderStatus.ACCEPTED));
        Problem p = table.problemFor(e, "/x");
        assertEquals(ProblemType.ILLEGAL_TRANSITION, p.type());
        assertEquals(409, p.type().status());
        JsonNode body = body(p);
        assertEquals("o-1", body.get("order_id").asText());
        assertEquals("received", body.get("current").asText());
        assertEquals("delivered", body.get("requested").asText());
        assertEquals("[\"accepted\",\"failed\"]", body.get("allowed").toString());
    }

    @Test
    void duplicateOrder_isConflict409WithTheOrderId() throws Exception {
        Problem p = table.problemFor(new DuplicateOrderException("o-2"), "/x");
        assertEquals(ProblemType.DUPLICATE_ORDER, p.type());
        assertEquals(409, p.type().status());
        assertEquals("o-2", body(p).get("order_id").asText());
    }

    @Test
    void trackerClosed_isUnavailable503_whateverTheServletsState() {
        Problem p = table.problemFor(new TrackerClosedException(), "/x");
        assertEquals(ProblemType.UNAVAILABLE, p.type());
        assertEquals(503, p.type().status());
        assertEquals("the tracking service is shutting down", p.detail());
    }

    @Test
    void illegalState_whileOpen_isInternal500EvenIfItsMessageSaysClosed() {
        Problem p = table.problemFor(new IllegalStateException("the event bus is closed"), "/x");
        assertEquals(ProblemType.INTERNAL, p.type());
        assertEquals("an unexpected error occurred", p.detail());
    }

    @Test
    void illegalState_whileTheServletCloses_isUnavailable503() {
        closing.set(true);
        assertEquals(ProblemType.UNAVAILABLE, table.problemFor(new IllegalStateException("anything"), "/x").type());
    }

    @Test
    void anyOtherException_isInternal500RevealingNothing() {
        Problem p = table.problemFor(new NullPointerException("secret.internal.Field"), "/x");
        assertEquals(ProblemType.INTERNAL, p.type());
        assertEquals(500, p.type().status());
        assertEquals("an unexpected error occurred", p.detail());
        closing.set(true);
        assertEquals(ProblemType.INTERNAL, table.problemFor(new IllegalArgumentException("x"), "/x").type());
    }
}
