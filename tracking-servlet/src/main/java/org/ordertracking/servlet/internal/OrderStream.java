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
import org.ordertracking.servlet.TrackingServletConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A customer's stream of one order. Subscribes first, then replays from the repository every
 * status after the client's last event id, then one {@code snapshot}, then live events; live status
 * events with a seq already sent are dropped, and a live seq beyond the next one (or a bus gap)
 * triggers a fill from the repository, during which live messages wait in order.
 *
 * <p>A bus gap may also have lost {@code location} and {@code signal} events, so its fill ends with
 * a fresh {@code snapshot} (current location, signal and ETA) unless the order has ended. Fills run
 * on the hub's fill threads; a fill that does not close a seq gap is tried again after a doubling
 * back-off, at most {@code gapFillAttempts} reads per gap, after which the stream sends
 * {@code retry:} and ends, so the client reconnects and replays from the repository (a bus message
 * whose seq runs ahead of the repository cannot make it loop).
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
    private boolean refreshSnapshot;
    /** Reads of the current gap that did not advance the stream. */
    private int gapAttempts;
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
        onMessage(envelope, false);
    }

    /**
     * Queues the message's frame and writes what is queued, unless the bus has the next message at
     * hand: then the run goes out in one write and flush (up to {@link SseStream#COALESCE_FRAMES}).
     */
    @Override
    public void onMessage(Envelope envelope, boolean more) {
        boolean hold = false;
        try {
            synchronized (lock) {
                if (isClosedLocked()) {
                    return;
                }
                if (filling) {
                    queuePendingLocked(envelope);
                    return;
                }
                acceptLocked(envelope);
                hold = more && mayWaitForMoreLocked(); // the next message follows at once: write both together
            }
        } finally {
            if (!hold) {
                drain(); // also when accepting threw: frames held for this call must not wait for another
            }
        }
    }

    @Override
    public void onGap(Topic topic) {
        synchronized (lock) {
            if (isClosed() || terminal) {
                return;
            }
            // location and signal messages may be lost too: send a fresh snapshot after the statuses
            refreshSnapshot = true;
            gapAttempts = 0;
            if (filling) {
                refill = true; // the running fill may have read before the gap
            } else {
                startFillLocked();
            }
        }    drain(); // in case the stream gave up on the gap and ends
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
        if (filling || isClosed()) {
            return;
        }
        TrackingServletConfig config = hub.config();
        if (gapAttempts >= config.gapFillAttempts()) {
            LOG.warn("{} reads of the repository did not close a gap in the stream of order {} (a bus message ahead"
                    + " of the repository?); ending the stream so that the client reconnects and replays",
                    gapAttempts, orderId);
            pending.clear();
            offerLocked(hub.retryFrame());
            endAfterDrainLocked();
            return;
        }
        filling = true;
        long delay = gapAttempts == 0 ? 0
                : Math.min(config.gapFillMaxBackoff().toMillis(),
                        config.gapFillBackoff().toMillis() << Math.min(gapAttempts - 1, 30));
        try {
            hub.fill(this::fill, delay);
        } catch (RuntimeException e) {
            LOG.debug("could not schedule a fill of order {}; closing the stream", orderId, e);
            close();
        }
    }

    /** Reads what was missed from the repository, then lets the live messages through. */
    void fill() {
        long from;
        boolean needSnapshot;
        boolean refresh;
        synchronized (lock) {
            if (isClosed()) {
                return;
            }
            from = maxSent;
            refresh = refreshSnapshot && snapshotSent;
            refreshSnapshot = false;
            needSnapshot = !snapshotSent || refresh;
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
            } else if (snapshot != null && refresh && !terminal) {
                offerLocked(Frame.event(Frame.Kind.CONTROL, null, "snapshot", snapshot));
            }
            gapAttempts = maxSent > from ? 0 : gapAttempts + 1;
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
            if (!filling) {
                gapAttempts = 0; // the gap is closed
            }
        }
        drain();
    }
}
