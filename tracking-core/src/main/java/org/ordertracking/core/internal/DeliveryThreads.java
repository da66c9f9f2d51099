package org.ordertracking.core.internal;

import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery threads a bus owns: a fixed number of workers taking tasks from one shared queue.
 *
 * <p>Unlike a {@code ThreadPoolExecutor} on a {@code LinkedBlockingQueue}, a submission takes no lock
 * and wakes a parked thread only when no worker is spinning: a worker that runs out of tasks first
 * spins for a short while ({@value #SPIN_NANOS} ns), and only one worker spins at a time, so a steady
 * stream of publishes is picked up by a running worker without an unpark (a system call) per
 * publish, and an idle bus costs no CPU. The spin is adaptive: it is skipped while the last wait
 * for a task outlasted it (publishes a millisecond apart: a spin would only burn the CPU the
 * publishers and the sockets need, then park anyway), and resumed as soon as a wait is shorter than
 * a spin again. A worker that takes a task while more are queued wakes another, so a worker stuck
 * in a task never holds up the queue. Thread-safe.
 */
public final class DeliveryThreads implements Executor, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryThreads.class);
    static final long SPIN_NANOS = 50_000;
    private static final int RUNNING = 0;
    private static final int PARKED = 1;

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Worker[] workers;
    private final AtomicInteger parked = new AtomicInteger();
    private final AtomicBoolean spinning = new AtomicBoolean();
    /** Whether the last wait for a task was shorter than a spin, so that spinning would have caught it. */
    private volatile boolean spinPays = true;
    private volatile boolean shutdown;

    /** Starts {@code threads} workers made by {@code factory}. */
    public DeliveryThreads(int threads, ThreadFactory factory) {
        Checks.requirePositive(threads, "threads");
        Objects.requireNonNull(factory, "factory must not be null");
        workers = new Worker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Worker();
        }
        for (Worker worker : workers) {
            worker.thread = factory.newThread(worker);
            worker.thread.start();
        }
    }

    /** Whether an idle worker spins before it parks (the last wait for a task was shorter than a spin). */
    boolean spinPays() {
        return spinPays;
    }

    /** Returns the number of worker threads. */
    public int threads() {
        return workers.length;
    }

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task must not be null");
        if (shutdown) {
            throw new RejectedExecutionException("the delivery threads are shut down");
        }
        tasks.offer(task);
        signal();
    }

    /**
     * Wakes a parked worker for a queued task unless a worker spins (it will take the task: a
     * spinner checks the queue again after it stops spinning and before it parks). Pairs with the
     * worker's parked-increment-then-recheck: one of the two sees the other.
     */
    private void signal() {
        if (!spinning.get() && parked.get() > 0) {
            wakeOne();
        }
    }

    private void wakeOne() {
        for (Worker worker : workers) {
            if (worker.state == PARKED && Worker.STATE.compareAndSet(worker, PARKED, RUNNING)) {
                parked.decrementAndGet();
                LockSupport.unpark(worker.thread);
                return;
            }
        }
    }

    /** Stops the workers once their current task returns; queued tasks are dropped. Idempotent. */
    @Override
    public void close() {
        shutdown = true;
        tasks.clear();
        for (Worker worker : workers) {
            LockSupport.unpark(worker.thread);
        }
    }

    private final class Worker implements Runnable {
        static final java.lang.invoke.VarHandle STATE;

        static {
            try {
                STATE = java.lang.invoke.MethodHandles.lookup().findVarHandle(Worker.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        volatile int state = RUNNING;
        Thread thread;

        @Override
        public void run() {
            while (!shutdown) {
                Runnable task = tasks.poll();
                if (task != null) {
                    if (!tasks.isEmpty()) {
                        signal(); // more waiting: another worker takes them while this one runs
                    }
                    runTask(task);
                    continue;
                }
                long idleSince = System.nanoTime();
                if (spinPays && spin()) {
                    continue;
                }
                state = PARKED;
                parked.incrementAndGet();
                if (!tasks.isEmpty() || shutdown) {
                    if (Worker.STATE.compareAndSet(this, PARKED, RUNNING)) {
                        parked.decrementAndGet();
                    }
                    continue;
                }
                while (state == PARKED && !shutdown) {
                    LockSupport.park(this);
                }
                spinPays = System.nanoTime() - idleSince < SPIN_NANOS;
            }
        }

        /** Spins briefly for a task if no other worker does; returns whether one arrived. */
        private boolean spin() {
            if (spinning.get() || !spinning.compareAndSet(false, true)) {
                return false;
            }
            try {
                long deadline = System.nanoTime() + SPIN_NANOS;
                do {
                    for (int i = 0; i < 64; i++) {
                        if (!tasks.isEmpty() || shutdown) {
                            return true;
                        }
                        Thread.onSpinWait();
                    }
                } while (System.nanoTime() < deadline);
                return false;
            } finally {
                spinning.set(false);
            }
        }

        private void runTask(Runnable task) {
            try {
                task.run();
            } catch (Throwable e) {
                LOG.error("a delivery task failed", e);
            }
        }
    }
}
