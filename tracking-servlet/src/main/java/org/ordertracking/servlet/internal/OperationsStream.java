package org.ordertracking.servlet.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operator's stream of the operations topic: subscribes first, then reads and sends one
 * {@code snapshot} (from the store, so a change announced before the subscription is in it), then
 * every message of the topic, whatever its type (the event name is the message's type), held back
 * while the snapshot is read so that nothing published in between is lost; and a {@code figures}
 * event when the node's figures change. A bus gap sends a fresh snapshot. The stream does not end by
 * itself.
 */
public final class OperationsStream extends SseStream {
    private static final Logger LOG = LoggerFactory.getLogger(OperationsStream.class);
    /** The registry subject of every operations stream (an operator's id need not be a valid id). */
    static final String SUBJECT = "operations";
    private static final int PENDING_LIMIT = 4096;

    private final OperationsFeed feed;
    // guarded by lock
    private boolean filling = true;
    private boolean resnapshot;
    private List<Envelope> pending = new ArrayList<>();
    private String lastFigures;

    public OperationsStream(OperationsFeed feed, AsyncContext async, ServletOutputStream out) {
        super(feed.hub(), async, out);
        this.feed = feed;
    }

    @Override
    public ConnectionRegistry.Kind kind() {
        return ConnectionRegistry.Kind.OPERATIONS_STREAM;
    }

    @Override
    public String subjectId() {
        return SUBJECT;
    }

    public void start() {
        synchronized (lock) {
            offerLocked(hub.retryFrame());
        }
        // subscribe before reading: whatever is announced from now on is either in the snapshot or held back
        subscription(hub.tracker().eventBus().subscribe(Topic.operations(), this));
        feed.add(this);
        fill();
    }

    @Override
    public void onMessage(Envelope envelope) {
        synchronized (lock) {
            if (filling) {
                if (pending.size() >= PENDING_LIMIT) {
                    pending.clear();
                    resnapshot = true;
                }
                pending.add(envelope);
                return;
            }
            acceptLocked(envelope);
        }
        drain();
    }

    @Override
    public void onGap(Topic topic) {
        synchronized (lock) {
            if (filling || isClosed()) {
                return;
            }
            filling = true;
        }
        try {
            hub.fill(this::fill, 0);
        } catch (RuntimeException e) {
            close();
        }
    }

    private void acceptLocked(Envelope envelope) {
        // announcements are rare and each matters: never dropped for a location; overflow reconnects
        offerLocked(Frame.event(Frame.Kind.STATUS, null, envelope.type(), envelope.json()));
    }

    /** Offers the node's current figures; sent only after the snapshot and only when they changed. */
    void figures(String figures) {
        synchronized (lock) {
            if (filling || isClosed() || figures.equals(lastFigures)) {
                return;
            }
            lastFigures = figures;
            offerLocked(Frame.event(Frame.Kind.STALE_OK, null, "figures", withTime(figures)));
        }
        drain();
    }

    private String withTime(String figures) {
        String at = "{\"at\":\"" + hub.tracker().clock().instant() + "\"";
        return figures.length() <= 2 ? at + "}" : at + "," + figures.substring(1);
    }

    void fill() {
        String figures;
        String snapshot;
        try {
            figures = feed.figuresJson();
            snapshot = feed.snapshotJson(figures);
        } catch (RuntimeException e) {
            LOG.warn("could not read the operations snapshot; closing the operator's stream", e);
            close();
            return;
        }
        synchronized (lock) {
            lastFigures = figures;
            offerLocked(Frame.event(Frame.Kind.CONTROL, null, "snapshot", snapshot));
            if (resnapshot) {
                resnapshot = false;
                pending.clear();
            } else {
                filling = false;
                List<Envelope> waiting = pending;
                pending = new ArrayList<>();
                for (Envelope envelope : waiting) {
                    acceptLocked(envelope);
                }
            }
        }
        drain();
        boolean again;
        synchronized (lock) {
            again = filling && !isClosed();
        }
        if (again) {
            try {
                hub.fill(this::fill, 0);
            } catch (RuntimeException e) {
                close();
            }
        }
    }
}
