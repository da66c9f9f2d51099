package org.ordertracking.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.Topic;

/**
 * A {@link BusListener} that records what it receives, for tests to await with a timeout.
 * Thread-safe.
 *
 * @since 0.1.0
 */
public final class RecordingListener implements BusListener {

    /** Creates a listener that has recorded nothing yet. */
    public RecordingListener() {
    }
    /** How long {@link #await} waits by default. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

    private final BlockingQueue<Envelope> received = new LinkedBlockingQueue<>();
    private final AtomicInteger gaps = new AtomicInteger();

    @Override
    public void onMessage(Envelope envelope) {
        received.add(envelope);
    }

    @Override
    public void onGap(Topic topic) {
        gaps.incrementAndGet();
    }

    /** Waits for the next message, failing with an {@link AssertionError} after {@code timeout}. */
    public Envelope next(Duration timeout) {
        try {
            Envelope envelope = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (envelope == null) {
                throw new AssertionError("no message within " + timeout);
            }
            return envelope;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits for the next message for {@link #DEFAULT_WAIT}. */
    public Envelope next() {
        return next(DEFAULT_WAIT);
    }

    /** Waits for the next {@code count} messages, each within {@link #DEFAULT_WAIT}. */
    public List<Envelope> await(int count) {
        List<Envelope> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            result.add(next());
        }
        return result;
    }

    /** Returns the next message if one is already there, without waiting. */
    public Envelope poll() {
        return received.poll();
    }

    /** Returns how many gaps were signalled. */
    public int gaps() {
        return gaps.get();
    }
}
