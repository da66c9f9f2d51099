package org.ordertracking.client.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.ordertracking.client.Transport;

/** {@link Transport} on {@code java.net.http}. Thread-safe. */
public final class JdkTransport implements Transport {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final HttpClient client;
    private final ExecutorService ownedExecutor;

    private JdkTransport(HttpClient client, ExecutorService ownedExecutor) {
        this.client = client;
        this.ownedExecutor = ownedExecutor;
    }

    public static JdkTransport owned() {
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ordertracking-client-http-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(10)).build();
        return new JdkTransport(client, executor);
    }

    public static JdkTransport shared(HttpClient client) {
        return new JdkTransport(client, null);
    }

    @Override
    public Response post(URI uri, Map<String, String> headers, byte[] body, Duration timeout) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        HttpResponse<byte[]> response;
        try {
            response = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while posting to " + uri);
        }
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, List<String>> e : response.headers().map().entrySet()) {
            if (!e.getValue().isEmpty()) {
                out.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().get(0));
            }
        }
        return new Response(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8), out);
    }

    @Override
    public Socket openSocket(URI uri, Map<String, String> headers, SocketListener listener, Duration timeout)
            throws IOException {
        WebSocket.Builder b = client.newWebSocketBuilder().connectTimeout(timeout);
        headers.forEach(b::header);
        JdkSocket socket = new JdkSocket(listener);
        CompletableFuture<WebSocket> opening = b.buildAsync(uri, socket);
        try {
            socket.ws = opening.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return socket;
        } catch (InterruptedException e) {
            opening.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while opening " + uri);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException("could not open " + uri + ": " + cause, cause);
        } catch (TimeoutException e) {
            opening.cancel(true);
            throw new IOException("opening " + uri + " took longer than " + timeout);
        }
    }

    @Override
    public void close() {
        if (ownedExecutor != null) {
            ownedExecutor.shutdownNow();
        }
    }

    /** One socket: collects partial text frames, chains sends (the JDK allows one outstanding send). */
    private static final class JdkSocket implements Socket, WebSocket.Listener {
        private final SocketListener listener;
        private final StringBuilder partial = new StringBuilder();
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile WebSocket ws;
        private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

        JdkSocket(SocketListener listener) {
            this.listener = listener;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            this.ws = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if (!ended.get()) {
                    listener.onText(text);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            end(statusCode, reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            end(1006, String.valueOf(error));
        }

        private void end(int code, String reason) {
            if (ended.compareAndSet(false, true)) {
                WebSocket w = ws;
                if (w != null) {
                    w.abort();
                }
                listener.onClosed(code, reason == null ? "" : reason);
            }
        }

        @Override
        public void send(String text) {
            WebSocket w = ws;
            if (w == null || ended.get()) {
                end(1006, "not open");
                return;
            }
            synchronized (this) {
                sending = sending.thenCompose(x -> w.sendText(text, true)).whenComplete((x, error) -> {
                    if (error != null) {
                        end(1006, String.valueOf(error));
                    }
                });
            }
        }

        @Override
        public void close() {
            WebSocket w = ws;
            if (w != null && !ended.get()) {
                synchronized (this) {
                    sending = sending.handle((x, e) -> null).thenCompose(x -> w.sendClose(WebSocket.NORMAL_CLOSURE, ""))
                            .orTimeout(2, TimeUnit.SECONDS)
                            .whenComplete((x, e) -> end(WebSocket.NORMAL_CLOSURE, "closed by the client"));
                }
            } else {
                end(WebSocket.NORMAL_CLOSURE, "closed by the client");
            }
        }
    }
}
