package org.ordertracking.servlet.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream that shows a snapshot, then changes: the subclass subscribes first and calls {@link #fill()},
 * which reads the snapshot outside the lock and sends it; messages that arrive while it is read are
 * held back and accepted after it, so that nothing published in between is lost (and nothing the
 * snapshot already shows is sent twice, if {@link #acceptLocked} checks what it remembered). Too many
 * held back, or a bus gap, and a fresh snapshot is read instead. The restaurant board and the
 * operators' stream are such streams; the customer's order stream replays a trail instead.
 *
 * @param <S> what a snapshot read returns
 */
abstract class SnapshotStream<S> extends SseStream {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStream.class);
    private static final int PENDING_LIMIT = 4096;

    // guarded by lock
    private boolean filling = true;
    private boolean resnapshot;
    private List<Envelope> pending = new ArrayList<>();

    SnapshotStream(StreamHub hub, AsyncContext async, ServletOutputStream out) {
        super(hub, async, out);
    }

    /** Reads what the snapshot shows, outside the lock; a {@link RuntimeException} closes the stream. */
    protected abstract S readSnapshot();

    /** Under the lock: remembers what the snapshot shows and returns its JSON. */
    protected abstract String showLocked(S snapshot);

    /** Under the lock: offers what a live message means for this stream, if anything. */
    protected abstract void acceptLocked(Envelope envelope);

    /** What the stream shows, for the log line of a failed read, e.g. "the orders of restaurant r-1". */
    protected abstract String describe();

    /** Whether a snapshot is being read (live messages are held back); must hold {@link #lock}. */
    protected final boolean fillingLocked() {
        return filling;
    }

    @Override
    public final void onMessage(Envelope envelope) {
        synchronized (lock) {
            if (filling) {
                if (pending.size() >= PENDING_LIMIT) {
                    // too much arrived during the snapshot read: take a fresh snapshot afterwards
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
    public final void onGap(Topic topic) {
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

    /** Reads and sends a snapshot, then what was held back; again if too much was held back. */
    final void fill() {
        S snapshot;
        try {
            snapshot = readSnapshot();
        } catch (RuntimeException e) {
            LOG.warn("could not read {} for its stream; closing it", describe(), e);
            close();
            return;
        }
        synchronized (lock) {
            offerLocked(Frame.event(Frame.Kind.CONTROL, null, "snapshot", showLocked(snapshot)));
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
