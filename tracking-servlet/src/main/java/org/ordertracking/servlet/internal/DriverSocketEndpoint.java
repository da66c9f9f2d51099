package org.ordertracking.servlet.internal;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.ordertracking.core.BusListener;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.IngestResult;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.servlet.Access;
import org.ordertracking.servlet.Action;
import org.ordertracking.servlet.AuthenticationException;
import org.ordertracking.servlet.Caller;
import org.ordertracking.servlet.DriverSocket;
import org.ordertracking.servlet.ProblemType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One driver's socket. Incoming frames are handled on the container's thread; outgoing frames go
 * through a bounded outbox sent one at a time with the async remote, so a slow driver never holds
 * up a bus thread. Thread-safe.
 */
public final class DriverSocketEndpoint extends Endpoint implements BusListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DriverSocketEndpoint.class);

    private final DriverEndpoints drivers;
    private final ArrayDeque<String> outbox = new ArrayDeque<>();
    private boolean sending;
    private boolean closed;
    private volatile Session session;
    private volatile String driverId;
    private volatile Subscription subscription;
    private volatile ConnectionRegistry.Connection registration;
    private StreamLimits.Slot slot; // guarded by this

    public DriverSocketEndpoint(DriverEndpoints drivers) {
        this.drivers = drivers;
    }

    @Override
    public void onOpen(Session session, EndpointConfig endpointConfig) {
        synchronized (this) {
            this.session = session;
        }
        String id = session.getPathParameters().get(DriverSocket.DRIVER_ID);
        Object authorization = session.getUserProperties().get(DriverSocket.AUTHORIZATION_PROPERTY);
        String token = Requests.token(authorization == null ? null : authorization.toString(), session.getQueryString());
        Caller caller;
        try {
            caller = drivers.config().authorizer().authenticate(token);
        } catch (AuthenticationException e) {
            refuse("unauthorized", e.getMessage());
            return;
        } catch (RuntimeException e) {
            refuse("unauthorized", "the token could not be checked");
            return;
        }
        if (id == null || !org.ordertracking.core.internal.Checks.isValidId(id)) {
            refuse("malformed", "the driver id in the path must be 1 to 128 characters of [A-Za-z0-9_.-]");
            return;
        }
        boolean allowed;
        try {
            allowed = drivers.config().authorizer().authorize(caller, Access.toDriver(Action.DRIVER_SOCKET, id));
        } catch (RuntimeException e) {
            allowed = false;
        }
        if (!allowed) {
            refuse("forbidden", "a " + caller.role().wireName() + " token may not open the socket of driver '" + id + "'");
            return;
        }
        StreamLimits.Slot admitted = drivers.hub().limits().acquireSocket(caller);
        if (admitted == null) {
            refuse("too_many_streams", "a " + caller.role().wireName() + " token for '"
                    + Requests.abbreviate(caller.subject()) + "' already holds "
                    + drivers.config().maxStreamsPerSubject() + " open streams and sockets",
                    CloseReason.CloseCodes.TRY_AGAIN_LATER);
            return;
        }
        synchronized (this) {
            slot = admitted;
            if (closed) {
                admitted.release();
            }
        }
        this.driverId = id;
        session.setMaxTextMessageBufferSize(drivers.config().maxBodyBytes());
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) this::onText);
        try {
            subscription = drivers.config().tracker().eventBus().subscribe(Topic.driver(id), this);
        } catch (RuntimeException e) {
            LOG.warn("could not subscribe driver {} to its assignments", id, e);
        }
        // registered once it listens: a socket the metrics count receives its assignments
        registration = drivers.hub().registerSocket(id, this);
        synchronized (this) {
            if (closed && subscription != null) {
                subscription.close();
            }
        }
    }

    private void refuse(String code, String message) {
        refuse(code, message, CloseReason.CloseCodes.VIOLATED_POLICY);
    }

    private void refuse(String code, String message, CloseReason.CloseCode closeCode) {
        synchronized (this) {
            closed = true;
        }
        try {
            // one small frame on the handshake's thread, then the close: nothing else is in flight yet
            session.getBasicRemote().sendText(error(code, message));
            session.close(new CloseReason(closeCode, code));
        } catch (IOException | RuntimeException e) {
            LOG.trace("closing a refused socket failed", e);
        }
    }

    private void onText(String text) {
        if (!drivers.hasIngest()) {
            send(error("unavailable", "no location pipeline is configured on this server"));
            return;
        }
        if (drivers.rateLimit(driverId) > 0) {
            send(error("rate_limited", "more than " + drivers.config().driverRateLimit() + " messages per "
                    + drivers.config().driverRateWindow()));
            return;
        }
        JsonNode frame;
        try {
            frame = JsonCodec.mapper().readTree(text);
        } catch (IOException e) {
            send(error("malformed", "the frame is not valid JSON"));
            return;
        }
        if (frame == null || !frame.isObject() || !frame.path("type").isTextual()) {
            send(error("malformed", "a frame must be a JSON object with a string type"));
            return;
        }
        JsonNode fixes;
        switch (frame.get("type").asText()) {
            case "location" -> {
                JsonNode fix = frame.get("fix");
                if (fix == null || !fix.isObject()) {
                    send(error("malformed", "a location frame needs a fix object"));
                    return;
                }
                fixes = JsonCodec.mapper().createArrayNode().add(fix);
            }
            case "batch" -> {
                fixes = frame.get("fixes");
                if (fixes == null || !fixes.isArray()) {
                    send(error("malformed", "a batch frame needs a fixes array"));
                    return;
                }
            }
            default -> {
                send(error("malformed", "unknown frame type '" + Requests.abbreviate(frame.get("type").asText())
                        + "'; expected location or batch"));
                return;
            }
        }
        IngestResult outcome;
        try {
            outcome = drivers.apply(driverId, fixes);
        } catch (Problem p) {
            send(error(p.type() == ProblemType.BATCH_TOO_LARGE ? "batch_too_large" : "malformed", p.detail()));
            return;
        } catch (RuntimeException e) {
            LOG.warn("ingesting a frame of driver {} failed", driverId, e);
            send(error("unavailable", "the fixes could not be stored; send them again"));
            return;
        }
        boolean single = "location".equals(frame.get("type").asText());
        for (IngestResult.Rejected r : outcome.rejected()) {
            send(error(r.reason().code(), single ? r.message() : "fix " + r.index() + ": " + r.message()));
        }
        if (outcome.upTo() != null) {
            send(Snapshots.write(g -> {
                g.writeStartObject();
                g.writeStringField("type", "ack");
                g.writeStringField("up_to", outcome.upTo().toString());
                g.writeEndObject();
            }));
        }
    }

    static String error(String code, String message) {
        return Snapshots.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "error");
            g.writeStringField("code", code);
            g.writeStringField("message", message);
            g.writeEndObject();
        });
    }

    @Override
    public void onMessage(Envelope envelope) {
        if (envelope.message() instanceof TrackingMessage.DriverAssigned assigned) {
            send(Snapshots.write(g -> {
                g.writeStartObject();
                g.writeStringField("type", "assignment");
                g.writeStringField("order_id", assigned.orderId());
                g.writeEndObject();
            }));
        }
    }

    /** Queues a frame; sends it now if nothing is in flight. A full outbox closes the socket. */
    private void send(String text) {
        Session s;
        synchronized (this) {
            if (closed && !outbox.isEmpty()) {
                return;
            }
            if (outbox.size() >= drivers.config().socketBufferSize()) {
                LOG.debug("driver {} does not read its socket; closing it", driverId);
                closeQuietly(new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER, "too slow"));
                return;
            }
            outbox.add(text);
            if (sending) {
                return;
            }
            sending = true;
            s = session;
        }
        sendNext(s);
    }

    private void sendNext(Session s) {
        String next;
        synchronized (this) {
            next = outbox.poll();
            if (next == null) {
                sending = false;
                return;
            }
        }
        try {
            s.getAsyncRemote().sendText(next, result -> {
                if (!result.isOK()) {
                    LOG.debug("sending to driver {} failed: {}", driverId, String.valueOf(result.getException()));
                    synchronized (this) {
                        outbox.clear();
                        sending = false;
                    }
                    return;
                }
                sendNext(s);
            });
        } catch (RuntimeException e) {
            synchronized (this) {
                outbox.clear();
                sending = false;
            }
        }
    }

    private void closeQuietly(CloseReason reason) {
        Session s = session;
        try {
            if (s != null && s.isOpen()) {
                s.close(reason);
            }
        } catch (IOException | RuntimeException e) {
            LOG.trace("closing a driver socket failed", e);
        }
    }

    @Override
    public void onClose(Session session, CloseReason closeReason) {
        release();
    }

    @Override
    public void onError(Session session, Throwable error) {
        LOG.debug("driver socket of {} failed: {}", driverId, error.toString());
    }

    private void release() {
        Subscription s;
        StreamLimits.Slot held;
        synchronized (this) {
            closed = true;
            outbox.clear();
            s = subscription;
            held = slot;
        }
        if (held != null) {
            held.release();
        }
        if (s != null) {
            s.close();
        }
        ConnectionRegistry.Connection c = registration;
        if (c != null) {
            c.close();
        }
        drivers.hub().unregisterSocket(this);
    }

    /** Closes the socket (server shutdown). */
    @Override
    public void close() {
        closeQuietly(new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "server shutting down"));
        release();
    }

    List<String> pendingForTest() {
        synchronized (this) {
            return new ArrayList<>(outbox);
        }
    }
}
