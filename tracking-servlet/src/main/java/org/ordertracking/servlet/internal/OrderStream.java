package org.ordertracking.servlet.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.WireCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A customer's stream of one order. Subscribes first, then replays from the repository every
 * status after the client's last event id, then one {@code snapshot}, then live events; live status
 * events with a seq already sent are dropped, and a live seq beyond the next one (or a bus gap)
 * triggers a fill from the repository, during which live messages wait in order.
 */
public final class OrderStream extends SseStream {
    private static final Logger LOG = LoggerFactory.getLogger(OrderStream.class);

    private final String orderId;
    private final int pendingLimit;
    // guarded by lock
    private long maxSent;
    private boolean filling = true;
    private boolean refill;
    private boolean snapshotSent;
    private boolean terminal;
    private List<Envelope> pending = new ArrayList<>();

    public OrderStream(StreamHub hub, AsyncContext async, ServletOutputStream out, String orderId, long lastEventId) {
        super(hub, async, out);
        this.orderId = orderId;
        this.maxSent = lastEventId;
        this.pendingLimit = Math.max(64, hub.config().streamBufferSize() * 4);
    }

    @Override
    public ConnectionRegistry.Kind kind() {
        return ConnectionRegistry.Kind.CUSTOMER_STREAM;
    }

    @Override
    public String subjectId() {
        return orderId;
    }

    @Override
    public String orderId() {
        return orderId;
    }

    /** Sends {@code retry}, subscribes, replays and sends the snapshot; runs on the request thread. */
    public void start() {
        synchronized (lock) {
            offerLocked(hub.retryFrame());
        }
        subscription(hub.tracker().eventBus().subscribe(Topic.order(orderId), this));
        fill();
    }

    @Override
    public void onMessage(Envelope envelope) {
        synchronized (lock) {
            if (isClosedLocked()) {
                return;
            }
            if (filling) {
                queuePendingLocked(envelope);
                return;
            }
            acceptLocked(envelope);
        }
        drain();
    }

    @Override
    public void onGap(Topic topic) {
        synchronized (lock) {
            startFillLocked();
        }
    }

    private boolean isClosedLocked() {
        return isClosed();
    }

    private void queuePendingLocked(Envelope envelope) {
        if (pending.size() >= pendingLimit) {
            // too much arrived during a fill: forget it and read the repository again afterwards
            pending.clear();
            refill = true;
        }
        pending.add(envelope);
    }

    private void acceptLocked(Envelope envelope) {
        TrackingMessage message = envelope.message();
        if (message instanceof TrackingMessage.StatusUpdate status) {
            long seq = status.event().seq();
            if (seq <= maxSent) {
                return;
            }
            if (seq > maxSent + 1) {
                startFillLocked();
                pending.add(envelope);
                return;
            }
            offerStatusLocked(status.event(), hub.frames().frame(envelope, SharedFrames.Form.ORDER_STATUS, seq), true);
        } else if (message instanceof TrackingMessage.LocationUpdate || message instanceof TrackingMessage.SignalUpdate) {
            if (!terminal) {
                offerLocked(hub.frames().frame(envelope, SharedFrames.Form.STALE_OK, 0));
            }
        }
    }

    private void offerStatusLocked(OrderEvent event, Frame frame, boolean live) {
        if (offerLocked(frame, live)) {
            maxSent = event.seq();
            if (event.status().isTerminal() && !terminal) {
                terminal = true;
                // the terminal status may come from another node: tell the registry, so a stream the
                // client stops reading is still reaped after the grace, without a repository lookup
                hub.registry().orderEnded(orderId, event.at());
                if (snapshotSent) {
                    endAfterDrainLocked();
                }
            }
        }
    }

    private void startFillLocked() {
        if (!filling && !isClosed()) {
            filling = true;
            try {
                hub.executor().execute(this::fill);
            } catch (RuntimeException e) {
                LOG.debug("could not schedule a fill of order {}; closing the stream", orderId, e);
                close();
            }
        }
    }

    /** Reads what was missed from the repository, then lets the live messages through. */
    void fill() {
        long from;
        boolean needSnapshot;
        synchronized (lock) {
            if (isClosed()) {
                return;
            }
            from = maxSent;
            needSnapshot = !snapshotSent;
        }
        List<OrderEvent> events;
        String snapshot = null;
        try {
            events = hub.tracker().eventsAfter(orderId, from);
            if (needSnapshot) {
                TrackedOrder order = hub.tracker().find(orderId).orElse(null);
                boolean ended = order == null || order.status().isTerminal()
                        || (!events.isEmpty() && events.get(events.size() - 1).status().isTerminal());
                snapshot = hub.snapshots().streamSnapshotJson(orderId, ended ? null : order);
            }
        } catch (RuntimeException e) {
            LOG.warn("could not read the events of order {} for its stream; closing it (the client reconnects)",
                    orderId, e);
            close();
            return;
        }
        synchronized (lock) {
            for (OrderEvent event : events) {
                if (event.seq() == maxSent + 1) {
                    offerStatusLocked(event, Frame.event(Frame.Kind.STATUS, Long.toString(event.seq()), "status",
                            WireCodec.toJson(event)), false);
                }
            }
            if (snapshot != null && !snapshotSent) {
                snapshotSent = true;
                offerLocked(Frame.event(Frame.Kind.CONTROL, null, "snapshot", snapshot));
                if (terminal) {
                    endAfterDrainLocked();
                }
            }
            filling = false;
            if (refill) {
                refill = false;
                pending.clear();
                startFillLocked();
            } else {
                List<Envelope> waiting = pending;
                pending = new ArrayList<>();
                for (Envelope envelope : waiting) {
                    if (filling) {
                        pending.add(envelope);
                    } else {
                        acceptLocked(envelope);
                    }
                }
            }
        }
        drain();
    }
}
