package org.ordertracking.servlet.internal;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.servlet.JwtAuthorizer;
import org.ordertracking.servlet.TrackingServletConfig;

/**
 * The SSE writer's buffer policy when the client reads slowly, driven without a container: a fake
 * {@link ServletOutputStream} whose {@code isReady()} the test switches (a client that stopped
 * reading) and a fake {@link AsyncContext} that counts completions. Buffer capacity: 3 frames.
 */
class SseStreamTest {
    private static final int CAPACITY = 3;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final OrderTracker tracker = OrderTracker.builder().build();
    private final TrackingServletConfig config = TrackingServletConfig
            .builder(tracker, JwtAuthorizer.of("0123456789abcdef0123456789abcdef-test-secret".getBytes(StandardCharsets.UTF_8)))
            .streamBufferSize(CAPACITY).build();
    private final StreamHub hub = new StreamHub(config, Snapshots.LiveView.NONE);
    private final FakeOutput out = new FakeOutput();
    private final AtomicInteger completions = new AtomicInteger();
    private final TestStream stream = new TestStream(hub, asyncContext(completions), out);

    @AfterEach
    void close() {
        hub.close();
        tracker.close();
    }

    @Test
    void drain_readyClient_getsEveryFrameInOrderAndFlushed() {
        out.ready = true;
        assertTrue(stream.offer(status(1)));
        assertTrue(stream.offer(location(1)));
        stream.drain();
        assertEquals(List.of("status 1", "location 1"), out.frames());
        assertTrue(out.flushes > 0, "what was written is flushed");
        assertEquals(1, hub.metrics().eventsSent("status"));
        assertEquals(1, hub.metrics().eventsSent("location"));
    }

    @Test
    void overflow_dropsTheOldestLocation_andKeepsTheNewestAndEveryStatus() {
        stream.offer(location(1));
        stream.offer(status(1));
        stream.offer(location(2));
        assertTrue(stream.offer(location(3)));
        assertTrue(stream.offer(location(4)));
        assertEquals(2, hub.metrics().dropped());
        catchUp();
        assertEquals(List.of("status 1", "location 3", "location 4"), out.frames());
        assertFalse(stream.isClosed());
    }

    @Test
    void overflow_statusArrivingWhenALocationIsQueued_pushesTheLocationOut() {
        stream.offer(status(1));
        stream.offer(location(1));
        stream.offer(status(2));
        assertTrue(stream.offer(status(3)));
        assertEquals(1, hub.metrics().dropped());
        assertEquals(0, hub.metrics().slowDisconnects());
        catchUp();
        assertEquals(List.of("status 1", "status 2", "status 3"), out.frames());
    }

    @Test
    void overflow_locationArrivingWhenOnlyStatusesAreQueued_isDroppedAndTheStreamStays() {
        stream.offer(status(1));
        stream.offer(status(2));
        stream.offer(status(3));
        assertTrue(stream.offer(location(1)), "a dropped location is no reason to disconnect");
        assertEquals(1, hub.metrics().dropped());
        assertFalse(stream.isClosed());
        catchUp();
        assertEquals(List.of("status 1", "status 2", "status 3"), out.frames());
    }

    @Test
    void overflow_statusThatCannotFit_disconnectsTheSlowClient() {
        stream.offer(status(1));
        stream.offer(status(2));
        stream.offer(status(3));
        assertFalse(stream.offer(status(4)), "a status is never dropped: the client is disconnected instead");
        assertTrue(stream.isClosed());
        assertEquals(1, hub.metrics().slowDisconnects());
        assertEquals(0, hub.metrics().dropped());
        await("the async context completes").atMost(WAIT).until(completions::get, equalTo(1));
        catchUp();
        assertEquals(List.of(), out.frames(), "what was queued is discarded; the client replays on reconnect");
        assertFalse(stream.offer(location(1)), "a closed stream takes nothing");
    }

    @Test
    void overflow_keepAliveIsDroppedLikeALocation() {
        stream.offer(Frame.KEEP_ALIVE);
        stream.offer(location(1));
        stream.offer(status(1));
        assertTrue(stream.offer(status(2)));
        assertEquals(1, hub.metrics().dropped());
        catchUp();
        assertEquals(List.of("location 1", "status 1", "status 2"), out.frames());
    }

    @Test
    void controlFrames_retryAndSnapshot_bypassTheBound() {
        stream.offer(status(1));
        stream.offer(status(2));
        stream.offer(status(3));
        assertTrue(stream.offer(Frame.retry(3000)));
        assertTrue(stream.offer(Frame.event(Frame.Kind.CONTROL, null, "snapshot", "{\"n\":1}")));
        assertEquals(0, hub.metrics().dropped());
        catchUp();
        assertEquals(List.of("status 1", "status 2", "status 3", "retry 3000", "snapshot 1"), out.frames());
    }

    @Test
    void replayedStatuses_offeredUnbounded_allFitBeyondTheCapacity() {
        for (int seq = 1; seq <= CAPACITY * 3; seq++) {
            assertTrue(stream.offerUnbounded(status(seq)));
        }
        assertEquals(0, hub.metrics().slowDisconnects());
        catchUp();
        assertEquals(CAPACITY * 3, out.frames().size());
    }

    @Test
    void onWritePossible_afterTheClientBlocked_writesWhatWaitedThenStopsWhenBlockedAgain() {
        out.ready = true;
        out.blockAfterWrites = 1;
        stream.offer(status(1));
        stream.offer(status(2));
        stream.drain();
        assertEquals(List.of("status 1"), out.frames(), "the write that filled the pipe is the last one");
        out.ready = true;
        stream.onWritePossible();
        assertEquals(List.of("status 1", "status 2"), out.frames());
    }

    @Test
    void endAfterDrain_completesOnceEverythingQueuedIsWritten() {
        stream.offer(status(1));
        stream.endAfterDrain();
        assertFalse(stream.offer(status(2)), "an ending stream takes no more frames");
        assertEquals(0, completions.get());
        catchUp();
        assertEquals(List.of("status 1"), out.frames());
        assertTrue(stream.isClosed());
        assertEquals(1, completions.get());
    }

    @Test
    void writeFailure_closesTheStreamAndCompletes() {
        out.ready = true;
        out.failWrites = true;
        stream.offer(status(1));
        stream.drain();
        assertTrue(stream.isClosed());
        await("the async context completes").atMost(WAIT).until(completions::get, equalTo(1));
    }

    @Test
    void close_twice_completesTheResponseOnce() {
        assertDoesNotThrow(stream::close);
        assertDoesNotThrow(stream::close, "a second close is a no-op");
        await("the async context completes").atMost(WAIT).until(completions::get, equalTo(1));
        assertTrue(stream.isClosed());
        hub.close(); // lets the hub's scheduler finish whatever it queued: still one completion
        assertEquals(1, completions.get());
    }

    // ---- helpers

    private void catchUp() {
        out.ready = true;
        stream.onWritePossible();
    }

    private static Frame status(int seq) {
        return Frame.event(Frame.Kind.STATUS, Integer.toString(seq), "status", "{\"n\":" + seq + "}");
    }

    private static Frame location(int n) {
        return Frame.event(Frame.Kind.STALE_OK, null, "location", "{\"n\":" + n + "}");
    }

    /** An async context that only counts {@link AsyncContext#complete()}. */
    private static AsyncContext asyncContext(AtomicInteger completions) {
        return (AsyncContext) Proxy.newProxyInstance(SseStreamTest.class.getClassLoader(),
                new Class<?>[] {AsyncContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("complete")) {
                        completions.incrementAndGet();
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A customer stream as far as the buffer is concerned; frames go in through the test. */
    private static final class TestStream extends SseStream {
        TestStream(StreamHub hub, AsyncContext async, ServletOutputStream out) {
            super(hub, async, out);
        }

        @Override
        public ConnectionRegistry.Kind kind() {
            return ConnectionRegistry.Kind.CUSTOMER_STREAM;
        }

        @Override
        public String subjectId() {
            return "o-1";
        }

        @Override
        public void onMessage(Envelope envelope) {
            throw new UnsupportedOperationException("frames are offered directly");
        }

        boolean offer(Frame frame) {
            synchronized (lock) {
                return offerLocked(frame);
            }
        }

        boolean offerUnbounded(Frame frame) {
            synchronized (lock) {
                return offerLocked(frame, false);
            }
        }

        void endAfterDrain() {
            synchronized (lock) {
                endAfterDrainLocked();
            }
        }
    }

    /**
     * The response body of a client: {@code ready} is what {@code isReady()} answers (false: the
     * client stopped reading); {@code blockAfterWrites} makes it block after that many writes.
     */
    private static final class FakeOutput extends ServletOutputStream {
        private static final Pattern FRAME = Pattern.compile("(?:id: \\S+\\n)?event: (\\S+)\\ndata: \\{\"n\":(\\d+)}\\n\\n"
                + "|retry: (\\d+)\\n\\n|: keep-alive\\n\\n");

        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        volatile boolean ready;
        volatile boolean failWrites;
        volatile int blockAfterWrites = Integer.MAX_VALUE;
        int flushes;

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (failWrites) {
                throw new IOException("broken pipe");
            }
            bytes.write(b, off, len);
            if (--blockAfterWrites <= 0) {
                ready = false;
                blockAfterWrites = Integer.MAX_VALUE;
            }
        }

        @Override
        public synchronized void flush() {
            flushes++;
        }

        /** The frames written, as "type n" ("retry millis", "keep-alive"); fails on anything else. */
        synchronized List<String> frames() {
            String text = bytes.toString(StandardCharsets.UTF_8);
            List<String> frames = new ArrayList<>();
            Matcher m = FRAME.matcher(text);
            int at = 0;
            while (m.find() && m.start() == at) {
                frames.add(m.group(1) != null ? m.group(1) + " " + m.group(2)
                        : m.group(3) != null ? "retry " + m.group(3) : "keep-alive");
                at = m.end();
            }
            assertEquals(text.length(), at, "unparsed output: " + text.substring(at));
            return frames;
        }
    }
}
