package org.ordertracking.redis.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Group commit of writes: concurrent or pipelined writes are coalesced into one command (one script
 * call) carrying many of them, and each caller's future completes with its own result.
 *
 * <p>Writes go to a <em>lane</em> (on Redis Cluster the hash slot of their keys, so that one script
 * call touches one slot; on standalone Redis a single lane). A lane sends a write at once while fewer
 * than {@code maxInFlight} batches of it are in flight; otherwise the write waits in the lane's queue,
 * which is sent as one batch when an in-flight batch completes or when it reaches {@code maxBatch}
 * writes. So a lone write costs one round trip as before, and under load the batches grow with the
 * load. The batches of one lane are handed to the sender in the order they were formed, and the
 * writes within a batch keep the order they were submitted in, so (with a sender that keeps order,
 * as one Lettuce connection does) the writes of one driver reach Redis in the order they were made.
 *
 * <p>Thread-safe. Results are delivered on the thread that completes the sender's stage (a Lettuce
 * I/O thread). Batches are never handed to the sender on such a thread: Netty writes a command issued
 * on the connection's I/O thread at once, ahead of commands other threads issued just before (those
 * wait in the I/O thread's task queue), so a batch sent from there could overtake an earlier one. A
 * batch formed on an I/O thread — the next one, when a reply arrives — is sent from the hand-off
 * executor instead.
 *
 * @param <W> a write
 */
public final class GroupCommit<W> {
    private final int maxBatch;
    private final int maxInFlight;
    private final Function<List<W>, CompletionStage<List<Object>>> sender;
    private final Function<W, CompletableFuture<Boolean>> resultOf;
    private final Executor handOff;
    private final ConcurrentHashMap<Integer, Lane<W>> lanes = new ConcurrentHashMap<>();
    /** Threads seen completing the sender's stages: the connection's I/O threads. */
    private final Set<Thread> ioThreads = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** One lane's state, guarded by the lane itself. */
    private static final class Lane<W> {
        /** Writes waiting for the next batch. */
        List<W> queue = new ArrayList<>();
        /** Batches formed but not yet handed to the sender, in the order they were formed. */
        final ArrayDeque<List<W>> ready = new ArrayDeque<>();
        /** Batches formed and not yet answered. */
        int inFlight;
        /** Whether a thread is handing the ready batches to the sender (only one at a time, to keep their order). */
        boolean sending;
    }

    /**
     * @param maxBatch largest number of writes per batch
     * @param maxInFlight batches of one lane in flight before writes start to queue
     * @param sender sends one batch; its stage completes with one result per write, in order
     *     ({@code 1L} stored, anything else not)
     * @param resultOf the future of a write, completed by this class
     * @param handOff where a batch is sent from when it was formed on an I/O thread (any threads but
     *     the connection's I/O threads; rejected tasks run on the calling thread)
     */
    public GroupCommit(int maxBatch, int maxInFlight, Function<List<W>, CompletionStage<List<Object>>> sender,
            Function<W, CompletableFuture<Boolean>> resultOf, Executor handOff) {
        if (maxBatch < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException("maxBatch and maxInFlight must be positive, but were " + maxBatch + " and "
                    + maxInFlight);
        }
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
        this.sender = sender;
        this.resultOf = resultOf;
        this.handOff = handOff;
    }

    /** Queues {@code write} on {@code lane}, sending it (with what waits) when the lane allows. */
    public void submit(int laneId, W write) {
        Lane<W> lane = lanes.computeIfAbsent(laneId, id -> new Lane<>());
        boolean drain = false;
        synchronized (lane) {
            if (closed) {
                resultOf.apply(write).completeExceptionally(closedException());
                return;
            }
            lane.queue.add(write);
            if (lane.inFlight < maxInFlight || lane.queue.size() >= maxBatch) {
                drain = formBatch(lane);
            }
        }
        if (drain) {
            if (ioThreads.contains(Thread.currentThread())) {
                drainElsewhere(lane);
            } else {
                drain(lane);
            }
        }
    }

    /** Moves the queue to the ready batches; returns whether the caller must now drain them. Holds the lane. */
    private boolean formBatch(Lane<W> lane) {
        lane.ready.add(lane.queue);
        lane.queue = new ArrayList<>();
        lane.inFlight++;
        if (lane.sending) {
            return false;
        }
        lane.sending = true;
        return true;
    }

    /**
     * Hands the ready batches to the sender in the order they were formed. Only one thread drains a
     * lane at a time (whoever formed a batch while nobody was draining), and it calls the sender
     * outside the lane's lock; so batches reach the connection in order without the lock being held
     * across a call into Lettuce.
     */
    private void drain(Lane<W> lane) {
        while (true) {
            List<W> batch;
            synchronized (lane) {
                batch = lane.ready.poll();
                if (batch == null) {
                    lane.sending = false;
                    return;
                }
            }
            send(lane, batch);
        }
    }

    /** Drains on the hand-off executor, or here if it refuses (e.g. shut down with the client). */
    private void drainElsewhere(Lane<W> lane) {
        try {
            handOff.execute(() -> drain(lane));
        } catch (RejectedExecutionException e) {
            drain(lane);
        }
    }

    private void send(Lane<W> lane, List<W> batch) {
        Thread sending = Thread.currentThread();
        CompletionStage<List<Object>> stage;
        try {
            stage = sender.apply(batch);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((results, error) -> {
            if (Thread.currentThread() != sending) {
                ioThreads.add(Thread.currentThread());
            }
            boolean drain = false;
            synchronized (lane) {
                lane.inFlight--;
                if (!lane.queue.isEmpty() && !closed) {
                    drain = formBatch(lane);
                }
            }
            // The next batch goes out before the callers' callbacks run, so Redis is not kept waiting,
            // but not from here: Netty writes from its I/O thread at once, ahead of writes other
            // threads queued for it earlier, which would let a later batch overtake an earlier one.
            if (drain) {
                drainElsewhere(lane);
            }
            complete(batch, results, error);
        });
    }

    private void complete(List<W> batch, List<Object> results, Throwable error) {
        if (error == null && (results == null || results.size() != batch.size())) {
            error = new IllegalStateException("the write script answered " + (results == null ? 0 : results.size())
                    + " results for " + batch.size() + " writes");
        }
        for (int i = 0; i < batch.size(); i++) {
            CompletableFuture<Boolean> future = resultOf.apply(batch.get(i));
            if (error != null) {
                future.completeExceptionally(error);
            } else {
                Object result = results.get(i);
                future.complete(result instanceof Long stored && stored == 1L);
            }
        }
    }

    /** Fails every queued write; later writes fail at once. Batches in flight complete as their sender decides. */
    public void close() {
        closed = true;
        for (Lane<W> lane : lanes.values()) {
            List<W> dropped;
            synchronized (lane) {
                dropped = lane.queue;
                lane.queue = new ArrayList<>();
            }
            for (W write : dropped) {
                resultOf.apply(write).completeExceptionally(closedException());
            }
        }
    }

    private static IllegalStateException closedException() {
        return new IllegalStateException("the location store is closed");
    }
}
