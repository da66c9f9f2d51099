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
 * Hands a checked request to an {@link SseStream}: headers only for HEAD, 503 while the hub is
 * closing; otherwise async mode without timeout, the stream as write and async listener, registered
 * with the hub, then started. A stream that fails to start is closed. Thread-safe.
 */
final class StreamOpener {
    private final StreamHub hub;

    StreamOpener(StreamHub hub) {
        this.hub = hub;
    }

    <S extends SseStream> void open(HttpServletRequest request, HttpServletResponse response,
            BiFunction<AsyncContext, ServletOutputStream, S> create, Consumer<S> start) throws IOException {
        if (hub.isClosed()) {
            throw Problem.of(ProblemType.UNAVAILABLE, ErrorTable.SHUTTING_DOWN);
        }
        if ("HEAD".equals(request.getMethod())) {
            Responses.streamHeaders(response);
            return;
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
        async.addListener(stream);
        out.setWriteListener(stream);
        hub.register(stream);
        try {
            start.accept(stream);
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
    }
}
