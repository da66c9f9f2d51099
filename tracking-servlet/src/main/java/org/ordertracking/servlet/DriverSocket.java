package org.ordertracking.servlet;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.ordertracking.servlet.internal.DriverEndpoints;
import org.ordertracking.servlet.internal.DriverSocketEndpoint;

/**
 * The driver WebSocket ({@code WS /drivers/{id}/socket}), a jakarta.websocket endpoint registered
 * programmatically so the host chooses its path:
 *
 * <pre>{@code
 * JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) ->
 *         container.addEndpoint(servlet.driverSocket("/tracking/drivers/{driver_id}/socket")));
 * }</pre>
 *
 * <p>JSON text frames. Driver to server: {@code {"type":"location","fix":{…}}} or
 * {@code {"type":"batch","fixes":[…]}}. Server to driver: {@code {"type":"ack","up_to":"…"}} after
 * each frame that applied a fix, {@code {"type":"assignment","order_id":"…"}} when the driver is
 * assigned an order (on whichever node holds the socket), and {@code {"type":"error","code":"…",
 * "message":"…"}}: one per rejected fix with the {@code FixRejection} code, or {@code malformed},
 * {@code batch_too_large}, {@code rate_limited}, {@code unavailable}; {@code unauthorized} and
 * {@code forbidden} are followed by a close with code 1008.
 *
 * <p>The token comes as {@code Authorization: Bearer …} on the handshake or as {@code ?access_token=…}.
 *
 * @since 0.1.0
 */
public final class DriverSocket {
    /** The path parameter naming the driver. */
    public static final String DRIVER_ID = "driver_id";

    /** The session user property holding the handshake's Authorization header. */
    public static final String AUTHORIZATION_PROPERTY = "org.ordertracking.servlet.authorization";

    private DriverSocket() {
    }

    static ServerEndpointConfig config(String path, DriverEndpoints drivers) {
        Objects.requireNonNull(path, "path must not be null");
        if (!path.contains("{" + DRIVER_ID + "}")) {
            throw new IllegalArgumentException("the driver socket path must contain {" + DRIVER_ID + "}, but was '"
                    + path + "'");
        }
        return ServerEndpointConfig.Builder.create(DriverSocketEndpoint.class, path)
                .configurator(new ServerEndpointConfig.Configurator() {
                    @Override
                    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request,
                            HandshakeResponse response) {
                        // the container hands each handshake its own copy of the user properties,
                        // which become the session's (Jakarta WebSocket 2.1, section 3.1.2)
                        String authorization = first(request.getHeaders(), "Authorization");
                        if (authorization != null) {
                            sec.getUserProperties().put(AUTHORIZATION_PROPERTY, authorization);
                        } else {
                            sec.getUserProperties().remove(AUTHORIZATION_PROPERTY);
                        }
                    }

                    @Override
                    public <T> T getEndpointInstance(Class<T> endpointClass) {
                        return endpointClass.cast(new DriverSocketEndpoint(drivers));
                    }
                })
                .build();
    }

    private static String first(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }

}
