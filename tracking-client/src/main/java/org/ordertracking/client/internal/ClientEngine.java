package org.ordertracking.client.internal;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ordertracking.client.ClientState;
import org.ordertracking.client.CompactionReason;
import org.ordertracking.client.Connectivity;
import org.ordertracking.client.DriverClientListener;
import org.ordertracking.client.Fix;
import org.ordertracking.client.Instruction;
import org.ordertracking.client.JournalException;
import org.ordertracking.client.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's machinery: the journal, and a sender that runs on one thread and owns every piece of
 * network state (socket, frame in flight, backoff, token). {@link #record} runs on the app's thread
 * and touches only the journal and two volatile fields. Thread-safe.
 */
public final class ClientEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientEngine.class);

    private final ClientSettings s;
    private final Journal journal;
    private final URI batchUri;
    private final URI socketUri;
    private final ScheduledExecutorService sender;
    private final ScheduledExecutorService syncer;
    private final Backoff httpBackoff;
    private final Backoff socketBackoff;
    private final AtomicBoolean pumpQueued = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Runnable pumpTask = this::pumpFromSignal;

    private volatile Connectivity connectivity = Connectivity.CONNECTING;
    private volatile Instant lastAcknowledged;
    private volatile Instant lastContact;

    // sender thread only
    private Transport.Socket socket;
    private long socketGeneration;
    private InFlight inFlight;
    private long httpRetryAtNanos;
    private long socketRetryAtNanos;
    private ScheduledFuture<?> wake;
    private long wakeAtNanos = Long.MAX_VALUE;
    private String token;
    private boolean socketRefreshedToken;
    private String lastSocketError;
    private int maxBatch;
    private ClientState published;

    /** A frame sent on the socket and not answered yet. */
    private static final class InFlight {
        final List<Journal.Entry> entries;
        final long generation;
        final Map<Integer, Wire.Error> rejected = new HashMap<>();
        ScheduledFuture<?> timeout;

        InFlight(List<Journal.Entry> entries, long generation) {
            this.entries = entries;
            this.generation = generation;
        }
    }

    public ClientEngine(ClientSettings settings) {
        this.s = settings;
        this.journal = Journal.open(s.journalDirectory(), s.syncPolicy(), s.channels(), s.segmentBytes(),
                s.maxBacklog());
        String base = s.baseUri().toString();
        base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.batchUri = URI.create(base + "/drivers/" + s.driverId() + "/locations");
        this.socketUri = URI.create(base.replaceFirst("^http", "ws") + "/drivers/" + s.driverId() + "/socket");
        this.httpBackoff = new Backoff(s.backoffBase(), s.backoffCap(), s.random());
        this.socketBackoff = new Backoff(s.backoffBase(), s.backoffCap(), s.random());
        this.maxBatch = s.maxBatchSize();
        this.sender = executor(s.threadFactory(), "ordertracking-client-" + s.driverId() + "-sender");
        if (s.syncPolicy().syncsEveryRecord()) {
            this.syncer = null;
        } else {
            this.syncer = executor(s.threadFactory(), "ordertracking-client-" + s.driverId() + "-sync");
            long every = s.syncPolicy().interval().toNanos();
            syncer.scheduleWithFixedDelay(this::groupCommit, every, every, TimeUnit.NANOSECONDS);
        }
        List<String> problems = journal.recoveryProblems();
        long first = httpBackoff.initialDelayMillis();
        long now = System.nanoTime();
        httpRetryAtNanos = now + TimeUnit.MILLISECONDS.toNanos(first);
        socketRetryAtNanos = httpRetryAtNanos;
        sender.execute(() -> {
            if (!problems.isEmpty()) {
                LOG.warn("journal of driver {} recovered with problems: {}", s.driverId(), problems);
                safely(() -> s.listener().onJournalRecovered(problems));
            }
            reportCompaction();
        });
        long flush = s.flushInterval().toNanos();
        sender.scheduleWithFixedDelay(this::pump, flush, flush, TimeUnit.NANOSECONDS);
        sender.schedule(this::pump, first, TimeUnit.MILLISECONDS);
    }

    /** One thread from the given factory, or a daemon thread with the given name. */
    private static ScheduledExecutorService executor(java.util.concurrent.ThreadFactory factory, String name) {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, factory != null ? factory : r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return e;
    }

    // ------------------------------------------------------------------ app side

    public void record(Fix fix) {
        if (closed.get()) {
            throw new IllegalStateException("the client of driver " + s.driverId() + " is closed");
        }
        try {
            journal.append(fix);
        } catch (JournalException e) {
            execute(() -> safely(() -> s.listener().onJournalError(e)));
            throw e;
        }
        if (connectivity == Connectivity.LIVE && pumpQueued.compareAndSet(false, true)) {
            execute(pumpTask);
        }
    }

    public ClientState state() {
        return new ClientState(connectivity, journal.backlog(), lastAcknowledged, lastContact);
    }

    /** Asks the sender to try now (for example when the app learns that the network is back). */
    public void flushNow() {
        execute(() -> {
            httpRetryAtNanos = System.nanoTime();
            socketRetryAtNanos = httpRetryAtNanos;
            pump();
        });
    }

    private void execute(Runnable task) {
        try {
            sender.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the journal keeps everything for the next start
        }
    }

    private void groupCommit() {
        try {
            journal.syncIfDirty();
        } catch (IOException e) {
            JournalException error = new JournalException("could not sync the journal in "
                    + journal.directory() + ": " + e.getMessage(), e);
            LOG.warn("{}", error.getMessage());
            execute(() -> safely(() -> s.listener().onJournalError(error)));
        }
    }

    // ------------------------------------------------------------------ sender

    private void pumpFromSignal() {
        pumpQueued.set(false);
        pump();
    }

    private void pump() {
        if (closed.get()) {
            return;
        }
        try {
            pumpOnce();
        } catch (RuntimeException e) {
            LOG.warn("driver client {}: unexpected failure; retrying later", s.driverId(), e);
            scheduleWake(httpBackoff.nextDelayMillis());
        }
        publishState();
    }

    private void pumpOnce() {
        compact();
        checkpoint();
        long now = System.nanoTime();
        if (s.live() && socket == null && now - socketRetryAtNanos >= 0) {
            openSocket();
        }
        if (inFlight != null) {
            return;
        }
        List<Journal.Entry> batch = journal.peek(maxBatch);
        if (batch.isEmpty()) {
            return;
        }
        if (socket != null) {
            sendFrame(batch);
            return;
        }
        if (now - httpRetryAtNanos < 0) {
            scheduleWake(TimeUnit.NANOSECONDS.toMillis(httpRetryAtNanos - now));
            return;
        }
        // a bounded number of batches per turn, so the socket and close() get their turn
        for (int i = 0; i < 20 && !batch.isEmpty() && !closed.get(); i++) {
            if (!post(batch, false)) {
                return;
            }
            compact();
            checkpoint();
            batch = journal.peek(maxBatch);
        }
        if (!batch.isEmpty()) {
            execute(this::pump);
        }
    }

    private void compact() {
        Instant cutoff = s.clock().instant().minus(s.maxFixAge());
        int old = journal.compactOlderThan(cutoff);
        if (old > 0) {
            safely(() -> s.listener().onCompacted(old, CompactionReason.TOO_OLD));
        }
        reportCompaction();
    }

    private void reportCompaction() {
        long full = journal.takeCompactedByCap();
        if (full > 0) {
            LOG.info("driver client {}: journal full, {} oldest fixes dropped", s.driverId(), full);
            safely(() -> s.listener().onCompacted(full, CompactionReason.BACKLOG_FULL));
        }
    }

    private void checkpoint() {
        try {
            journal.checkpoint();
        } catch (IOException e) {
            // acknowledged fixes would be resent after a restart: harmless, the server ignores repeats
            LOG.debug("could not write the journal checkpoint of {}: {}", s.driverId(), e.toString());
        }
    }

    private String token(boolean refresh) {
        if (token == null || refresh) {
            token = s.tokens().token(refresh);
            if (token == null) {
                throw new IllegalStateException("the TokenSupplier returned null");
            }
        }
        return token;
    }

    private Map<String, String> headers(boolean refresh) {
        Map<String, String> h = new HashMap<>();
        h.put("Authorization", "Bearer " + token(refresh));
        return h;
    }

    /** Posts one batch; returns whether the sender may go on with the next. */
    private boolean post(List<Journal.Entry> batch, boolean refreshed) {
        Map<String, String> headers = headers(refreshed);
        headers.put("Content-Type", "application/json");
        headers.put("Content-Encoding", "gzip");
        Transport.Response response;
        try {
            response = s.transport().post(batchUri, headers, Wire.gzippedBatch(batch), s.requestTimeout());
        } catch (IOException e) {
            LOG.debug("driver client {}: batch of {} not delivered: {}", s.driverId(), batch.size(), e.toString());
            httpFailed(0);
            return false;
        }
        int status = response.status();
        if (status == 200) {
            Wire.BatchAnswer answer;
            try {
                answer = Wire.parseBatchAnswer(response.body());
            } catch (IOException e) {
                LOG.warn("driver client {}: {}", s.driverId(), e.getMessage());
                httpFailed(0);
                return false;
            }
            Map<Integer, Wire.Error> rejected = new HashMap<>();
            for (Wire.Rejection r : answer.rejected()) {
                rejected.put(r.index(), new Wire.Error(r.reason(), "", r.index()));
            }
            settle(batch, rejected, answer.upTo());
            httpBackoff.reset();
            if (socket == null) {
                setConnectivity(Connectivity.ONLINE);
            }
            return true;
        }
        lastContact = s.clock().instant();
        String detail = Wire.problemDetail(response.body());
        if (status == 401) {
            if (!refreshed) {
                return post(batch, true);
            }
            safely(() -> s.listener().onAuthenticationFailed(detail));
            httpFailed(0);
            return false;
        }
        if (status == 413 && batch.size() > 1) {
            maxBatch = Math.max(1, batch.size() / 2);
            LOG.info("driver client {}: the server refused {} fixes in one batch; sending at most {}",
                    s.driverId(), batch.size(), maxBatch);
            return true;
        }
        if (status == 429) {
            long retryAfter = 0;
            try {
                String h = response.header("retry-after");
                retryAfter = h == null ? 0 : Long.parseLong(h.trim()) * 1000;
            } catch (NumberFormatException e) {
                retryAfter = 0;
            }
            httpFailed(retryAfter);
            return false;
        }
        if (status >= 400 && status < 500) {
            safely(() -> s.listener().onRequestRefused(status, detail));
        }
        httpFailed(0);
        return false;
    }

    private void httpFailed(long atLeastMillis) {
        long delay = Math.max(atLeastMillis, httpBackoff.nextDelayMillis());
        httpRetryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
        if (socket == null) {
            setConnectivity(Connectivity.OFFLINE);
        }
        scheduleWake(delay);
    }

    /**
     * Settles the longest prefix of an answered batch in which every fix was rejected or is covered by
     * {@code upTo}; the rest stays and is sent again.
     */
    private void settle(List<Journal.Entry> batch, Map<Integer, Wire.Error> rejected, Instant upTo) {
        lastContact = s.clock().instant();
        long through = -1;
        List<Runnable> reports = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Journal.Entry e = batch.get(i);
            Wire.Error r = rejected.get(i);
            if (r != null) {
                reports.add(() -> s.listener().onRejected(e.fix(), r.code(), r.message()));
            } else if (upTo == null || e.fix().recordedAt().isAfter(upTo)) {
                break;
            }
            through = e.seq();
        }
        if (upTo != null && (lastAcknowledged == null || upTo.isAfter(lastAcknowledged))) {
            lastAcknowledged = upTo;
        }
        if (through >= 0) {
            journal.settleThrough(through);
        }
        reports.forEach(ClientEngine::safely);
    }

    // ------------------------------------------------------------------ socket

    private void openSocket() {
        long generation = ++socketGeneration;
        Transport.SocketListener listener = new Transport.SocketListener() {
            @Override
            public void onText(String text) {
                Wire.ServerFrame frame = Wire.parseFrame(text);
                execute(() -> onFrame(generation, frame));
            }

            @Override
            public void onClosed(int code, String reason) {
                execute(() -> onSocketClosed(generation, code, reason));
            }
        };
        try {
            socket = s.transport().openSocket(socketUri, headers(socketRefreshedToken), listener, s.requestTimeout());
            lastSocketError = null;
            setConnectivity(Connectivity.LIVE);
            lastContact = s.clock().instant();
            LOG.debug("driver client {}: socket open", s.driverId());
        } catch (IOException | RuntimeException e) {
            LOG.debug("driver client {}: socket not opened: {}", s.driverId(), e.toString());
            socket = null;
            socketRetryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(socketFailedDelay());
            if (connectivity == Connectivity.LIVE || connectivity == Connectivity.CONNECTING) {
                setConnectivity(Connectivity.OFFLINE);
            }
        }
    }

    private long socketFailedDelay() {
        long delay = socketBackoff.nextDelayMillis();
        scheduleWake(delay);
        return delay;
    }

    private void sendFrame(List<Journal.Entry> batch) {
        InFlight f = new InFlight(batch, socketGeneration);
        inFlight = f;
        f.timeout = sender.schedule(() -> {
            if (inFlight == f && socket != null && socketGeneration == f.generation) {
                LOG.debug("driver client {}: no answer to a frame within {}; reconnecting", s.driverId(), s.ackTimeout());
                dropSocket(1006, "no acknowledgement within " + s.ackTimeout());
            }
        }, s.ackTimeout().toNanos(), TimeUnit.NANOSECONDS);
        socket.send(Wire.frame(batch));
    }

    private void onFrame(long generation, Wire.ServerFrame frame) {
        if (generation != socketGeneration || closed.get()) {
            return;
        }
        lastContact = s.clock().instant();
        if (frame instanceof Wire.InstructionFrame i) {
            Instruction instruction = i.instruction();
            safely(() -> s.instructions().onInstruction(instruction));
            return;
        }
        if (frame instanceof Wire.Ack ack) {
            InFlight f = inFlight;
            if (f != null) {
                finish(f);
                settle(f.entries, f.rejected, ack.upTo());
                socketBackoff.reset();
                pump();
            }
            return;
        }
        if (frame instanceof Wire.Error error) {
            onError(error);
        }
    }

    private void onError(Wire.Error error) {
        InFlight f = inFlight;
        String code = error.code();
        if ("unauthorized".equals(code) || "forbidden".equals(code)) {
            lastSocketError = code + ": " + error.message();
            return; // the server closes the socket (1008); onSocketClosed decides
        }
        if (f == null) {
            return;
        }
        boolean single = f.entries.size() == 1;
        // a fix of a batch frame is named by its index ("fix 3: …"); a location frame holds one fix
        boolean fixLevel = single ? error.isFixRejection() : error.index() >= 0;
        if (fixLevel) {
            int index = single ? 0 : error.index();
            if (index < f.entries.size()) {
                f.rejected.put(index, error);
            }
            if (f.rejected.size() == f.entries.size()) {
                finish(f);
                settle(f.entries, f.rejected, null);
                pump();
            }
            return;
        }
        // the whole frame was refused: nothing of it was applied
        finish(f);
        if ("batch_too_large".equals(code) && f.entries.size() > 1) {
            maxBatch = Math.max(1, f.entries.size() / 2);
            pump();
            return;
        }
        long delay = socketBackoff.nextDelayMillis();
        LOG.debug("driver client {}: frame refused ({}: {}); again in {} ms", s.driverId(), code, error.message(), delay);
        scheduleWake(delay);
    }

    private void finish(InFlight f) {
        if (f.timeout != null) {
            f.timeout.cancel(false);
        }
        if (inFlight == f) {
            inFlight = null;
        }
    }

    private void onSocketClosed(long generation, int code, String reason) {
        if (generation != socketGeneration || socket == null) {
            return;
        }
        dropSocket(code, reason);
    }

    private void dropSocket(int code, String reason) {
        Transport.Socket old = socket;
        socket = null;
        socketGeneration++;
        if (inFlight != null) {
            finish(inFlight); // its fixes stay in the journal and go again
        }
        if (old != null) {
            old.close();
        }
        if (closed.get()) {
            return;
        }
        String refusal = lastSocketError;
        lastSocketError = null;
        if (code == 1008 && refusal != null && refusal.startsWith("unauthorized") && !socketRefreshedToken) {
            socketRefreshedToken = true;
            socketRetryAtNanos = System.nanoTime();
        } else {
            if (code == 1008 && refusal != null) {
                String detail = refusal;
                if (refusal.startsWith("unauthorized")) {
                    safely(() -> s.listener().onAuthenticationFailed(detail));
                } else {
                    safely(() -> s.listener().onRequestRefused(0, detail));
                }
            }
            socketRefreshedToken = false;
            socketRetryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(socketFailedDelay());
        }
        LOG.debug("driver client {}: socket closed ({} {}); falling back to batches", s.driverId(), code, reason);
        setConnectivity(Connectivity.OFFLINE);
        httpRetryAtNanos = System.nanoTime(); // fall back to a batch at once
        pump();
    }

    // ------------------------------------------------------------------ plumbing

    private void scheduleWake(long delayMillis) {
        if (closed.get()) {
            return;
        }
        long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
        if (wake != null && !wake.isDone() && wakeAtNanos - at <= 0) {
            return; // an earlier wake is already due
        }
        if (wake != null) {
            wake.cancel(false);
        }
        wakeAtNanos = at;
        try {
            wake = sender.schedule(this::pump, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    private void setConnectivity(Connectivity c) {
        if (connectivity != Connectivity.CLOSED) {
            connectivity = c;
        }
    }

    private void publishState() {
        ClientState now = state();
        if (!now.equals(published)) {
            published = now;
            safely(() -> s.listener().onStateChanged(now));
        }
    }

    private static void safely(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.warn("a driver client listener threw; ignored", e);
        }
    }

    /** The journal (tests and the benchmark's byte count). */
    public Journal journal() {
        return journal;
    }

    // ------------------------------------------------------------------ close

    /**
     * Stops the threads after one last flush of at most {@code closeTimeout}, syncs and closes the
     * journal. Idempotent; returns whether this call closed the client.
     */
    public boolean close0() {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        Future<?> last = sender.submit(this::finalFlush);
        try {
            last.get(s.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            last.cancel(true);
        } catch (InterruptedException e) {
            last.cancel(true);
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.debug("the last flush of driver {} failed", s.driverId(), e.getCause());
        }
        sender.shutdownNow();
        if (syncer != null) {
            syncer.shutdownNow();
        }
        try {
            sender.awaitTermination(s.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (syncer != null) {
                syncer.awaitTermination(s.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Transport.Socket open = socket;
        socket = null;
        if (open != null) {
            open.close();
        }
        checkpoint();
        journal.close();
        if (s.ownsTransport()) {
            s.transport().close();
        }
        connectivity = Connectivity.CLOSED;
        ClientState finalState = state();
        safely(() -> s.listener().onStateChanged(finalState));
        return true;
    }

    private void finalFlush() {
        if (inFlight != null && socket != null) {
            finish(inFlight); // not acknowledged: it stays in the journal
        }
        Transport.Socket open = socket;
        socket = null;
        socketGeneration++;
        if (open != null) {
            open.close();
        }
        if (connectivity == Connectivity.OFFLINE) {
            return; // the last attempt failed: do not wait for a timeout, the journal keeps everything
        }
        List<Journal.Entry> batch = journal.peek(maxBatch);
        while (!batch.isEmpty() && !Thread.currentThread().isInterrupted()) {
            if (!post(batch, false)) {
                break;
            }
            batch = journal.peek(maxBatch);
        }
    }

    @Override
    public void close() {
        close0();
    }
}
