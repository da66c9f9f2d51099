package org.ordertracking.servlet.internal;

import java.io.IOException;
import org.ordertracking.servlet.Access;
import org.ordertracking.servlet.Action;

/**
 * {@code GET /operations/stream}: an {@link OperationsStream}, for callers the authorizer lets
 * {@link Action#WATCH_OPERATIONS} (operators, by default). Thread-safe.
 */
final class OperationsHandler implements RouteTable.Handler {
    private final OperationsFeed feed;
    private final Guard guard;
    private final StreamOpener opener;

    OperationsHandler(OperationsFeed feed, Guard guard, StreamOpener opener) {
        this.feed = feed;
        this.guard = guard;
        this.opener = opener;
    }

    @Override
    public void handle(RouteTable.Exchange ex) throws IOException {
        StreamLimits.Slot slot = opener.admit(ex);
        boolean held = false;
        try {
            guard.authorize(ex.caller(), Access.global(Action.WATCH_OPERATIONS));
            held = opener.open(ex.request(), ex.response(), slot,
                    (async, out) -> new OperationsStream(feed, async, out), OperationsStream::start);
        } finally {
            if (!held) {
                slot.release();
            }
        }
    }
}
