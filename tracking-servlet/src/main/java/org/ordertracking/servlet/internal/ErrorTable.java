package org.ordertracking.servlet.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.ordertracking.core.DuplicateOrderException;
import org.ordertracking.core.IllegalTransitionException;
import org.ordertracking.core.TrackerClosedException;
import org.ordertracking.core.UnknownOrderException;
import org.ordertracking.servlet.ProblemType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place an exception escaping a handler becomes a problem: a table from exception type to
 * {@link Problem}, looked up by the exception's class and then its superclasses, never by message
 * text. A {@link Problem} is its own answer. What the table does not know is a bug: logged, and
 * answered {@code internal} (500) with a detail that reveals nothing — except an
 * {@link IllegalStateException} while the servlet is closing, which is the shutdown racing the
 * request and is answered {@code unavailable} (503). Immutable and thread-safe.
 */
public final class ErrorTable {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorTable.class);
    static final String SHUTTING_DOWN = "the tracking service is shutting down";

    private final Map<Class<? extends RuntimeException>, Function<RuntimeException, Problem>> table;
    private final BooleanSupplier closing;

    private ErrorTable(Map<Class<? extends RuntimeException>, Function<RuntimeException, Problem>> table,
            BooleanSupplier closing) {
        this.table = Map.copyOf(table);
        this.closing = closing;
    }

    /**
     * The servlet's table; {@code closing} tells whether the servlet has been closed.
     *
     * <table>
     *   <caption>Exception type to problem</caption>
     *   <tr><td>{@link Problem}</td><td>itself</td></tr>
     *   <tr><td>{@link UnknownOrderException}</td><td>{@code not-found} 404</td></tr>
     *   <tr><td>{@link IllegalTransitionException}</td><td>{@code illegal-transition} 409 with
     *       {@code order_id}, {@code current}, {@code requested}, {@code allowed}</td></tr>
     *   <tr><td>{@link DuplicateOrderException}</td><td>{@code duplicate-order} 409 with {@code order_id}</td></tr>
     *   <tr><td>{@link TrackerClosedException}</td><td>{@code unavailable} 503</td></tr>
     * </table>
     */
    public static ErrorTable standard(BooleanSupplier closing) {
        Map<Class<? extends RuntimeException>, Function<RuntimeException, Problem>> t = new LinkedHashMap<>();
        t.put(Problem.class, e -> (Problem) e);
        t.put(UnknownOrderException.class, e -> Problem.of(ProblemType.NOT_FOUND, e.getMessage()));
        t.put(IllegalTransitionException.class, e -> illegalTransition((IllegalTransitionException) e));
        t.put(DuplicateOrderException.class, e -> Problem.of(ProblemType.DUPLICATE_ORDER, e.getMessage())
                .with("order_id", ((DuplicateOrderException) e).orderId()));
        t.put(TrackerClosedException.class, e -> Problem.of(ProblemType.UNAVAILABLE, SHUTTING_DOWN));
        return new ErrorTable(t, closing);
    }

    /** The problem that answers {@code failure}, which escaped the handler serving {@code instance}. */
    public Problem problemFor(RuntimeException failure, String instance) {
        for (Class<?> type = failure.getClass(); type != RuntimeException.class; type = type.getSuperclass()) {
            Function<RuntimeException, Problem> mapping = table.get(type);
            if (mapping != null) {
                return mapping.apply(failure);
            }
        }
        if (failure instanceof IllegalStateException && closing.getAsBoolean()) {
            return Problem.of(ProblemType.UNAVAILABLE, SHUTTING_DOWN);
        }
        LOG.error("unexpected failure serving {}", instance, failure);
        return Problem.of(ProblemType.INTERNAL, "an unexpected error occurred");
    }

    static Problem illegalTransition(IllegalTransitionException e) {
        List<String> allowed = new ArrayList<>();
        e.allowed().stream().sorted().forEach(s -> allowed.add(s.wireName()));
        return Problem.of(ProblemType.ILLEGAL_TRANSITION, e.getMessage())
                .with("order_id", e.orderId())
                .with("current", e.current().wireName())
                .with("requested", e.requested().wireName())
                .with("allowed", allowed);
    }
}
