package org.ordertracking.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import org.ordertracking.client.internal.ChannelFactory;
import org.ordertracking.client.internal.ClientEngine;
import org.ordertracking.client.internal.ClientSettings;

/**
 * The driver's side of order tracking: {@link #record(Fix)} puts each position into a durable journal
 * on local disk, and the client delivers the journal to the server — over the live WebSocket while it
 * is open, else in gzip batches over {@code POST /drivers/{id}/locations} — and trims it by the
 * server's acknowledgements.
 *
 * <pre>{@code
 * DriverClient client = DriverClient.builder(URI.create("https://tracking.example.com/tracking"), "d-17")
 *         .journalDirectory(context.getFilesDir().toPath().resolve("tracking"))
 *         .tokens(refresh -> auth.driverToken(refresh))
 *         .instructionListener(instruction -> ui.post(() -> show(instruction)))
 *         .build();
 * client.record(Fix.of(33.8938, 35.5018, Instant.now()));   // never blocks on the network
 * ClientState state = client.state();                        // "offline, 42 positions waiting"
 * client.close();
 * }</pre>
 *
 * <p><b>Durability.</b> A fix whose {@code record} returned is in the journal file: a killed process
 * loses nothing, and a power loss loses at most what the {@link SyncPolicy} allows (the default syncs
 * every 50 ms). After a restart on the same directory every fix not yet acknowledged is sent. A torn
 * or corrupt record is detected by its CRC and skipped; see {@link DriverClientListener#onJournalRecovered}.
 *
 * <p><b>Delivery.</b> Oldest first, in batches of at most {@link Builder#maxBatchSize(int)}. A fix
 * leaves the journal once the server acknowledged it ({@code up_to} covers it) or rejected it for good
 * ({@link DriverClientListener#onRejected}); an answer that never arrived makes the client send the
 * batch again, which the server ignores as a repeat. Failed attempts are retried with exponential
 * backoff and full jitter.
 *
 * <p><b>Threads.</b> One daemon thread sends (and runs every listener), one syncs the journal (group
 * commit only); {@link Builder#threadFactory} supplies them if given. {@link #close()} stops both.
 *
 * <p>Thread-safe: {@link #record} may be called from any thread.
 *
 * @since 0.1.0
 */
public final class DriverClient implements AutoCloseable {
    private final ClientEngine engine;

    private DriverClient(ClientEngine engine) {
        this.engine = engine;
    }

    /**
     * Returns a builder.
     *
     * @param baseUri where the tracking servlet is mounted, e.g. {@code https://host/tracking}
     *     ({@code http} or {@code https}; the socket uses {@code ws}/{@code wss} on the same path)
     * @param driverId the driver's id: 1 to 128 characters of {@code [A-Za-z0-9_.-]}
     */
    public static Builder builder(URI baseUri, String driverId) {
        return new Builder(baseUri, driverId);
    }

    /**
     * Records a fix: it is in the journal when this returns. Never blocks on the network and never
     * throws because the server cannot be reached.
     *
     * @throws JournalException if the fix could not be written to local storage (disk full, I/O
     *     error); the fix is not recorded, every fix recorded before stays
     * @throws IllegalStateException if the client is closed
     */
    public void record(Fix fix) {
        engine.record(Objects.requireNonNull(fix, "fix must not be null"));
    }

    /** What the client is doing now: connectivity, backlog, last acknowledgement. Cheap; any thread. */
    public ClientState state() {
        return engine.state();
    }

    /**
     * Tries to deliver now instead of waiting out the current backoff, for example when the app learns
     * from the platform that the network came back. Returns at once.
     */
    public void flushNow() {
        engine.flushNow();
    }

    /**
     * Closes the socket, tries for at most {@link Builder#closeTimeout(Duration)} to deliver what is
     * waiting (not at all when offline), stops the threads and closes the journal. What was not
     * delivered stays in the journal for the next client on the same directory. The last
     * {@link DriverClientListener#onStateChanged} ({@link Connectivity#CLOSED}) is called on the
     * closing thread. Calling it again does nothing.
     */
    @Override
    public void close() {
        engine.close();
    }

    /**
     * Builds a {@link DriverClient}. Not thread-safe; {@link #build()} validates the combination.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        /** Largest batch, the server's default limit: 500 fixes. */
        public static final int DEFAULT_MAX_BATCH_SIZE = 500;
        /** Fixes kept waiting at most: 20,000 (more than 5 hours at one fix a second). */
        public static final int DEFAULT_MAX_BACKLOG = 20_000;
        /** Fixes older than this are dropped unsent: 30 min, the server's default maximum fix age. */
        public static final Duration DEFAULT_MAX_FIX_AGE = Duration.ofMinutes(30);
        /** How often a batch is sent while the socket is not open: 5 s. */
        public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(5);
        /** Longest wait for an HTTP answer or a socket handshake: 15 s. */
        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(15);
        /** Longest wait for the acknowledgement of a socket frame before the socket is reopened: 15 s. */
        public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(15);
        /** First backoff ceiling: 1 s. */
        public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofSeconds(1);
        /** Largest backoff ceiling: 2 min. */
        public static final Duration DEFAULT_BACKOFF_CAP = Duration.ofMinutes(2);
        /** Longest time {@link #close()} spends delivering: 3 s. */
        public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(3);
        /** Size at which the journal starts a new segment file: 1 MiB. */
        public static final long DEFAULT_SEGMENT_BYTES = 1 << 20;

        private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

        private final URI baseUri;
        private final String driverId;
        private Path journalDirectory;
        private TokenSupplier tokens;
        private Transport transport;
        private SyncPolicy syncPolicy = SyncPolicy.DEFAULT;
        private ChannelFactory channels = ChannelFactory.DEFAULT;
        private long segmentBytes = DEFAULT_SEGMENT_BYTES;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private int maxBacklog = DEFAULT_MAX_BACKLOG;
        private Duration maxFixAge = DEFAULT_MAX_FIX_AGE;
        private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration ackTimeout = DEFAULT_ACK_TIMEOUT;
        private Duration backoffBase = DEFAULT_BACKOFF_BASE;
        private Duration backoffCap = DEFAULT_BACKOFF_CAP;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private boolean live = true;
        private DriverClientListener listener = new DriverClientListener() {
        };
        private InstructionListener instructions = instruction -> {
        };
        private InstantSource clock = InstantSource.system();
        private RandomGenerator random;
        private java.util.concurrent.ThreadFactory threadFactory;

        private Builder(URI baseUri, String driverId) {
            Objects.requireNonNull(baseUri, "baseUri must not be null");
            Objects.requireNonNull(driverId, "driverId must not be null");
            String scheme = baseUri.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme) || baseUri.getHost() == null) {
                throw new IllegalArgumentException("baseUri must be an absolute http or https URI, but was " + baseUri);
            }
            if (!ID.matcher(driverId).matches()) {
                throw new IllegalArgumentException("driverId must be 1 to 128 characters of [A-Za-z0-9_.-], but was '"
                        + driverId + "'");
            }
            this.baseUri = baseUri;
            this.driverId = driverId;
        }

        /** Required: the directory of this driver's journal (created if missing; one client at a time). */
        public Builder journalDirectory(Path directory) {
            this.journalDirectory = Objects.requireNonNull(directory, "directory must not be null");
            return this;
        }

        /** Required: where the driver's bearer token comes from. */
        public Builder tokens(TokenSupplier tokens) {
            this.tokens = Objects.requireNonNull(tokens, "tokens must not be null");
            return this;
        }

        /**
         * The transport; default {@link Transport#jdk()}, owned and closed by the client. A transport
         * given here is not closed by the client.
         */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport must not be null");
            return this;
        }

        /** When the journal syncs to the device; default {@link SyncPolicy#DEFAULT} (group commit, 50 ms). */
        public Builder syncPolicy(SyncPolicy policy) {
            this.syncPolicy = Objects.requireNonNull(policy, "policy must not be null");
            return this;
        }

        /** The largest batch (HTTP body or socket frame); default 500. Use the server's {@code maxBatchSize}. */
        public Builder maxBatchSize(int size) {
            if (size < 1 || size > 10_000) {
                throw new IllegalArgumentException("maxBatchSize must be in [1, 10000], but was " + size);
            }
            this.maxBatchSize = size;
            return this;
        }

        /** The most fixes kept waiting; past it the oldest are dropped. Default 20,000. */
        public Builder maxBacklog(int fixes) {
            if (fixes < 1) {
                throw new IllegalArgumentException("maxBacklog must be positive, but was " + fixes);
            }
            this.maxBacklog = fixes;
            return this;
        }

        /**
         * Fixes recorded longer ago than this (client clock) are dropped unsent; default 30 min. Use the
         * server's {@code maxFixAge}: older fixes would be refused as {@code too_old}.
         */
        public Builder maxFixAge(Duration age) {
            this.maxFixAge = positive(age, "maxFixAge");
            return this;
        }

        /** How often a batch goes out while the socket is not open; default 5 s. */
        public Builder flushInterval(Duration interval) {
            this.flushInterval = positive(interval, "flushInterval");
            return this;
        }

        /** Longest wait for an HTTP answer or a socket handshake; default 15 s. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /** Longest wait for a socket frame's acknowledgement before the socket is reopened; default 15 s. */
        public Builder ackTimeout(Duration timeout) {
            this.ackTimeout = positive(timeout, "ackTimeout");
            return this;
        }

        /**
         * Retry backoff: after the n-th consecutive failure the client waits a uniformly random time in
         * {@code [0, min(cap, base · 2^(n-1))]}. Defaults 1 s and 2 min.
         */
        public Builder backoff(Duration base, Duration cap) {
            positive(base, "backoff base");
            positive(cap, "backoff cap");
            if (cap.compareTo(base) < 0) {
                throw new IllegalArgumentException("backoff cap must be at least the base " + base + ", but was " + cap);
            }
            this.backoffBase = base;
            this.backoffCap = cap;
            return this;
        }

        /** Longest time {@link DriverClient#close()} spends delivering; default 3 s. Zero skips it. */
        public Builder closeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "closeTimeout must not be null");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must not be negative, but was " + timeout);
            }
            this.closeTimeout = timeout;
            return this;
        }

        /** Whether to keep the live WebSocket open (default true); false sends batches only. */
        public Builder live(boolean live) {
            this.live = live;
            return this;
        }

        /** Receives state changes, rejections, compactions and errors; default none. */
        public Builder listener(DriverClientListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener must not be null");
            return this;
        }

        /** Receives the dispatcher's instructions; default none. */
        public Builder instructionListener(InstructionListener listener) {
            this.instructions = Objects.requireNonNull(listener, "listener must not be null");
            return this;
        }

        /** The clock of fix ages and of {@link ClientState#lastContact()}; default the system clock. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** The randomness of the backoff jitter; default a new {@code SplittableRandom}. Seed it in tests. */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random must not be null");
            return this;
        }

        /**
         * Where the client's two threads (sender, group-commit sync) come from; default daemon threads
         * named {@code ordertracking-client-<driver>-sender} and {@code …-sync}. Each call of the
         * factory must return a new, unstarted thread; the client stops them on {@link DriverClient#close()}.
         */
        public Builder threadFactory(java.util.concurrent.ThreadFactory factory) {
            this.threadFactory = Objects.requireNonNull(factory, "factory must not be null");
            return this;
        }

        /** Size at which the journal starts a new segment file; default 1 MiB. */
        public Builder segmentBytes(long bytes) {
            if (bytes < 4096 || bytes > (1L << 30)) {
                throw new IllegalArgumentException("segmentBytes must be in [4096, 2^30], but was " + bytes);
            }
            this.segmentBytes = bytes;
            return this;
        }

        /** Test seam: how segment files are opened (tests make writes fail like a full disk). */
        Builder channels(ChannelFactory channels) {
            this.channels = Objects.requireNonNull(channels, "channels must not be null");
            return this;
        }

        /**
         * Opens the journal (recovering what it holds) and starts the client.
         *
         * @throws IllegalStateException if the journal directory or the token supplier is missing
         * @throws JournalException if the journal cannot be opened
         */
        public DriverClient build() {
            if (journalDirectory == null) {
                throw new IllegalStateException("journalDirectory is required");
            }
            if (tokens == null) {
                throw new IllegalStateException("tokens is required");
            }
            boolean owns = transport == null;
            Transport t = owns ? Transport.jdk() : transport;
            ClientSettings settings = new ClientSettings(baseUri, driverId, journalDirectory, tokens, t, owns,
                    syncPolicy, channels, segmentBytes, maxBatchSize, maxBacklog, maxFixAge, flushInterval,
                    requestTimeout, ackTimeout, backoffBase, backoffCap, closeTimeout, live, listener, instructions,
                    clock, random == null ? new java.util.SplittableRandom() : random, threadFactory);
            try {
                return new DriverClient(new ClientEngine(settings));
            } catch (RuntimeException e) {
                if (owns) {
                    t.close();
                }
                throw e;
            }
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name + " must not be null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, but was " + d);
            }
            return d;
        }
    }
}
