package org.ordertracking.examples.demo;

import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Debian's headless Chromium, driven through Debian's chromedriver with the W3C WebDriver protocol
 * over the JDK HTTP client — no browser download, no WebDriver library. Fails loudly when either
 * binary is missing.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final Process driver;
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI base;
    private final String session;
    private final Path profile;

    HeadlessChromium() throws IOException, InterruptedException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("the browser test needs Debian's chromium and chromium-driver ("
                    + CHROMIUM + ", " + CHROMEDRIVER + "): apt-get install chromium chromium-driver");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        profile = Files.createTempDirectory("chromium-profile");
        driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        base = URI.create("http://127.0.0.1:" + port + "/");
        awaitDriver();
        ObjectNode body = JSON.createObjectNode();
        ObjectNode always = body.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        ObjectNode options = always.putObject("goog:chromeOptions");
        options.put("binary", CHROMIUM.toString());
        ArrayNode args = options.putArray("args");
        for (String arg : new String[] {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile}) {
            args.add(arg);
        }
        session = call("POST", "session", body).path("sessionId").asText();
    }

    private void awaitDriver() {
        Awaitility.await("chromedriver answers /status").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .ignoreException(IOException.class) // not listening yet
                .until(() -> http.send(HttpRequest.newBuilder(base.resolve("status")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode(), equalTo(200));
    }

    void open(String url) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("url", url);
        call("POST", "session/" + session + "/url", body);
    }

    /** Runs a script in the page and returns its JSON value. */
    JsonNode script(String script) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("script", script);
        body.putArray("args");
        return call("POST", "session/" + session + "/execute/sync", body);
    }

    /** Returns the text of the first element matching a CSS selector, or "" if none. */
    String text(String css) throws IOException, InterruptedException {
        JsonNode value = script("const e = document.querySelector(" + JSON.writeValueAsString(css)
                + "); return e ? e.innerText : '';");
        return value.asText();
    }

    /** Polls the page's text at {@code css} until it satisfies {@code condition}, or fails after {@code timeout}. */
    String awaitText(String css, Predicate<String> condition, Duration timeout, String what) {
        AtomicReference<String> last = new AtomicReference<>("");
        try {
            return Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
                last.set(text(css));
                return last.get();
            }, condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; " + css + " shows: "
                    + last.get(), e);
        }
    }

    /**
     * Evaluates {@code expression} in the page until its JSON value satisfies {@code condition}, or
     * fails after {@code timeout} showing the last value.
     */
    JsonNode await(String expression, Predicate<JsonNode> condition, Duration timeout, String what) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        try {
            return Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
                last.set(script("return " + expression));
                return last.get();
            }, condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; " + expression
                    + " was " + last.get(), e);
        }
    }

    /** Runs a Chrome DevTools Protocol command (e.g. {@code Network.emulateNetworkConditions}). */
    JsonNode cdp(String command, ObjectNode params) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("cmd", command);
        body.set("params", params);
        return call("POST", "session/" + session + "/goog/cdp/execute", body);
    }

    /** Takes the browser off the network (the page gets its {@code offline} event) or back on. */
    void offline(boolean offline) throws IOException, InterruptedException {
        cdp("Network.enable", JSON.createObjectNode());
        cdp("Network.emulateNetworkConditions", JSON.createObjectNode().put("offline", offline)
                .put("latency", 0).put("downloadThroughput", -1).put("uploadThroughput", -1));
    }

    /** Resizes the browser window (CSS pixels of the outer window). */
    void windowSize(int width, int height) throws IOException, InterruptedException {
        call("POST", "session/" + session + "/window/rect", JSON.createObjectNode()
                .put("width", width).put("height", height));
    }

    void screenshot(Path file) throws IOException, InterruptedException {
        JsonNode value = call("GET", "session/" + session + "/screenshot", null);
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(value.asText()));
    }

    private JsonNode call(String method, String path, JsonNode body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.toString()));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = JSON.readTree(response.body());
        if (response.statusCode() != 200) {
            throw new IOException("WebDriver " + method + " " + path + " answered " + response.statusCode() + ": "
                    + json.path("value").path("message").asText(response.body()));
        }
        return json.path("value");
    }

    @Override
    public void close() throws IOException {
        try {
            call("DELETE", "session/" + session, null);
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the browser is going away regardless
        }
        driver.destroy();
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
