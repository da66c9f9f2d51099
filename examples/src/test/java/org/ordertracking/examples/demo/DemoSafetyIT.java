package org.ordertracking.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.servlet.ProblemType;

/**
 * The demo is safe to run as-is on a shared network: loopback by default, no operator token in any
 * page or in the banner, an owner-only secret file, privacy headers on its pages, and Jetty's own
 * refusals as problem+json.
 */
@Timeout(120)
class DemoSafetyIT {
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]+\\.([A-Za-z0-9_-]+)\\.[A-Za-z0-9_-]+");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Path dataDir;
    private final List<DemoApp> apps = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void dataDir() throws IOException {
        dataDir = Files.createTempDirectory("demo-safety");
    }

    @AfterEach
    void stop() throws IOException {
        apps.forEach(DemoApp::close);
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private DemoApp start(String host) throws Exception {
        DemoApp app = DemoApp.start(new DemoOptions(0, dataDir, null, null, false, null, Duration.ofSeconds(3),
                Duration.ofSeconds(8), host));
        apps.add(app);
        return app;
    }

    @Test
    void byDefault_listensOnLoopbackOnly() throws Exception {
        assertEquals("127.0.0.1", DemoOptions.parse(new String[0], java.util.Map.of()).host());
        DemoApp app = start(DemoOptions.DEFAULT_HOST);
        InetAddress external = nonLoopbackAddress();
        try (Socket local = new Socket()) {
            local.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), app.port()), 2_000);
        }
        try (Socket remote = new Socket()) {
            assertThrows(ConnectException.class, () -> remote.connect(new InetSocketAddress(external, app.port()), 2_000),
                    "the demo answered on " + external);
        }
    }

    @Test
    void noPageAndNoBanner_holdsAnOperatorToken() throws Exception {
        DemoApp app = start(DemoOptions.DEFAULT_HOST);
        new TrackingClient(http, URI.create("http://127.0.0.1:" + app.port() + "/tracking"))
                .registerOrder(app.token("operator", "ops"), "o-safety-1", "r-hamra", "c-1", new GeoPoint(33.887, 35.523));
        List<String> served = new ArrayList<>();
        for (String path : List.of("/", "/restaurant/r-hamra", "/track/o-safety-1", "/demo/restaurant.js",
                "/demo/track.js", "/demo/map.js", "/demo/app.css", "/operations", "/demo/operations.js")) {
            HttpResponse<String> page = get(app, path);
            assertEquals(200, page.statusCode(), path);
            served.add(page.body());
        }
        served.add(app.banner());
        int tokens = 0;
        for (String text : served) {
            Matcher jwt = JWT.matcher(text);
            while (jwt.find()) {
                tokens++;
                String claims = new String(Base64.getUrlDecoder().decode(jwt.group(1)), StandardCharsets.UTF_8);
                String role = MAPPER.readTree(claims).path("role").asText();
                assertTrue(role.equals("customer") || role.equals("restaurant"), "a page or the banner holds " + claims);
            }
            assertFalse(text.contains("metrics_token"), text);
        }
        assertTrue(tokens > 0, "the landing page links the order and the boards with their tokens");
        String secret = Files.readString(dataDir.resolve("jwt-secret")).strip();
        assertFalse(app.banner().contains(secret), "the banner prints the secret");
        assertTrue(app.banner().contains(dataDir.resolve("jwt-secret").toAbsolutePath().toString()), app.banner());
        // the boards' metrics come through the demo, with a token that stays in the process
        HttpResponse<String> metrics = get(app, "/demo/metrics");
        assertEquals(200, metrics.statusCode(), metrics.body());
        assertTrue(MAPPER.readTree(metrics.body()).isObject(), metrics.body());
        // and the operators' page's stream is relayed by the demo with that same kept token
        HttpResponse<java.io.InputStream> operations = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.port() + "/demo/operations/stream")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(operations.body(),
                StandardCharsets.UTF_8))) {
            assertEquals(200, operations.statusCode());
            assertEquals("text/event-stream", operations.headers().firstValue("Content-Type").orElse("").split(";")[0]);
            String snapshot = null;
            for (String line = lines.readLine(); line != null && snapshot == null; line = lines.readLine()) {
                if (line.startsWith("data: ")) {
                    snapshot = line.substring(6);
                }
            }
            assertTrue(MAPPER.readTree(snapshot).has("offline_restaurants"), snapshot);
            assertFalse(JWT.matcher(snapshot).find(), "no token in the relayed stream");
        }
    }

    @Test
    void generatedSecretFile_isOwnerOnly() throws Exception {
        start(DemoOptions.DEFAULT_HOST);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("jwt-secret"))));
    }

    @Test
    void secretFileReadableByOthers_isRefused_namingTheFileAndTheFix() throws Exception {
        Path file = dataDir.resolve("jwt-secret");
        Files.writeString(file, "x".repeat(43) + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> start(DemoOptions.DEFAULT_HOST));
        assertTrue(refused.getMessage().contains(file.toString()) && refused.getMessage().contains("chmod 600"),
                refused.getMessage());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        start(DemoOptions.DEFAULT_HOST); // the fix the message names is enough
    }

    @Test
    void pages_sayNoReferrer_andCarryAContentSecurityPolicy() throws Exception {
        DemoApp app = start(DemoOptions.DEFAULT_HOST);
        for (String path : List.of("/", "/track/o-1", "/restaurant/r-hamra", "/operations")) {
            HttpResponse<String> page = get(app, path);
            assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElse(null), path);
            String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(csp.contains("default-src 'self'") && csp.contains("script-src 'self'"), path + ": " + csp);
        }
    }

    @Test
    void widened_servesTrackingPagesToOthers_butNotTheLinksOrTheBoards() throws Exception {
        InetAddress external = nonLoopbackAddress();
        DemoApp app = start("0.0.0.0");
        String base = "http://" + external.getHostAddress() + ":" + app.port();
        HttpResponse<String> landing = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, landing.statusCode());
        assertFalse(JWT.matcher(landing.body()).find(), landing.body());
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/track/o-1")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        for (String path : List.of("/restaurant/r-hamra", "/demo/metrics", "/operations", "/demo/operations/stream")) {
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, refused.statusCode(), path);
            assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(null), path);
        }
        assertTrue(DemoApp.wideWarning("0.0.0.0", app.port()).contains("WARNING"));
    }

    @Test
    void containerRefusals_areProblemJson() throws Exception {
        DemoApp app = start(DemoOptions.DEFAULT_HOST);
        JsonNode uriTooLong = assertProblem(raw(app, "GET /tracking/orders/" + "a".repeat(9_000)
                + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414);
        assertEquals(ProblemType.URI_TOO_LONG.uri().toString(), uriTooLong.path("type").asText());
        assertEquals("URI too long", uriTooLong.path("title").asText());
        JsonNode headersTooLarge = assertProblem(raw(app, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9_000)
                + "\r\n\r\n"), 431);
        assertEquals(ProblemType.HEADERS_TOO_LARGE.uri().toString(), headersTooLarge.path("type").asText());
        assertEquals("Request header fields too large", headersTooLarge.path("title").asText());
        assertProblem(raw(app, "GET /tracking/orders/o-1%2F..%2Fmetrics HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
        assertProblem(raw(app, "GET /no/such/page HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
    }

    private static JsonNode assertProblem(String response, int status) throws IOException {
        String head = response.substring(0, Math.max(0, response.indexOf("\r\n\r\n")));
        assertTrue(head.startsWith("HTTP/1.1 " + status), response);
        assertTrue(head.toLowerCase(Locale.ROOT).contains("content-type: application/problem+json"), response);
        JsonNode body = MAPPER.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertEquals(status, body.path("status").asInt(), response);
        assertNotNull(body.get("type"), response);
        assertNotNull(body.get("title"), response);
        return body;
    }

    /** Sends {@code request} as raw bytes and reads until the server closes or a full body arrived. */
    private static String raw(DemoApp app, String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), app.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.replace("HTTP/1.1\r\nHost: x\r\n", "HTTP/1.1\r\nHost: x\r\nConnection: close\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private HttpResponse<String> get(DemoApp app, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** An address of this machine other than loopback; the test machine has a network interface. */
    private static InetAddress nonLoopbackAddress() throws IOException {
        for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : nic.inetAddresses().toList()) {
                if (address instanceof Inet4Address) {
                    return address;
                }
            }
        }
        throw new AssertionError("this test needs a non-loopback IPv4 interface to tell loopback from the network");
    }
}
