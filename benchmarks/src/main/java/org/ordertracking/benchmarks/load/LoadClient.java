package org.ordertracking.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.HdrHistogram.Histogram;
import org.ordertracking.servlet.JwtIssuer;
import org.ordertracking.servlet.Role;

/**
 * One load-generating client process: holds its share of SSE streams on one selector thread, parses
 * every event, records publish→receive latency (the publisher puts {@code t=<epoch µs>} in each
 * event's {@code reason}) and checks per-subscriber seq continuity across reconnects. Location events
 * get their own histogram: fix sent → location event received, from the fix's {@code recorded_at},
 * which the realistic mix sets to the instant it sends the fix (with microseconds).
 *
 * <p>Started by {@link LoadHarness}, one per slice of the streams; talks to it over stdin
 * ({@code RESET}, {@code STOP}) and stdout ({@code READY}, {@code STAT}, {@code HIST}, {@code DONE}).
 * Stops by itself after {@code --max-seconds}.
 *
 * <p>Arguments: {@code --mode tracking|nchan --port P --base /tracking --secret S --orders K --first I
 * --count C --local-ips 127.0.0.2,127.0.0.3 --connect-rate R --churn-ms L --max-seconds T}.
 */
public final class LoadClient {
    private static final int HEADERS = 0;
    private static final int BODY = 1;
    private static final int CHUNK_SIZE = 2;
    private static final int CHUNK_DATA = 3;
    private static final int CHUNK_CRLF = 4;

    private final boolean nchan;
    private final InetSocketAddress server;
    private final String base;
    private final String run;
    private final int orders;
    private final int first;
    private final int count;
    private final String[] localIps;
    private final int connectRate;
    private final long churnMs;
    private final long maxMillis;
    private final JwtIssuer jwt;
    private final Map<Integer, String> tokens = new HashMap<>();
    private final long[] lastSeq;
    private final Conn[] bySub;
    private final Selector selector;
    private final ArrayDeque<Integer> toOpen = new ArrayDeque<>();
    private final Histogram histogram = new Histogram(60_000_000L, 3);
    private final Histogram locationHistogram = new Histogram(60_000_000L, 3);
    private final PrintStream out = System.out;

    private volatile boolean stop;
    private volatile boolean reset;
    private boolean readySent;
    private long open;
    private long connects;
    private long connectFailures;
    private long badStatus;
    private long serverClosed;
    private long churned;
    private long statusEvents;
    private long otherEvents;
    private long locationEvents;
    private long gaps;
    private long duplicates;
    private long latencyRecorded;

    private LoadClient(Map<String, String> opts) throws IOException {
        this.nchan = "nchan".equals(opts.getOrDefault("mode", "tracking"));
        this.server = new InetSocketAddress(opts.getOrDefault("host", "127.0.0.1"), Integer.parseInt(opts.get("port")));
        this.base = opts.getOrDefault("base", "/tracking");
        this.run = opts.getOrDefault("run", "0");
        this.orders = Integer.parseInt(opts.get("orders"));
        this.first = Integer.parseInt(opts.get("first"));
        this.count = Integer.parseInt(opts.get("count"));
        this.localIps = opts.getOrDefault("local-ips", "127.0.0.1").split(",");
        this.connectRate = Integer.parseInt(opts.getOrDefault("connect-rate", "2000"));
        this.churnMs = Long.parseLong(opts.getOrDefault("churn-ms", "0"));
        this.maxMillis = Long.parseLong(opts.getOrDefault("max-seconds", "600")) * 1000;
        this.jwt = LoadHarness.issuer(opts.getOrDefault("secret", LoadHarness.DEFAULT_SECRET));
        this.lastSeq = new long[count];
        this.bySub = new Conn[count];
        this.selector = Selector.open();
    }

    public static void main(String[] args) throws Exception {
        new LoadClient(LoadHarness.parse(args)).run();
    }

    private void run() throws IOException {
        Thread commands = new Thread(this::readCommands, "commands");
        commands.setDaemon(true);
        commands.start();
        for (int i = 0; i < count; i++) {
            toOpen.add(i);
        }
        long started = System.currentTimeMillis();
        long lastStat = started;
        long lastTick = System.nanoTime();
        double openBudget = 0;
        ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
        byte[] scratch = new byte[256 * 1024];
        while (!stop && System.currentTimeMillis() - started < maxMillis) {
            long nowNanos = System.nanoTime();
            openBudget = Math.min(connectRate, openBudget + connectRate * (nowNanos - lastTick) / 1e9);
            lastTick = nowNanos;
            while (openBudget >= 1 && !toOpen.isEmpty()) {
                openBudget--;
                openConnection(toOpen.poll());
            }
            selector.select(5);
            long nowMicros = micros();
            for (SelectionKey key : selector.selectedKeys()) {
                Conn conn = (Conn) key.attachment();
                try {
                    if (key.isConnectable()) {
                        if (conn.channel.finishConnect()) {
                            conn.channel.write(ByteBuffer.wrap(request(conn).getBytes(StandardCharsets.US_ASCII)));
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    } else if (key.isReadable()) {
                        buffer.clear();
                        int n = conn.channel.read(buffer);
                        if (n < 0) {
                            serverClosed++;
                            close(conn, true);
                            continue;
                        }
                        buffer.flip();
                        buffer.get(scratch, 0, n);
                        onBytes(conn, scratch, n, nowMicros);
                    }
                } catch (IOException e) {
                    if (!conn.established) {
                        connectFailures++;
                    } else {
                        serverClosed++;
                    }
                    close(conn, true);
                }
            }
            selector.selectedKeys().clear();
            if (reset) {
                reset = false;
                histogram.reset();
                locationHistogram.reset();
                locationEvents = 0;
                statusEvents = 0;
                otherEvents = 0;
                gaps = 0;
                duplicates = 0;
                churned = 0;
                serverClosed = 0;
                latencyRecorded = 0;
            }
            long now = System.currentTimeMillis();
            if (churnMs > 0) {
                for (Conn conn : bySub) {
                    if (conn != null && conn.established && now >= conn.closeAt) {
                        churned++;
                        close(conn, true);
                    }
                }
            }
            if (!readySent && (open >= count || (churnMs > 0 && connects >= count))) {
                readySent = true;
                out.println("READY " + open);
                out.flush();
            }
            if (now - lastStat >= 1000) {
                lastStat = now;
                stat();
            }
        }
        for (Conn conn : bySub) {
            if (conn != null) {
                close(conn, false);
            }
        }
        stat();
        out.println("HIST " + encode(histogram));
        out.println("LHIST " + encode(locationHistogram));
        out.println("DONE");
        out.flush();
        selector.close();
    }

    private static String encode(Histogram h) {
        ByteBuffer encoded = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        h.encodeIntoCompressedByteBuffer(encoded);
        encoded.flip();
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    private void stat() {
        out.println("STAT open=" + open + " connects=" + connects + " connect_failures=" + connectFailures
                + " bad_status=" + badStatus + " server_closed=" + serverClosed + " churned=" + churned
                + " status_events=" + statusEvents + " location_events=" + locationEvents
                + " other_events=" + otherEvents + " gaps=" + gaps
                + " duplicates=" + duplicates + " latency_samples=" + latencyRecorded);
        out.flush();
    }

    private void readCommands() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("RESET")) {
                    reset = true;
                } else if (line.equals("STOP")) {
                    break;
                }
            }
        } catch (IOException e) {
            // the harness went away: stop
        }
        stop = true;
        selector.wakeup();
    }

    private void openConnection(int sub) {
        Conn conn = new Conn(sub);
        try {
            conn.channel = SocketChannel.open();
            conn.channel.configureBlocking(false);
            conn.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            conn.channel.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
            conn.channel.bind(new InetSocketAddress(localIps[(first + sub) % localIps.length], 0));
            bySub[sub] = conn;
            if (conn.channel.connect(server)) {
                conn.channel.write(ByteBuffer.wrap(request(conn).getBytes(StandardCharsets.US_ASCII)));
                conn.channel.register(selector, SelectionKey.OP_READ, conn);
            } else {
                conn.channel.register(selector, SelectionKey.OP_CONNECT, conn);
            }
        } catch (IOException e) {
            connectFailures++;
            bySub[sub] = null;
            try {
                if (conn.channel != null) {
                    conn.channel.close();
                }
            } catch (IOException ignored) {
                // already failed
            }
            toOpen.add(sub);
        }
    }

    private void close(Conn conn, boolean reopen) {
        if (conn.established) {
            open--;
        }
        conn.established = false;
        try {
            conn.channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        if (bySub[conn.sub] == conn) {
            bySub[conn.sub] = null;
        }
        if (reopen && !stop) {
            toOpen.add(conn.sub);
        }
    }

    private String request(Conn conn) {
        int order = (first + conn.sub) % orders;
        String path;
        if (nchan) {
            path = "/sub/o" + order;
        } else {
            String token = tokens.computeIfAbsent(order,
                    o -> jwt.issue(Role.CUSTOMER, "bench-" + run + "-" + o, Duration.ofSeconds(3600)));
            path = base + "/orders/bench-" + run + "-" + order + "/stream?access_token=" + token;
        }
        StringBuilder request = new StringBuilder(512).append("GET ").append(path).append(" HTTP/1.1\r\nHost: ")
                .append(server.getHostString()).append(':').append(server.getPort())
                .append("\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n");
        if (lastSeq[conn.sub] > 0 && !nchan) {
            request.append("Last-Event-ID: ").append(lastSeq[conn.sub]).append("\r\n");
        }
        return request.append("\r\n").toString();
    }

    private void onBytes(Conn c, byte[] data, int length, long nowMicros) {
        int i = 0;
        while (i < length) {
            switch (c.phase) {
                case HEADERS -> {
                    byte b = data[i++];
                    c.head.append((char) b);
                    if (b == '\n' && c.head.length() >= 4 && c.head.charAt(c.head.length() - 3) == '\n') {
                        String head = c.head.toString();
                        c.head.setLength(0);
                        int status = Integer.parseInt(head.substring(9, 12));
                        if (status != 200) {
                            badStatus++;
                            close(c, true);
                            return;
                        }
                        c.established = true;
                        c.openedAt = nowMicros;
                        open++;
                        connects++;
                        c.closeAt = churnMs > 0
                                ? System.currentTimeMillis() + ThreadLocalRandom.current().nextLong(churnMs / 2, churnMs * 3 / 2 + 1)
                                : Long.MAX_VALUE;
                        c.phase = head.toLowerCase().contains("transfer-encoding: chunked") ? CHUNK_SIZE : BODY;
                    }
                }
                case BODY -> {
                    for (; i < length; i++) {
                        sse(c, data[i], nowMicros);
                    }
                }
                case CHUNK_SIZE -> {
                    byte b = data[i++];
                    if (b == '\n') {
                        if (c.chunkLeft == 0) {
                            serverClosed++;
                            close(c, true);
                            return;
                        }
                        c.phase = CHUNK_DATA;
                    } else if (b != '\r' && !c.chunkExt) {
                        if (b == ';') {
                            c.chunkExt = true;
                        } else {
                            c.chunkLeft = c.chunkLeft * 16 + Character.digit(b, 16);
                        }
                    }
                }
                case CHUNK_DATA -> {
                    int take = (int) Math.min(length - i, c.chunkLeft);
                    for (int k = 0; k < take; k++) {
                        sse(c, data[i + k], nowMicros);
                    }
                    i += take;
                    c.chunkLeft -= take;
                    if (c.chunkLeft == 0) {
                        c.phase = CHUNK_CRLF;
                    }
                }
                case CHUNK_CRLF -> {
                    if (data[i++] == '\n') {
                        c.phase = CHUNK_SIZE;
                        c.chunkLeft = 0;
                        c.chunkExt = false;
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    private void sse(Conn c, byte b, long nowMicros) {
        if (b == '\n') {
            line(c, nowMicros);
            c.lineLength = 0;
        } else if (b != '\r') {
            if (c.lineLength == c.line.length) {
                c.line = java.util.Arrays.copyOf(c.line, c.line.length * 2);
            }
            c.line[c.lineLength++] = b;
        }
    }

    private void line(Conn c, long nowMicros) {
        byte[] l = c.line;
        int n = c.lineLength;
        if (n == 0) {
            if (c.data != null) {
                dispatch(c, nowMicros);
            }
            c.data = null;
            c.event = null;
        } else if (n >= 5 && l[0] == 'd' && l[1] == 'a' && l[2] == 't' && l[3] == 'a' && l[4] == ':') {
            c.data = new String(l, 5, n - 5, StandardCharsets.UTF_8);
        } else if (n >= 6 && l[0] == 'e' && l[1] == 'v' && l[2] == 'e' && l[3] == 'n' && l[4] == 't' && l[5] == ':') {
            c.event = new String(l, 6, n - 6, StandardCharsets.US_ASCII).trim();
        }
    }

    private void dispatch(Conn c, long nowMicros) {
        boolean status = nchan ? c.event == null : "status".equals(c.event);
        if (!status) {
            if (!nchan && "location".equals(c.event)) {
                locationEvents++;
                long sent = instantMicros(c.data, "recorded_at");
                if (sent >= c.openedAt) {
                    locationHistogram.recordValue(Math.max(0, Math.min(nowMicros - sent, 60_000_000L - 1)));
                }
            } else {
                otherEvents++;
            }
            return;
        }
        String data = c.data;
        int s = data.indexOf("\"seq\":");
        if (s < 0) {
            otherEvents++;
            return;
        }
        long seq = digits(data, s + 6);
        statusEvents++;
        long last = lastSeq[c.sub];
        if (seq <= last) {
            duplicates++;
        } else {
            if (seq != last + 1) {
                gaps++;
            }
            lastSeq[c.sub] = seq;
        }
        int t = data.indexOf("t=");
        if (t >= 0) {
            long sent = digits(data, t + 2);
            if (sent >= c.openedAt) {
                histogram.recordValue(Math.max(0, Math.min(nowMicros - sent, 60_000_000L - 1)));
                latencyRecorded++;
            }
        }
    }

    private static long digits(String s, int from) {
        long v = 0;
        for (int i = from; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') {
                break;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }

    /**
     * The instant in the JSON string field {@code field} of {@code json} (ISO-8601, as
     * {@link Instant#toString()} writes it), in epoch microseconds; -1 if the field is absent or not an
     * instant.
     */
    static long instantMicros(String json, String field) {
        String key = "\"" + field + "\":\"";
        int at = json.indexOf(key);
        if (at < 0) {
            return -1;
        }
        int from = at + key.length();
        int to = json.indexOf('"', from);
        if (to < 0) {
            return -1;
        }
        try {
            Instant instant = Instant.parse(json.substring(from, to));
            return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
        } catch (java.time.format.DateTimeParseException e) {
            return -1;
        }
    }

    /** The instant {@code micros} epoch microseconds, as a fix's {@code recorded_at} carries it. */
    static Instant ofMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    }

    static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    /** One stream's connection and parser state. */
    private static final class Conn {
        final int sub;
        SocketChannel channel;
        int phase = HEADERS;
        final StringBuilder head = new StringBuilder(256);
        long chunkLeft;
        boolean chunkExt;
        byte[] line = new byte[256];
        int lineLength;
        String event;
        String data;
        boolean established;
        long openedAt;
        long closeAt;

        Conn(int sub) {
            this.sub = sub;
        }
    }
}
