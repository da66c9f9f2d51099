package org.ordertracking.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.ordertracking.client.internal.JdkTransport;

/**
 * How the client talks to the server: one blocking HTTP POST and one WebSocket. The default,
 * {@link #jdk()}, uses {@code java.net.http}; an Android app (which has no {@code java.net.http})
 * implements this interface over its own stack, for example OkHttp: {@link #post} with
 * {@code call.execute()}, {@link #openSocket} with {@code newWebSocket(…)} and a latch released by
 * {@code onOpen}/{@code onFailure}. docs/client.md shows a complete one.
 *
 * <p>Implementations must be thread-safe. The client calls {@link #post} and {@link #openSocket} from
 * its own thread, never both at once.
 *
 * @since 0.1.0
 */
public interface Transport extends AutoCloseable {

    /**
     * Sends a POST and waits for the whole answer.
     *
     * @param uri the endpoint
     * @param headers request headers (Content-Type, Content-Encoding, Authorization)
     * @param body the request body, already encoded as the headers say
     * @param timeout the longest wait for the whole exchange
     * @return the answer, whatever its status
     * @throws IOException if no answer was received (connection refused or cut, timeout)
     */
    Response post(URI uri, Map<String, String> headers, byte[] body, Duration timeout) throws IOException;

    /**
     * Opens a WebSocket and waits until the handshake completed.
     *
     * @param uri the socket's {@code ws:} or {@code wss:} URI
     * @param headers handshake headers (Authorization)
     * @param listener receives whole text frames and the end of the socket
     * @param timeout the longest wait for the handshake
     * @return the open socket
     * @throws IOException if the socket could not be opened
     */
    Socket openSocket(URI uri, Map<String, String> headers, SocketListener listener, Duration timeout)
            throws IOException;

    /** Releases what the transport owns. A transport built over a caller's client never closes that client. */
    @Override
    void close();

    /** The answer to a POST. {@code headers} keys are lower case. */
    record Response(int status, String body, Map<String, String> headers) {
        public Response {
            body = body == null ? "" : body;
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }

        /** A header by lower-case name, or null. */
        public String header(String lowerCaseName) {
            return headers.get(lowerCaseName);
        }
    }

    /** An open WebSocket. Thread-safe. */
    interface Socket {
        /**
         * Queues a whole text frame; frames go out in the order given. Never blocks; a failure ends the
         * socket through {@link SocketListener#onClosed}.
         */
        void send(String text);

        /** Closes the socket (normal closure); idempotent. */
        void close();
    }

    /**
     * Receives what a socket delivers. Calls come one at a time, never concurrently, and must not block.
     */
    interface SocketListener {
        /** One whole text frame. */
        void onText(String text);

        /**
         * The socket ended, by a close frame, an error or {@link Socket#close()}; called at most once.
         *
         * @param code the close code, or 1006 if the connection was lost without one
         * @param reason the reason, possibly empty
         */
        void onClosed(int code, String reason);
    }

    /** A transport on the JDK's {@link HttpClient} (HTTP/1.1), which it owns and shuts down. */
    static Transport jdk() {
        return JdkTransport.owned();
    }

    /**
     * A transport on the caller's {@link HttpClient}; {@link #close()} leaves the client open.
     *
     * @param client the client to use
     */
    static Transport jdk(HttpClient client) {
        return JdkTransport.shared(Objects.requireNonNull(client, "client must not be null"));
    }
}
