package org.ordertracking.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy for tests, in place of netem: each chunk is delayed, the bandwidth of each direction is
 * capped, and connections are cut after a random number of bytes (seeded). Modes can be changed while
 * it runs. {@link #cutResponses} models a lost answer: the request reaches the server, and the
 * connection dies as the first byte of the answer comes back.
 */
final class LossyProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final SplittableRandom random;
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger cuts = new AtomicInteger();
    volatile long delayMillis;
    volatile int bytesPerSecond; // 0: unlimited
    volatile int cutAfterMaxBytes; // 0: never cut; else each connection dies after random [1, max] bytes
    volatile int cutResponses; // this many answers (server → client) are cut at their first byte

    LossyProxy(int targetPort, long seed) throws IOException {
        this.targetPort = targetPort;
        this.random = new SplittableRandom(seed);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "lossy-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server;
                try {
                    server = new Socket();
                    server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
                } catch (IOException e) {
                    client.close(); // target down: the client sees the connection closed
                    continue;
                }
                connections.incrementAndGet();
                open.add(client);
                open.add(server);
                long budget;
                synchronized (random) {
                    budget = cutAfterMaxBytes > 0 ? 1 + random.nextInt(cutAfterMaxBytes) : Long.MAX_VALUE;
                }
                Link link = new Link(client, server, budget);
                start(() -> link.pump(client, server, false));
                start(() -> link.pump(server, client, true));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void start(Runnable r) {
        Thread t = new Thread(r, "lossy-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private final class Link {
        final Socket a;
        final Socket b;
        final AtomicInteger left;

        Link(Socket a, Socket b, long budget) {
            this.a = a;
            this.b = b;
            this.left = new AtomicInteger((int) Math.min(Integer.MAX_VALUE, budget));
        }

        void pump(Socket from, Socket to, boolean answers) {
            byte[] buf = new byte[1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (answers && cutResponses > 0) {
                        cutResponses--;
                        cuts.incrementAndGet();
                        break;
                    }
                    int allowed = Math.min(n, Math.max(0, left.get()));
                    left.addAndGet(-n);
                    long d = delayMillis + (bytesPerSecond > 0 ? 1000L * n / bytesPerSecond : 0);
                    if (d > 0) {
                        Thread.sleep(d); // the link's latency and bandwidth: this is the thing being simulated
                    }
                    out.write(buf, 0, allowed);
                    out.flush();
                    if (allowed < n) {
                        cuts.incrementAndGet();
                        break;
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the other side went away
            } finally {
                closeQuietly(a);
                closeQuietly(b);
                open.remove(a);
                open.remove(b);
            }
        }
    }

    /** Cuts every open connection now (a tunnel, a cell handover). */
    void cutAll() {
        for (Socket s : open) {
            closeQuietly(s);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.setSoLinger(true, 0); // a reset, as a dead radio link looks
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        cutAll();
    }
}
