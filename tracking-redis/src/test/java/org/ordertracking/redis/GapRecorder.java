package org.ordertracking.redis;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.Topic;
import org.ordertracking.test.RecordingListener;

/** Records messages like {@link RecordingListener} and lets a test wait for the first gap. */
final class GapRecorder implements BusListener {
    final RecordingListener messages = new RecordingListener();
    private final CountDownLatch gap = new CountDownLatch(1);

    @Override
    public void onMessage(Envelope envelope) {
        messages.onMessage(envelope);
    }

    @Override
    public void onGap(Topic topic) {
        messages.onGap(topic);
        gap.countDown();
    }

    /** Waits up to {@code seconds} for a gap; returns whether one was signalled. */
    boolean awaitGap(long seconds) throws InterruptedException {
        return gap.await(seconds, TimeUnit.SECONDS);
    }
}
