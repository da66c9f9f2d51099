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
import org.ordertracking.core.TrackedOrder;
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
 *
 * <p>Instructions ({@code assignment}, {@code unassigned}, {@code cancelled}) come from the driver's
 * bus topic. So that an assignment made while the driver was offline is never lost, the socket
 * subscribes to the topic <em>first</em> and then reads the driver's current assignments from the
 * repository (a <em>fill</em>), sends one {@code assignment} per order, oldest first, and only then
 * the live instructions that arrived meanwhile, in order. A change committed during the fill is thus
 * either in what was read, or arrives live after it, or both (an {@code assignment} twice, which a
 * driver app treats as idempotent); never neither. A bus gap (lag, broker reconnect) runs the fill
 * again on the hub's executor. The fill on open runs inside {@code onOpen}, so it is sent before any
 * reply to the driver's own frames.
 */
public final class DriverSocketEndpoint extends Endpoint implements BusListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DriverSocketEndpoint.class);

    private final DriverEndpoints drivers;
    private final ArrayDeque<String> outbox = new ArrayDeque<>();
    private boolean sending;
    private boolean closed;
    /** While true, live instructions wait in {@link #pending}; guarded by this. */
    private boolean filling = true;
    /** A gap arrived during a fill, after its read perhaps: read again once it is done; guarded by this. */
    private boolean refill;
    private final List<String> pending = new ArrayList<>();
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
        if (drivers.hub().isDraining()) {
            refuse("draining", "this server is draining before a planned stop; connect again",
                    CloseReason.CloseCodes.GOING_AWAY);
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
            unavailable("the server could not subscribe to your instructions; connect again");
            return;
        }
        // registered once it listens: a socket the metrics count receives its assignments
        registration = drivers.hub().registerSocket(id, this);
        synchronized (this) {
            if (closed && subscription != null) {
                subscription.close();
                return;
            }
        }
        fill();
    }

    /**
     * Reads the driver's current assignments and sends one {@code assignment} each, then the live
     * instructions that waited, then lets live ones through. If the repository cannot be read, the
     * socket is closed with "try again later": an open socket must mean the driver has them all.
     */
    void fill() {
        String id = driverId;
        List<TrackedOrder> current;
        try {
            current = drivers.config().tracker().activeOrdersOfDriver(id);
        } catch (RuntimeException e) {
            LOG.warn("could not read the assignments of driver {}; closing its socket", id, e);
            unavailable("the server could not read your assignments; connect again");
            return;
        }
        List<String> frames = new ArrayList<>(current.size());
        for (TrackedOrder order : current) {
            frames.add(instruction(TrackingMessage.DriverAssigned.TYPE, order.orderId()));
        }
        Session s = null;
        boolean again;
        synchronized (this) {
            if (closed) {
                return;
            }
            // queued in one step with the waiting live ones, so no live frame can slip in between;
            // the assignments do not count against the outbox limit (a driver has a handful)
            outbox.addAll(frames);
            outbox.addAll(pending);
            pending.clear();
            again = refill;
            refill = false;
            filling = again;
            if (!sending && !outbox.isEmpty()) {
                sending = true;
                s = session;
            }
        }
        if (s != null) {
            sendNext(s);
        }
        if (again) {
            scheduleFill();
        }
    }

    /**
     * Sends {@code error} {@code unavailable} if nothing else is in flight (a frame sent with the
     * blocking remote must not overlap an asynchronous one), then closes with 1013 and releases.
     */
    private void unavailable(String message) {
        boolean idle;
        synchronized (this) {
            idle = !sending && !closed;
            closed = true;
            outbox.clear();
            pending.clear();
        }
        Session s = session;
        try {
            if (idle && s != null && s.isOpen()) {
                s.getBasicRemote().sendText(error("unavailable", message));
            }
        } catch (IOException | RuntimeException e) {
            LOG.trace("telling driver {} the socket is unavailable failed", driverId, e);
        }
        closeQuietly(new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER, "unavailable"));
        release();
    }

    /** Messages for this driver may have been lost: read its assignments again. */
    @Override
    public void onGap(Topic topic) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (filling) {
                // the running fill may have read before what was lost: it reads again when done
                refill = true;
                return;
            }
            filling = true;
        }
        scheduleFill();
    }

    private void scheduleFill() {
        try {
            drivers.hub().executor().execute(this::fill);
        } catch (RuntimeException e) {
            LOG.debug("could not schedule a fill of driver {}; closing its socket", driverId, e);
            unavailable("the server is shutting down; connect again");
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
        TrackingMessage message = envelope.message();
        if (!(message instanceof TrackingMessage.DriverAssigned
                || message instanceof TrackingMessage.DriverUnassigned
                || message instanceof TrackingMessage.OrderCancelled)) {
            return;
        }
        String frame = instruction(message.type(), message.orderId());
        synchronized (this) {
            if (closed) {
                return;
            }
            if (filling) {
                if (pending.size() >= drivers.config().socketBufferSize()) {
                    LOG.debug("too many instructions for driver {} while reading its assignments; closing", driverId);
                    closeQuietly(new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER, "too slow"));
                    return;
                }
                pending.add(frame);
                return;
            }
        }
        send(frame);
    }

    /** {@code {"type":"assignment|unassigned|cancelled","order_id":"…"}}. */
    static String instruction(String type, String orderId) {
        return Snapshots.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", type);
            g.writeStringField("order_id", orderId);
            g.writeEndObject();
        });
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
            pending.clear();
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
