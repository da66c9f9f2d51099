package org.ordertracking.servlet.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.servlet.Access;
import org.ordertracking.servlet.Action;
import org.ordertracking.servlet.ProblemType;

/**
 * {@code GET /orders/{id}/stream}: id, {@code Last-Event-ID}, the stream limits, the order, the guard; then 204 if the
 * client already has the order's end, else an {@link OrderStream} resuming after that id. What the
 * stream writes afterwards is {@link OrderStream}'s business. Thread-safe.
 */
final class OrderStreamHandler implements RouteTable.Handler {
    private final StreamHub hub;
    private final Guard guard;
    private final StreamOpener opener;

    OrderStreamHandler(StreamHub hub, Guard guard, StreamOpener opener) {
        this.hub = hub;
        this.guard = guard;
        this.opener = opener;
    }

    @Override
    public void handle(RouteTable.Exchange ex) throws IOException {
        String id = Requests.pathId(ex.param("id"), "order id");
        long lastEventId = lastEventId(ex.request());
        StreamLimits.Slot slot = opener.admit(ex);   // before the order's reads: a refused open costs none
        boolean held = false;
        try {
            TrackedOrder order = OrderHandlers.load(hub.tracker(), id);
            guard.authorize(ex.caller(), Access.toOrder(Action.WATCH_ORDER, order));
            if (order.status().isTerminal() && lastEventId >= order.seq()) {
                Responses.noContent(ex.response());
                return;
            }
            // an id beyond the order's last seq was never sent by us: replay nothing, but never drop live events
            long resumeAfter = Math.min(lastEventId, order.seq());
            held = opener.open(ex.request(), ex.response(), slot,
                    (async, out) -> new OrderStream(hub, async, out, id, resumeAfter), OrderStream::start);
        } finally {
            if (!held) {
                slot.release();
            }
        }
    }

    /** The {@code Last-Event-ID} header, else the {@code last_event_id} query parameter; 0 if neither. */
    static long lastEventId(HttpServletRequest request) {
        String header = request.getHeader("Last-Event-ID");
        String value = header != null && !header.isBlank() ? header.trim()
                : Requests.queryParameter(request.getQueryString(), "last_event_id");
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            long id = Long.parseLong(value);
            if (id < 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw Problem.of(ProblemType.INVALID_REQUEST, "Last-Event-ID / last_event_id must be a non-negative "
                    + "integer (a status seq), but was '" + Requests.abbreviate(value) + "'");
        }
    }
}
