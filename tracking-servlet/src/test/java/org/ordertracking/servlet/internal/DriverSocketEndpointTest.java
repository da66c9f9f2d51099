package org.ordertracking.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.websocket.CloseReason;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.core.Envelope;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.Topic;
import org.ordertracking.core.TrackingMessage;
import org.ordertracking.servlet.DriverSocket;
import org.ordertracking.servlet.JwtAuthorizer;
import org.ordertracking.servlet.JwtIssuer;
import org.ordertracking.servlet.Role;
import org.ordertracking.servlet.TrackingServletConfig;
import org.ordertracking.test.SettableClock;

/**
 * The driver socket's frame handling without a container: a fake {@link Session} hands the endpoint
 * its path, token and remotes, records the frames sent back and the close, and gives the test the
 * text handler the endpoint registers. The real authorizer, ingestor and in-memory store run.
 */
class DriverSocketEndpointTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef-test-secret".getBytes(StandardCharsets.UTF_8);
    private static final int MAX_BODY_BYTES = 4096;

    private final SettableClock clock = SettableClock.at("2026-11-24T10:00:00Z");
    private final OrderTracker tracker = OrderTracker.builder().clock(clock).build();
    private final JwtIssuer issuer = JwtIssuer.of(SECRET, clock);
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        tracker.close();
    }

    // ---- opening

    @Test
    void open_driversOwnToken_listensWithTextFramesCappedAtTheBodyLimit() {
        FakeSession session = open(withPipeline(), "d-1", issuer.issue(Role.DRIVER, "d-1", Duration.ofHours(1)));
        assertNotNull(session.handler, "a text handler is registered");
        assertEquals(MAX_BODY_BYTES, session.maxTextBytes, "the container refuses larger frames");
        assertNull(session.closeReason);
        assertTrue(session.sent.isEmpty());
    }

    @Test
    void open_tokenOfAnotherDriver_isRefusedAsForbiddenAndClosed() {
        FakeSession session = open(withPipeline(), "d-1", issuer.issue(Role.DRIVER, "d-2", Duration.ofHours(1)));
        assertError(session.sent.get(0), "forbidden", "a driver token may not open the socket of driver 'd-1'");
        assertEquals(CloseReason.CloseCodes.VIOLATED_POLICY, session.closeReason.getCloseCode());
        assertNull(session.handler, "a refused socket reads nothing");
    }

    @Test
    void open_noOrBadToken_isRefusedAsUnauthorizedAndClosed() {
        FakeSession none = open(withPipeline(), "d-1", null);
        assertEquals("unauthorized", frame(none.sent.get(0)).get("code").asText());
        assertEquals(CloseReason.CloseCodes.VIOLATED_POLICY, none.closeReason.getCloseCode());
        FakeSession forged = open(withPipeline(), "d-1", issuer.issue(Role.DRIVER, "d-1", Duration.ofHours(1)) + "x");
        assertEquals("unauthorized", frame(forged.sent.get(0)).get("code").asText());
    }

    @Test
    void open_invalidDriverIdInThePath_isRefusedAsMalformed() {
        FakeSession session = open(withPipeline(), "d 1", issuer.issue(Role.DRIVER, "d-1", Duration.ofHours(1)));
        assertError(session.sent.get(0), "malformed", "the driver id in the path must be 1 to 128 characters of [A-Za-z0-9_.-]");
        assertNotNull(session.closeReason);
    }

    // ---- frames

    @Test
    void locationFrame_validFix_isAckedWithItsRecordedAt() {
        FakeSession session = openDriver(withPipeline());
        Instant at = clock.instant().minusSeconds(1);
        session.receive("{\"type\":\"location\",\"fix\":" + fix(33.8886, 35.4955, at) + "}");
        assertEquals(List.of("{\"type\":\"ack\",\"up_to\":\"" + at + "\"}"), session.sent);
    }

    @Test
    void batchFrame_withBadFixes_rejectsThoseByIndexAndAcksTheNewestGoodOne() {
        FakeSession session = openDriver(withPipeline());
        Instant t = clock.instant();
        session.receive("{\"type\":\"batch\",\"fixes\":[" + fix(33.8886, 35.4955, t.minusSeconds(20)) + ","
                + fix(0, 0, t.minusSeconds(15)) + "," + fix(33.8890, 35.4960, t.minusSeconds(10)) + "]}");
        assertEquals(2, session.sent.size(), String.valueOf(session.sent));
        JsonNode error = frame(session.sent.get(0));
        assertEquals("null_island", error.get("code").asText());
        assertTrue(error.get("message").asText().startsWith("fix 1: "), error.toString());
        assertEquals("{\"type\":\"ack\",\"up_to\":\"" + t.minusSeconds(10) + "\"}", session.sent.get(1));
    }

    @Test
    void frame_notJson_isMalformedAndTheSocketStaysOpen() {
        FakeSession session = openDriver(withPipeline());
        session.receive("not json");
        assertError(session.sent.get(0), "malformed", "the frame is not valid JSON");
        assertNull(session.closeReason);
    }

    @Test
    void frame_notAnObjectWithAStringType_isMalformed() {
        FakeSession session = openDriver(withPipeline());
        for (String bad : new String[] {"[1]", "{}", "{\"type\":1}", "\"location\""}) {
            session.receive(bad);
        }
        assertEquals(4, session.sent.size());
        for (String sent : session.sent) {
            assertError(sent, "malformed", "a frame must be a JSON object with a string type");
        }
    }

    @Test
    void frame_unknownType_isMalformedNamingTheTypeAbbreviated() {
        FakeSession session = openDriver(withPipeline());
        session.receive("{\"type\":\"teleport\"}");
        session.receive("{\"type\":\"" + "x".repeat(100) + "\"}");
        assertError(session.sent.get(0), "malformed", "unknown frame type 'teleport'; expected location or batch");
        assertError(session.sent.get(1), "malformed", "unknown frame type '" + "x".repeat(60) + "…'; expected location or batch");
    }

    @Test
    void frame_locationWithoutFixOrBatchWithoutFixes_isMalformed() {
        FakeSession session = openDriver(withPipeline());
        session.receive("{\"type\":\"location\"}");
        session.receive("{\"type\":\"location\",\"fix\":[]}");
        session.receive("{\"type\":\"batch\",\"fixes\":{}}");
        assertError(session.sent.get(0), "malformed", "a location frame needs a fix object");
        assertError(session.sent.get(1), "malformed", "a location frame needs a fix object");
        assertError(session.sent.get(2), "malformed", "a batch frame needs a fixes array");
    }

    @Test
    void frame_batchOverTheBatchLimit_isRefusedWhole() {
        FakeSession session = openDriver(withPipeline());
        Instant t = clock.instant();
        session.receive("{\"type\":\"batch\",\"fixes\":[" + fix(33.8886, 35.4955, t.minusSeconds(4)) + ","
                + fix(33.8887, 35.4955, t.minusSeconds(3)) + "," + fix(33.8888, 35.4955, t.minusSeconds(2)) + ","
                + fix(33.8889, 35.4955, t.minusSeconds(1)) + "]}");
        assertError(session.sent.get(0), "batch_too_large", "a batch may hold at most 3 fixes, but had 4");
        assertEquals(1, session.sent.size(), "nothing is acked");
    }

    @Test
    void frame_overTheDriverRateLimit_isRefusedUntilTheWindowRefills() {
        FakeSession session = openDriver(withPipeline());
        for (int i = 0; i < 6; i++) {
            session.receive("{\"type\":\"teleport\"}");
        }
        assertEquals("malformed", frame(session.sent.get(4)).get("code").asText());
        assertError(session.sent.get(5), "rate_limited", "more than 5 messages per PT10S");
        clock.advance(Duration.ofSeconds(2));
        session.receive("{\"type\":\"teleport\"}");
        assertEquals("malformed", frame(session.sent.get(6)).get("code").asText(), "a permit came back");
    }

    @Test
    void frame_onAServerWithoutLocationPipeline_isUnavailable() {
        FakeSession session = openDriver(TrackingServletConfig.builder(tracker, JwtAuthorizer.of(SECRET, clock, Duration.ZERO)));
        session.receive("{\"type\":\"location\",\"fix\":" + fix(33.8886, 35.4955, clock.instant()) + "}");
        assertError(session.sent.get(0), "unavailable", "no location pipeline is configured on this server");
    }

    @Test
    void assignment_onTheDriversTopic_isSentAsAnAssignmentFrame() {
        FakeSession session = openDriver(withPipeline());
        tracker.eventBus().publish(Topic.driver("d-1"), new TrackingMessage.DriverAssigned("o-9", "d-1"));
        assertEquals(List.of("{\"type\":\"assignment\",\"order_id\":\"o-9\"}"), session.awaitSent(1));
    }

    @Test
    void outbox_fullBecauseTheDriverDoesNotRead_closesTheSocketAsTryAgainLater() {
        FakeSession session = openDriver(withPipeline());
        session.holdSends = true; // the first send never completes: the rest wait in the outbox
        for (int i = 0; i < 2 + 1; i++) { // one in flight, two queued (the socket buffer)
            session.receive("{\"type\":\"teleport\"}");
        }
        assertNull(session.closeReason);
        session.receive("{\"type\":\"teleport\"}");
        assertEquals(CloseReason.CloseCodes.TRY_AGAIN_LATER, session.closeReason.getCloseCode());
    }

    @Test
    void close_twice_closesTheSessionAsGoingAwayOnceAndUnregisters() {
        DriverSocketEndpoint[] endpoint = new DriverSocketEndpoint[1];
        StreamHub[] hub = new StreamHub[1];
        FakeSession session = open(withPipeline(), "d-1", issuer.issue(Role.DRIVER, "d-1", Duration.ofHours(1)),
                endpoint, hub);
        assertEquals(1, hub[0].registry().connections().size());
        assertDoesNotThrow(endpoint[0]::close);
        assertDoesNotThrow(endpoint[0]::close, "a second close is a no-op");
        assertEquals(1, session.closes, "the session is closed once");
        assertEquals(CloseReason.CloseCodes.GOING_AWAY, session.closeReason.getCloseCode());
        assertTrue(hub[0].registry().connections().isEmpty(), "the socket is unregistered");
    }

    // ---- helpers

    private TrackingServletConfig.Builder withPipeline() {
        LocationStore store = LocationStore.inMemory(clock);
        LocationIngestor ingestor = LocationIngestor.builder(store, tracker.repository(), tracker.eventBus())
                .clock(clock).build();
        return TrackingServletConfig.builder(tracker, JwtAuthorizer.of(SECRET, clock, Duration.ZERO))
                .locationIngestor(ingestor).locationStore(store);
    }

    private FakeSession openDriver(TrackingServletConfig.Builder config) {
        FakeSession session = open(config, "d-1", issuer.issue(Role.DRIVER, "d-1", Duration.ofHours(1)));
        assertNotNull(session.handler, "the driver's socket opened");
        return session;
    }

    private FakeSession open(TrackingServletConfig.Builder config, String driverId, String token) {
        return open(config, driverId, token, new DriverSocketEndpoint[1], new StreamHub[1]);
    }

    /** Wires endpoints and hub as the servlet does, then opens an endpoint on a fake session. */
    private FakeSession open(TrackingServletConfig.Builder builder, String driverId, String token,
            DriverSocketEndpoint[] endpoint, StreamHub[] hub) {
        TrackingServletConfig config = builder.maxBodyBytes(MAX_BODY_BYTES).maxBatchSize(3)
                .driverRateLimit(5, Duration.ofSeconds(10)).socketBufferSize(2).build();
        HttpApi api = new HttpApi(config);
        hub[0] = api.hub();
        toClose.add(api);
        endpoint[0] = new DriverSocketEndpoint(api.drivers());
        FakeSession session = new FakeSession(driverId, token == null ? null : "Bearer " + token);
        endpoint[0].onOpen(session.proxy, null);
        return session;
    }

    private static String fix(double lat, double lon, Instant at) {
        return "{\"lat\":" + lat + ",\"lon\":" + lon + ",\"accuracy\":8.0,\"recorded_at\":\"" + at + "\"}";
    }

    private static JsonNode frame(String text) {
        try {
            return JsonCodec.mapper().readTree(text);
        } catch (IOException e) {
            throw new AssertionError(text, e);
        }
    }

    private static void assertError(String text, String code, String message) {
        JsonNode f = frame(text);
        assertEquals("error", f.get("type").asText(), text);
        assertEquals(code, f.get("code").asText(), text);
        assertEquals(message, f.get("message").asText(), text);
    }

    /**
     * A session as a container would give the endpoint: path parameter, handshake authorization,
     * basic and async remotes that record what is sent (async sends complete at once unless
     * {@code holdSends}), the registered text handler, and the close.
     */
    private static final class FakeSession {
        final Session proxy;
        final List<String> sent = new ArrayList<>();
        volatile MessageHandler.Whole<String> handler;
        volatile int maxTextBytes;
        volatile CloseReason closeReason;
        volatile int closes;
        volatile boolean holdSends;
        private volatile boolean open = true;

        @SuppressWarnings("unchecked")
        FakeSession(String driverId, String authorization) {
            Map<String, Object> userProperties = new HashMap<>();
            if (authorization != null) {
                userProperties.put(DriverSocket.AUTHORIZATION_PROPERTY, authorization);
            }
            RemoteEndpoint.Basic basic = proxy(RemoteEndpoint.Basic.class, (name, args) -> {
                if (name.equals("sendText") && args.length == 1) {
                    record((String) args[0]);
                    return null;
                }
                throw new UnsupportedOperationException(name);
            });
            RemoteEndpoint.Async async = proxy(RemoteEndpoint.Async.class, (name, args) -> {
                if (name.equals("sendText") && args.length == 2 && args[1] instanceof SendHandler done) {
                    record((String) args[0]);
                    if (!holdSends) {
                        done.onResult(new SendResult());
                    }
                    return null;
                }
                throw new UnsupportedOperationException(name);
            });
            this.proxy = proxy(Session.class, (name, args) -> switch (name) {
                case "getPathParameters" -> Map.of(DriverSocket.DRIVER_ID, driverId);
                case "getUserProperties" -> userProperties;
                case "getQueryString" -> null;
                case "getBasicRemote" -> basic;
                case "getAsyncRemote" -> async;
                case "setMaxTextMessageBufferSize" -> {
                    maxTextBytes = (Integer) args[0];
                    yield null;
                }
                case "addMessageHandler" -> {
                    handler = (MessageHandler.Whole<String>) args[args.length - 1];
                    yield null;
                }
                case "isOpen" -> open;
                case "close" -> {
                    closes++;
                    open = false;
                    closeReason = args == null || args.length == 0 ? null : (CloseReason) args[0];
                    yield null;
                }
                default -> throw new UnsupportedOperationException(name);
            });
        }

        private synchronized void record(String text) {
            sent.add(text);
        }

        void receive(String text) {
            handler.onMessage(text);
        }

        /** The frames sent once there are {@code count}; bus deliveries arrive on another thread. */
        List<String> awaitSent(int count) {
            org.awaitility.Awaitility.await("a frame sent").atMost(Duration.ofSeconds(10))
                    .until(() -> sentCount() >= count);
            synchronized (this) {
                return new ArrayList<>(sent);
            }
        }

        private synchronized int sentCount() {
            return sent.size();
        }

        private interface Handler {
            Object handle(String name, Object[] args) throws Exception;
        }

        private static <T> T proxy(Class<T> type, Handler handler) {
            return type.cast(Proxy.newProxyInstance(DriverSocketEndpointTest.class.getClassLoader(),
                    new Class<?>[] {type}, (p, method, args) -> switch (method.getName()) {
                        case "hashCode" -> System.identityHashCode(p);
                        case "equals" -> p == args[0];
                        case "toString" -> "fake " + type.getSimpleName();
                        default -> handler.handle(method.getName(), args == null ? new Object[0] : args);
                    }));
        }
    }
}
