package org.ordertracking.redis.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Group commit with a sender whose batches the test completes (no Redis). */
class GroupCommitTest {

    /** A write: its number, whether the "script" stores it, and its future. */
    record Write(int id, boolean stores, CompletableFuture<Boolean> result) {
        Write(int id, boolean stores) {
            this(id, stores, new CompletableFuture<>());
        }
    }

    /** Records every batch and leaves it in flight until the test completes it. */
    static final class HeldSender {
        final List<List<Write>> batches = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<List<Object>>> replies = new CopyOnWriteArrayList<>();

        CompletionStage<List<Object>> send(List<Write> batch) {
            batches.add(List.copyOf(batch));
            CompletableFuture<List<Object>> reply = new CompletableFuture<>();
            replies.add(reply);
            return reply;
        }

        void answer(int index) {
            List<Object> results = new ArrayList<>();
            batches.get(index).forEach(w -> results.add(w.stores() ? 1L : 0L));
            replies.get(index).complete(results);
        }
    }

    private static List<Integer> ids(List<Write> batch) {
        return batch.stream().map(Write::id).toList();
    }

    @Test
    void submit_whileABatchIsInFlight_queuesAndSendsTheWaitingWritesAsOneBatch() {
        HeldSender sender = new HeldSender();
        GroupCommit<Write> commit = new GroupCommit<>(256, 1, sender::send, Write::result, Runnable::run);
        List<Write> writes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            writes.add(new Write(i, i != 3));
            commit.submit(0, writes.get(i));
        }
        assertEquals(1, sender.batches.size(), "a lone write goes out at once, the rest wait");
        assertEquals(List.of(0), ids(sender.batches.get(0)));
        sender.answer(0);
        assertEquals(2, sender.batches.size());
        assertEquals(List.of(1, 2, 3, 4), ids(sender.batches.get(1)), "in submission order");
        assertTrue(writes.get(0).result().join());
        assertFalse(writes.get(1).result().isDone());
        sender.answer(1);
        assertEquals(List.of(true, true, true, false, true), writes.stream().map(w -> w.result().join()).toList(),
                "each write gets its own result");
    }

    @Test
    void submit_queueReachingMaxBatch_isSentWithoutWaiting() {
        HeldSender sender = new HeldSender();
        GroupCommit<Write> commit = new GroupCommit<>(3, 1, sender::send, Write::result, Runnable::run);
        for (int i = 0; i < 7; i++) {
            commit.submit(0, new Write(i, true));
        }
        assertEquals(List.of(List.of(0), List.of(1, 2, 3), List.of(4, 5, 6)),
                sender.batches.stream().map(GroupCommitTest::ids).toList());
    }

    @Test
    void submit_otherLane_isNotHeldBackByABusyOne() {
        HeldSender sender = new HeldSender();
        GroupCommit<Write> commit = new GroupCommit<>(256, 1, sender::send, Write::result, Runnable::run);
        commit.submit(7, new Write(0, true));
        commit.submit(7, new Write(1, true));
        commit.submit(9, new Write(2, true));
        assertEquals(List.of(List.of(0), List.of(2)), sender.batches.stream().map(GroupCommitTest::ids).toList(),
                "a batch never mixes lanes (Cluster slots)");
    }

    @Test
    void sendFailure_failsEveryWriteOfItsBatchAndTheNextBatchStillGoes() {
        HeldSender sender = new HeldSender();
        GroupCommit<Write> commit = new GroupCommit<>(256, 1, sender::send, Write::result, Runnable::run);
        Write a = new Write(0, true);
        Write b = new Write(1, true);
        Write c = new Write(2, true);
        commit.submit(0, a);
        commit.submit(0, b);
        commit.submit(0, c);
        sender.replies.get(0).completeExceptionally(new IllegalStateException("connection reset"));
        CompletionException e = assertThrows(CompletionException.class, () -> a.result().join());
        assertEquals("connection reset", e.getCause().getMessage());
        sender.answer(1);
        assertTrue(b.result().join());
        assertTrue(c.result().join());
    }

    @Test
    void reply_withTheWrongNumberOfResults_failsTheBatch() {
        GroupCommit<Write> commit = new GroupCommit<>(256, 1,
                batch -> CompletableFuture.completedFuture(List.of(1L)), Write::result, Runnable::run);
        HeldSender held = new HeldSender();
        Write a = new Write(0, true);
        commit.submit(0, a);
        assertTrue(a.result().join());
        GroupCommit<Write> wrong = new GroupCommit<>(256, 1, batch -> {
            held.send(batch);
            return CompletableFuture.completedFuture(List.of());
        }, Write::result, Runnable::run);
        Write b = new Write(1, true);
        wrong.submit(0, b);
        assertThrows(CompletionException.class, () -> b.result().join());
    }

    @Test
    void close_failsQueuedWritesAndRefusesNewOnes() {
        HeldSender sender = new HeldSender();
        GroupCommit<Write> commit = new GroupCommit<>(256, 1, sender::send, Write::result, Runnable::run);
        Write inFlight = new Write(0, true);
        Write queued = new Write(1, true);
        commit.submit(0, inFlight);
        commit.submit(0, queued);
        commit.close();
        CompletionException e = assertThrows(CompletionException.class, () -> queued.result().join());
        assertTrue(e.getCause() instanceof IllegalStateException);
        Write late = new Write(2, true);
        commit.submit(0, late);
        assertThrows(CompletionException.class, () -> late.result().join());
        sender.answer(0);
        assertTrue(inFlight.result().join(), "a batch already sent completes as the sender answers");
        assertEquals(1, sender.batches.size(), "nothing sent after close");
    }

    @Test
    void submit_fromManyThreadsWhileBatchesComplete_reachesTheSenderInEachThreadsOrder() throws Exception {
        int threads = 4;
        int perThread = 5_000;
        ExecutorService redis = Executors.newSingleThreadExecutor();
        List<Integer> applied = new ArrayList<>();
        ExecutorService handOff = Executors.newSingleThreadExecutor();
        GroupCommit<Write> commit = new GroupCommit<>(4, 1, batch -> {
            // widen the window between forming a batch and handing it over, where a batch formed
            // later by another thread could overtake it
            java.util.concurrent.locks.LockSupport.parkNanos(20_000);
            synchronized (applied) {
                batch.forEach(w -> applied.add(w.id()));
            }
            List<Object> results = new ArrayList<>();
            batch.forEach(w -> results.add(1L));
            return CompletableFuture.supplyAsync(() -> results, redis);
        }, Write::result, handOff);
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        List<Write> all = new CopyOnWriteArrayList<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * perThread;
                done.add(callers.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    for (int i = base; i < base + perThread; i++) {
                        Write w = new Write(i, true);
                        all.add(w);
                        commit.submit(0, w);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            for (Write w : all) {
                w.result().get(30, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
            redis.shutdownNow();
            handOff.shutdownNow();
        }
        synchronized (applied) {
            assertEquals(threads * perThread, applied.size());
            int[] last = new int[threads];
            java.util.Arrays.fill(last, -1);
            for (int id : applied) {
                int thread = id / perThread;
                assertTrue(id > last[thread], "write " + id + " reached the sender after write " + last[thread]);
                last[thread] = id;
            }
        }
    }

    /**
     * Models how Netty writes: a command issued on the connection's I/O thread goes out at once, one
     * issued on any other thread waits in the I/O thread's task queue; replies complete on the I/O
     * thread. A batch formed there (when a reply arrives) must not overtake one a caller queued.
     */
    @Test
    void submit_batchFormedWhenAReplyArrives_neverOvertakesOneQueuedForTheIoThread() throws Exception {
        Thread[] ioThread = new Thread[1];
        ExecutorService io = Executors.newSingleThreadExecutor(r -> ioThread[0] = new Thread(r, "fake-io"));
        ExecutorService handOff = Executors.newSingleThreadExecutor();
        List<Integer> onTheWire = new ArrayList<>();
        GroupCommit<Write> commit = new GroupCommit<>(4, 1, batch -> {
            CompletableFuture<List<Object>> reply = new CompletableFuture<>();
            Runnable write = () -> {
                batch.forEach(w -> onTheWire.add(w.id()));
                List<Object> results = new ArrayList<>();
                batch.forEach(w -> results.add(1L));
                io.execute(() -> reply.complete(results));
            };
            if (Thread.currentThread() == ioThread[0]) {
                write.run();
            } else {
                io.execute(write);
            }
            return reply;
        }, Write::result, handOff);
        List<Write> all = new ArrayList<>();
        try {
            for (int i = 0; i < 20_000; i++) {
                Write w = new Write(i, true);
                all.add(w);
                commit.submit(0, w);
            }
            for (Write w : all) {
                w.result().get(30, TimeUnit.SECONDS);
            }
            List<Integer> wire = io.submit(() -> List.copyOf(onTheWire)).get(10, TimeUnit.SECONDS);
            assertEquals(all.size(), wire.size());
            for (int i = 0; i < wire.size(); i++) {
                assertEquals(i, wire.get(i), "position " + i + " on the wire");
            }
        } finally {
            io.shutdownNow();
            handOff.shutdownNow();
        }
    }

    @Test
    void submit_fromManyThreads_everyWriteIsSentOnceAndCompletesWithItsOwnResult() throws Exception {
        int threads = 8;
        int perThread = 5_000;
        int lanes = 3;
        int maxBatch = 64;
        ExecutorService redis = Executors.newSingleThreadExecutor();
        AtomicInteger largestBatch = new AtomicInteger();
        ConcurrentHashMap<Integer, Integer> sent = new ConcurrentHashMap<>();
        ConcurrentHashMap<Integer, Integer> laneOf = new ConcurrentHashMap<>();
        GroupCommit<Write>[] holder = new GroupCommit[1];
        holder[0] = new GroupCommit<>(maxBatch, 1, batch -> {
            int lane = laneOf.get(batch.get(0).id());
            for (Write w : batch) {
                sent.merge(w.id(), 1, Integer::sum);
                assertEquals(lane, laneOf.get(w.id()), "one lane per batch");
            }
            largestBatch.accumulateAndGet(batch.size(), Math::max);
            return CompletableFuture.supplyAsync(() -> {
                List<Object> results = new ArrayList<>();
                batch.forEach(w -> results.add(w.stores() ? 1L : 0L));
                return results;
            }, redis);
        }, Write::result, Runnable::run);
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        List<Write> all = new CopyOnWriteArrayList<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * perThread;
                done.add(callers.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    for (int i = base; i < base + perThread; i++) {
                        Write w = new Write(i, i % 7 != 0);
                        laneOf.put(i, i % lanes);
                        all.add(w);
                        holder[0].submit(i % lanes, w);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            for (Write w : all) {
                assertEquals(w.stores(), w.result().get(30, TimeUnit.SECONDS), "write " + w.id());
            }
        } finally {
            callers.shutdownNow();
            redis.shutdownNow();
        }
        assertEquals(threads * perThread, sent.size());
        assertTrue(sent.values().stream().allMatch(n -> n == 1), "every write sent exactly once");
        assertTrue(largestBatch.get() <= maxBatch, "batch of " + largestBatch.get());
        assertTrue(largestBatch.get() > 1, "writes were coalesced");
    }
}
