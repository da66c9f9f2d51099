package org.ordertracking.servlet;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;

/**
 * The in-memory bus, with switches that silently lose the next N publishes on order topics or on
 * driver topics, and a
 * way to tell every subscriber of a topic that it may have missed messages (as a Redis reconnect does).
 */
final class GapBus implements EventBus {
    private final EventBus delegate;
    private final List<Entry> listeners = new CopyOnWriteArrayList<>();
    final AtomicInteger loseNextOrderPublishes = new AtomicInteger();
    final AtomicInteger loseNextDriverPublishes = new AtomicInteger();

    private record Entry(Topic topic, BusListener listener) {
    }

    GapBus(EventBus delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletionStage<Void> publish(Envelope envelope) {
        if (envelope.topic().kind() == Topic.Kind.ORDER && loseNextOrderPublishes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return CompletableFuture.completedFuture(null);
        }
        if (envelope.topic().kind() == Topic.Kind.DRIVER
                && loseNextDriverPublishes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return CompletableFuture.completedFuture(null);
        }
        return delegate.publish(envelope);
    }

    @Override
    public Subscription subscribe(Topic topic, BusListener listener) {
        Entry entry = new Entry(topic, listener);
        listeners.add(entry);
        Subscription inner = delegate.subscribe(topic, listener);
        return new Subscription() {
            @Override
            public Topic topic() {
                return topic;
            }

            @Override
            public void close() {
                listeners.remove(entry);
                inner.close();
            }
        };
    }

    /** Calls onGap on every current subscriber of {@code topic}. */
    void signalGap(Topic topic) {
        for (Entry e : listeners) {
            if (e.topic().equals(topic)) {
                e.listener().onGap(topic);
            }
        }
    }

    int subscribers(Topic topic) {
        return (int) listeners.stream().filter(e -> e.topic().equals(topic)).count();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
