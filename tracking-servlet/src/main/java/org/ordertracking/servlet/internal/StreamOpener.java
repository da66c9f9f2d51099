package org.ordertracking.servlet.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.ordertracking.servlet.ProblemType;

/**
 * Admits a stream under the {@link StreamLimits} and hands the checked request to an
 * {@link SseStream}: headers only for HEAD, 503 while the hub is closing; otherwise async mode
 * without timeout, the stream as write and async listener holding the slot, registered with the
 * hub, then started. A stream that fails to start is closed. While the hub drains, no stream opens
 * (503 {@code draining} with {@code Retry-After}). Thread-safe.
 */
final class StreamOpener {
    private final StreamHub hub;

    StreamOpener(StreamHub hub) {
        this.hub = hub;
    }

    /**
     * Takes a place under the caps for a stream of {@code caller}, before anything costly (the order's
     * reads) is done; release it unless {@link #open} hands it to a stream.
     *
     * @throws Problem 429 {@code rate-limited} or {@code too-many-streams}; 503 {@code draining}
     */
    StreamLimits.Slot admit(RouteTable.Exchange ex) {
        hub.refuseIfDraining(); // before a token of the open rate is spent
        return hub.limits().acquireStream(ex.caller(), ex.request().getRemoteAddr());
    }

    /**
     * Opens the stream, which then holds {@code slot} until it ends; returns whether it did (false:
     * HEAD, the slot is still the caller's to release).
     */
    <S extends SseStream> boolean open(HttpServletRequest request, HttpServletResponse response,
            StreamLimits.Slot slot, BiFunction<AsyncContext, ServletOutputStream, S> create, Consumer<S> start)
            throws IOException {
        if (hub.isClosed()) {
            throw Problem.of(ProblemType.UNAVAILABLE, ErrorTable.SHUTTING_DOWN);
        }
        hub.refuseIfDraining();
        if ("HEAD".equals(request.getMethod())) {
            Responses.streamHeaders(response);
            return false;
        }
        if (!request.isAsyncSupported()) {
            throw new IllegalStateException("the tracking servlet must be registered with asyncSupported=true");
        }
        Responses.streamHeaders(response);
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        response.flushBuffer();
        ServletOutputStream out = response.getOutputStream();
        S stream = create.apply(async, out);
        stream.slot(slot);
        async.addListener(stream);
        out.setWriteListener(stream);
        hub.register(stream);
        try {
            start.accept(stream);
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
        return true;
    }
}
