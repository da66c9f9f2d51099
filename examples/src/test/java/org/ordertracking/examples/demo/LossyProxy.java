package org.ordertracking.examples.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A bad mobile link between the browser and the demo, for the widget's browser tests (there is no
 * netem here): an HTTP/1.1 proxy on 127.0.0.1, port 0, one request per connection, that can
 *
 * <ul>
 * <li>add a round-trip delay (half each way) and cap the bandwidth of each direction, shared by all
 * connections like one radio link ({@link #shape});</li>
 * <li>hold all traffic, both ways, without closing anything — a dead zone: TCP stays up, nothing moves
 * ({@link #hold});</li>
 * <li>answer 502 to every {@code …/stream} request and cut the streams that are open
 * ({@link #failStreams}), or buffer stream responses until they end ({@link #bufferStreams}): the two
 * ways proxies break streaming;</li>
 * <li>serve the test's own host pages itself ({@code pages}, path → content type and body), with a
 * strict Content-Security-Policy.</li>
 * </ul>
 *
 * Thread-safe; the settings may change at any time and apply to bytes not yet delivered.
 */
final class LossyProxy implements AutoCloseable {
    private static final int SLICE = 512;

    record Page(String type, byte[] body) {
    }

    private final ServerSocket server;
    private final int upstreamPort;
    private final Map<String, Page> pages;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lossy-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final java.util.Queue<String> requests = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Set<Socket> streams = ConcurrentHashMap.newKeySet();
    private final Link upLink = new Link();
    private final Link downLink = new Link();
    private volatile long oneWayDelayNanos;
    private volatile long bitsPerSecond;
    private volatile boolean held;
    private volatile boolean failStreams;
    private volatile boolean bufferStreams;

    LossyProxy(int upstreamPort, Map<String, Page> pages) throws IOException {
        this.upstreamPort = upstreamPort;
        this.pages = Map.copyOf(pages);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Adds {@code roundTrip} (half each way) and caps each direction at {@code bitsPerSecond} (0: no cap). */
    void shape(Duration roundTrip, long bitsPerSecond) {
        this.oneWayDelayNanos = roundTrip.toNanos() / 2;
        this.bitsPerSecond = bitsPerSecond;
    }

    /**
     * The requests forwarded so far, each as its request line followed by the names of the
     * {@code Authorization} and {@code If-None-Match} headers it carried, and {@code Last-Event-ID=<value>}
     * if it carried that header.
     */
    List<String> requests() {
        return List.copyOf(requests);
    }

    /** Holds (true) or releases (false) every byte in both directions. */
    void hold(boolean hold) {
        this.held = hold;
    }

    /** Makes stream requests fail with 502 (and cuts the open ones), or lets them through again. */
    void failStreams(boolean fail) {
        this.failStreams = fail;
        if (fail) {
            streams.forEach(LossyProxy::closeQuietly);
        }
    }

    /** Holds each new stream response until it ends (true), like a buffering proxy, or not (false). */
    void bufferStreams(boolean buffer) {
        this.bufferStreams = buffer;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                threads.execute(() -> handle(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static String lastEventId(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("last-event-id:")) {
                return " Last-Event-ID=" + line.substring(14).trim();
            }
        }
        return "";
    }

    private void handle(Socket client) {
        Socket upstream = null;
        try (client) {
            InputStream in = client.getInputStream();
            byte[] head = readHead(in);
            if (head == null) {
                return;
            }
            long arrived = System.nanoTime();
            String text = new String(head, StandardCharsets.ISO_8859_1);
            String[] requestLine = text.substring(0, text.indexOf("\r\n")).split(" ");
            String path = requestLine[1];
            Page page = pages.get(path.split("\\?")[0]);
            if (page != null) {
                writeAll(client.getOutputStream(), ("HTTP/1.1 200 OK\r\nContent-Type: " + page.type
                        + "\r\nContent-Length: " + page.body.length + "\r\nCache-Control: no-store\r\n"
                        + "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; "
                        + "connect-src 'self'\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
                        page.body);
                return;
            }
            String lowerHead = text.toLowerCase();
            requests.add(text.substring(0, text.indexOf("\r\n"))
                    + (lowerHead.contains("\r\nauthorization:") ? " Authorization" : "")
                    + (lowerHead.contains("\r\nif-none-match:") ? " If-None-Match" : "")
                    + lastEventId(text));
            boolean stream = path.contains("/stream");
            if (stream && failStreams) {
                writeAll(client.getOutputStream(), ("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                return;
            }
            if (stream) {
                streams.add(client);
            }
            StringBuilder rewritten = new StringBuilder();
            int contentLength = 0;
            for (String line : text.split("\r\n")) {
                String lower = line.toLowerCase();
                if (lower.startsWith("connection:") || lower.startsWith("keep-alive:") || line.isEmpty()) {
                    continue;
                }
                if (lower.startsWith("content-length:")) {
                    contentLength = Integer.parseInt(line.substring(15).trim());
                }
                rewritten.append(line).append("\r\n");
            }
            rewritten.append("Connection: close\r\n\r\n");
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(rewritten.toString().getBytes(StandardCharsets.ISO_8859_1));
            request.writeBytes(in.readNBytes(contentLength));
            upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
            open.add(upstream);
            deliver(request.toByteArray(), request.size(), arrived, upstream.getOutputStream(), upLink);

            // response: read as fast as the server writes, deliver at the link's pace
            BlockingQueue<Object[]> queue = new LinkedBlockingQueue<>();
            Socket up = upstream;
            threads.execute(() -> {
                byte[] buffer = new byte[8192];
                try {
                    InputStream from = up.getInputStream();
                    int n;
                    while ((n = from.read(buffer)) > 0) {
                        queue.add(new Object[] {java.util.Arrays.copyOf(buffer, n), System.nanoTime()});
                    }
                } catch (IOException e) {
                    // cut: end the response
                }
                queue.add(new Object[0]);
            });
            OutputStream out = client.getOutputStream();
            ByteArrayOutputStream buffered = stream && bufferStreams ? new ByteArrayOutputStream() : null;
            while (true) {
                Object[] chunk = queue.take();
                if (chunk.length == 0) {
                    break;
                }
                byte[] bytes = (byte[]) chunk[0];
                if (buffered != null) {
                    buffered.writeBytes(bytes);
                } else {
                    deliver(bytes, bytes.length, (Long) chunk[1], out, downLink);
                }
            }
            if (buffered != null) {
                deliver(buffered.toByteArray(), buffered.size(), System.nanoTime(), out, downLink);
            }
        } catch (IOException | RuntimeException e) {
            // a cut connection: the browser sees it as a network error
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            streams.remove(client);
            open.remove(client);
            if (upstream != null) {
                open.remove(upstream);
                closeQuietly(upstream);
            }
        }
    }

    /** Writes after the one-way delay, in slices paced by the shared link, never while held. */
    private void deliver(byte[] bytes, int length, long arrivedNanos, OutputStream out, Link link)
            throws IOException {
        sleepUntil(arrivedNanos + oneWayDelayNanos);
        for (int offset = 0; offset < length; offset += SLICE) {
            int n = Math.min(SLICE, length - offset);
            while (held) {
                LockSupport.parkNanos(20_000_000L);
            }
            long bps = bitsPerSecond;
            if (bps > 0) {
                sleepUntil(link.reserve(n * 8L * 1_000_000_000L / bps));
            }
            out.write(bytes, offset, n);
        }
        out.flush();
    }

    /** One direction of the radio link: the time at which it is free again. */
    private static final class Link {
        private long freeAt = System.nanoTime();

        synchronized long reserve(long nanos) {
            long start = Math.max(System.nanoTime(), freeAt);
            freeAt = start + nanos;
            return start;
        }
    }

    private static void sleepUntil(long nanoTime) {
        long wait;
        while ((wait = nanoTime - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == 4) {
                return head.toByteArray();
            }
            if (head.size() > 65_536) {
                throw new IOException("request head too large");
            }
        }
        return null;
    }

    private static void writeAll(OutputStream out, byte[]... parts) throws IOException {
        for (byte[] part : parts) {
            out.write(part);
        }
        out.flush();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        open.forEach(LossyProxy::closeQuietly);
        threads.shutdownNow();
    }
}
