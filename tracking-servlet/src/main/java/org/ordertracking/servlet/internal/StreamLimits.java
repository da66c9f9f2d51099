package org.ordertracking.servlet.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.ordertracking.servlet.Caller;
import org.ordertracking.servlet.ProblemType;
import org.ordertracking.servlet.TrackingServletConfig;

/**
 * The caps on open streams and sockets: at most {@code maxStreamsPerSubject} open SSE streams and
 * driver sockets per authenticated subject (role and id), at most {@code maxStreamsPerAddress} open
 * streams per client address ({@code request.getRemoteAddr()}), and at most {@code streamOpenRate}
 * stream opens per window per address (a token bucket on the tracker's clock). A granted open holds a
 * {@link Slot} until the stream or socket ends. Checked before the order is read, so a refused open
 * costs no repository read. Every refusal is counted in {@link Metrics}. Thread-safe.
 */
final class StreamLimits {
    private static final VarHandle SLOT_RELEASED;

    static {
        try {
            SLOT_RELEASED = MethodHandles.lookup().findVarHandle(Slot.class, "released", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The limit that refused an open, by its key in the metrics document and the Micrometer tag. */
    enum Limit {
        PER_SUBJECT("per_subject"), PER_ADDRESS("per_address"), OPEN_RATE("open_rate");

        final String key;

        Limit(String key) {
            this.key = key;
        }
    }

    /** A held place under the caps; {@link #release()} is idempotent. */
    final class Slot {
        private final String subject;
        private final String address;
        private volatile int released; // an int, not an AtomicBoolean: one Slot per open stream

        private Slot(String subject, String address) {
            this.subject = subject;
            this.address = address;
        }

        void release() {
            if (SLOT_RELEASED.compareAndSet(this, 0, 1)) {
                give(subjects, subject);
                if (address != null) {
                    give(addresses, address);
                }
            }
        }
    }

    private final TrackingServletConfig config;
    private final Metrics metrics;
    private final RateLimiter opens;
    private final ConcurrentHashMap<String, Integer> subjects = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> addresses = new ConcurrentHashMap<>();
    private final String capRetryAfter;

    StreamLimits(TrackingServletConfig config, Metrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.opens = new RateLimiter(config.tracker().clock(), config.streamOpenRate(), config.streamOpenWindow());
        // a cap frees when some stream ends, which nobody can predict: suggest the SSE reconnection delay
        this.capRetryAfter = Long.toString(Math.max(1, (config.retry().toMillis() + 999) / 1000));
    }

    /**
     * Admits a stream of {@code caller} from {@code address}, or refuses it.
     *
     * @throws Problem {@code rate-limited} (the address opens too fast) or {@code too-many-streams} (a
     *     cap is reached), both 429 with {@code Retry-After}
     */
    Slot acquireStream(Caller caller, String address) {
        String addr = address == null || address.isEmpty() ? "unknown" : address;
        long wait = opens.tryAcquire(addr);
        if (wait > 0) {
            metrics.countStreamRefused(Limit.OPEN_RATE);
            throw Problem.of(ProblemType.RATE_LIMITED, "client address " + Requests.abbreviate(addr)
                    + " opens streams faster than " + config.streamOpenRate() + " per " + config.streamOpenWindow())
                    .with("limit", "stream_open_rate")
                    .header("Retry-After", Long.toString(Math.max(1, (wait + 999) / 1000)));
        }
        String subject = subjectKey(caller);
        if (!take(subjects, subject, config.maxStreamsPerSubject())) {
            metrics.countStreamRefused(Limit.PER_SUBJECT);
            throw tooMany("a " + caller.role().wireName() + " token for '" + Requests.abbreviate(caller.subject())
                    + "' already holds " + config.maxStreamsPerSubject() + " open streams and sockets, the most one "
                    + "subject may hold", "streams_per_subject", config.maxStreamsPerSubject());
        }
        if (!take(addresses, addr, config.maxStreamsPerAddress())) {
            give(subjects, subject);
            metrics.countStreamRefused(Limit.PER_ADDRESS);
            throw tooMany("client address " + Requests.abbreviate(addr) + " already holds "
                    + config.maxStreamsPerAddress() + " open streams, the most one address may hold",
                    "streams_per_address", config.maxStreamsPerAddress());
        }
        return new Slot(subject, addr);
    }

    /**
     * Admits a driver socket under its subject's cap (a WebSocket handshake carries no standard client
     * address), or returns {@code null}, counted, if the cap is reached.
     */
    Slot acquireSocket(Caller caller) {
        String subject = subjectKey(caller);
        if (!take(subjects, subject, config.maxStreamsPerSubject())) {
            metrics.countStreamRefused(Limit.PER_SUBJECT);
            return null;
        }
        return new Slot(subject, null);
    }

    private Problem tooMany(String detail, String limit, int max) {
        return Problem.of(ProblemType.TOO_MANY_STREAMS, detail).with("limit", limit).with("max", max)
                .header("Retry-After", capRetryAfter);
    }

    private static String subjectKey(Caller caller) {
        return caller.role().wireName() + ':' + caller.subject();
    }

    private static boolean take(ConcurrentHashMap<String, Integer> counts, String key, int max) {
        boolean[] taken = new boolean[1];
        counts.compute(key, (k, n) -> {
            int held = n == null ? 0 : n;
            if (held >= max) {
                return n;
            }
            taken[0] = true;
            return held + 1;
        });
        return taken[0];
    }

    private static void give(ConcurrentHashMap<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Open streams and sockets held by subjects now (for tests). */
    int heldBySubjects() {
        return subjects.values().stream().mapToInt(Integer::intValue).sum();
    }
}
