package org.ordertracking.servlet;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A text/event-stream client on the JDK HttpClient: lines arrive through a non-blocking line
 * subscriber (no thread per stream) and are parsed into events and comments.
 */
final class SseClient implements AutoCloseable {
    /** One parsed event; a comment has event "comment" and its text as data. */
    record Event(String id, String event, String data) {
    }

    static final Event END = new Event(null, "end-of-stream", null);

    final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Parser parser = new Parser(this);
    private final CompletableFuture<HttpResponse.ResponseInfo> info = new CompletableFuture<>();
    private volatile CompletableFuture<HttpResponse<Void>> exchange;

    private SseClient() {
    }

    static SseClient open(HttpClient http, URI uri, String token, String lastEventId) throws Exception {
        SseClient client = openAsync(http, uri, token, lastEventId);
        client.info.get(30, TimeUnit.SECONDS);
        return client;
    }

    /** Sends the request; {@link #status()} waits for the response head. */
    static SseClient openAsync(HttpClient http, URI uri, String token, String lastEventId) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        SseClient client = new SseClient();
        client.exchange = http.sendAsync(b.build(), responseInfo -> {
            client.info.complete(responseInfo);
            return HttpResponse.BodySubscribers.fromLineSubscriber(client.parser);
        });
        client.exchange.whenComplete((r, e) -> {
            if (e != null) {
                client.info.completeExceptionally(e);
                client.events.add(END);
            }
        });
        return client;
    }

    HttpResponse.ResponseInfo info() throws Exception {
        return info.get(30, TimeUnit.SECONDS);
    }

    String header(String name) throws Exception {
        return info().headers().firstValue(name).orElse(null);
    }

    int status() throws Exception {
        return info().statusCode();
    }

    /** The next event or comment, or fails after the timeout. */
    Event next(Duration timeout) throws InterruptedException, TimeoutException {
        Event e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new TimeoutException("no event within " + timeout + "; lines so far: " + lines);
        }
        return e;
    }

    Event next() throws InterruptedException, TimeoutException {
        return next(Duration.ofSeconds(20));
    }

    /** The next event that is not a comment (possibly {@link #END}), within 20 seconds. */
    Event nextEvent() {
        return nextMatching("an event", e -> !e.event().equals("comment"));
    }

    /** Skips to the next event of the given type, within 20 seconds; fails if the stream ends first. */
    Event nextOfType(String type) {
        return nextMatching("a " + type + " event", e -> e.event().equals(type));
    }

    /** Waits until the server ends the stream. */
    void awaitEnd(Duration timeout) {
        next("the end of the stream", timeout, e -> e == END);
    }

    /** Skips to the next event {@code wanted} accepts, within 20 seconds; fails if the stream ends first. */
    Event nextMatching(String what, EventPredicate wanted) {
        return nextMatching(what, Duration.ofSeconds(20), wanted);
    }

    /** Skips to the next event {@code wanted} accepts, within {@code timeout}; fails if the stream ends first. */
    Event nextMatching(String what, Duration timeout, EventPredicate wanted) {
        return next(what, timeout, wanted);
    }

    /** A test of an event that may parse its data. */
    @FunctionalInterface
    interface EventPredicate {
        boolean test(Event event) throws Exception;
    }

    private Event next(String what, Duration timeout, EventPredicate wanted) {
        AtomicReference<Event> found = new AtomicReference<>();
        try {
            await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).until(() -> {
                for (Event e = events.poll(); e != null; e = events.poll()) {
                    if (wanted.test(e)) {
                        found.set(e);
                        return true;
                    }
                    if (e == END) {
                        throw new AssertionError("the stream ended before " + what + "; lines: " + lines);
                    }
                }
                return false;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no " + what + " within " + timeout + "; lines so far: " + lines, e);
        }
        return found.get();
    }

    /**
     * Waits until the server ends the response cleanly (the last chunk of a chunked body); fails if the
     * connection broke instead, or nothing ended within the timeout.
     */
    void awaitCleanEnd(Duration timeout) throws Exception {
        exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    List<Event> drainNow() {
        List<Event> out = new ArrayList<>();
        events.drainTo(out);
        return out;
    }

    @Override
    public void close() {
        parser.cancel();
        CompletableFuture<HttpResponse<Void>> e = exchange;
        if (e != null) {
            e.cancel(true);
        }
    }

    private static final class Parser implements Flow.Subscriber<String> {
        private volatile Flow.Subscription subscription;
        private final SseClient client;
        private String id;
        private String event;
        private StringBuilder data;

        Parser(SseClient client) {
            this.client = client;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public synchronized void onNext(String line) {
            handle(line);
        }

        private void handle(String line) {
            client.lines.add(line);
            if (line.isEmpty()) {
                if (event != null || data != null) {
                    client.events.add(new Event(id, event == null ? "message" : event, data == null ? "" : data.toString()));
                }
                id = null;
                event = null;
                data = null;
            } else if (line.startsWith(":")) {
                client.events.add(new Event(null, "comment", line.substring(1).trim()));
            } else if (line.startsWith("id:")) {
                id = line.substring(3).trim();
            } else if (line.startsWith("event:")) {
                event = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                String d = line.substring(5);
                d = d.startsWith(" ") ? d.substring(1) : d;
                data = data == null ? new StringBuilder(d) : data.append('\n').append(d);
            } else if (line.startsWith("retry:")) {
                client.events.add(new Event(null, "retry", line.substring(6).trim()));
            }
        }

        @Override
        public synchronized void onError(Throwable throwable) {
            finish();
        }

        @Override
        public synchronized void onComplete() {
            finish();
        }

        private void finish() {
            client.events.add(END);
        }

        void cancel() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }
}
