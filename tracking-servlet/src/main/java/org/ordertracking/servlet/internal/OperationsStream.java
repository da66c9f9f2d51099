package org.ordertracking.servlet.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.Topic;

/**
 * An operator's stream of the operations topic: subscribes first, then reads and sends one
 * {@code snapshot} (from the store, so a change announced before the subscription is in it), then
 * every message of the topic, whatever its type (the event name is the message's type), held back
 * while the snapshot is read so that nothing published in between is lost; and a {@code figures}
 * event when the node's figures change. A bus gap sends a fresh snapshot. The stream does not end by
 * itself.
 */
public final class OperationsStream extends SnapshotStream<OperationsStream.Snapshot> {
    /** The registry subject of every operations stream (an operator's id need not be a valid id). */
    static final String SUBJECT = "operations";

    private final OperationsFeed feed;
    // guarded by lock
    private String lastFigures;

    /** The node's figures a snapshot shows, and its JSON. */
    record Snapshot(String figures, String json) {
    }

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
    protected void acceptLocked(Envelope envelope) {
        // announcements are rare and each matters: never dropped for a location; overflow reconnects
        offerLocked(Frame.event(Frame.Kind.STATUS, null, envelope.type(), envelope.json()));
    }

    /** Offers the node's current figures; sent only after the snapshot and only when they changed. */
    void figures(String figures) {
        synchronized (lock) {
            if (fillingLocked() || isClosed() || figures.equals(lastFigures)) {
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

    @Override
    protected Snapshot readSnapshot() {
        String figures = feed.figuresJson();
        return new Snapshot(figures, feed.snapshotJson(figures));
    }

    @Override
    protected String showLocked(Snapshot snapshot) {
        lastFigures = snapshot.figures();
        return snapshot.json();
    }

    @Override
    protected String describe() {
        return "the operations snapshot";
    }
}
