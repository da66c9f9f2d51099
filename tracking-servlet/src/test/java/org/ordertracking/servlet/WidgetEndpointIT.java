package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.core.OrderTracker;

/** The widget's assets over HTTP on each container: no token, immutable caching, ETag, gzip, 404/405 problems. */
@org.junit.jupiter.api.Timeout(60)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class WidgetEndpointIT {
    @Parameter
    Container container;

    private static OrderTracker tracker;
    private static Node node;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeParameterizedClassInvocation
    static void start(Container container) throws Exception {
        tracker = OrderTracker.builder().build();
        node = Node.start(container, tracker);
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        node.close();
        tracker.close();
    }

    private static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(node.uri(path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = WidgetEndpointIT.class.getClassLoader()
                .getResourceAsStream(WidgetAssets.RESOURCE_DIR + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void module_isServedWithoutTokenAsAnImmutableVersionedScript() throws Exception {
        HttpResponse<byte[]> response = get("/widget/" + WidgetAssets.VERSION + "/" + WidgetAssets.MODULE);
        assertEquals(200, response.statusCode());
        assertEquals("text/javascript;charset=utf-8",
                response.headers().firstValue("Content-Type").orElseThrow().replace(" ", "").toLowerCase());
        assertEquals("public, max-age=31536000, immutable", response.headers().firstValue("Cache-Control").orElseThrow());
        assertTrue(response.headers().firstValue("ETag").orElseThrow().matches("\"[0-9a-f]{32}\""));
        assertEquals("*", response.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertArrayEquals(resource(WidgetAssets.MODULE), response.body());
    }

    @Test
    void stylesheetAndClassicBuild_areServedWithTheirTypes() throws Exception {
        HttpResponse<byte[]> css = get("/widget/" + WidgetAssets.VERSION + "/" + WidgetAssets.STYLESHEET);
        assertEquals(200, css.statusCode());
        assertTrue(css.headers().firstValue("Content-Type").orElseThrow().startsWith("text/css"));
        HttpResponse<byte[]> classic = get("/widget/" + WidgetAssets.VERSION + "/" + WidgetAssets.CLASSIC);
        assertEquals(200, classic.statusCode());
        assertArrayEquals(resource(WidgetAssets.CLASSIC), classic.body());
    }

    @Test
    void ifNoneMatch_withTheEtag_answers304WithoutBody() throws Exception {
        String path = "/widget/" + WidgetAssets.VERSION + "/" + WidgetAssets.MODULE;
        String etag = get(path).headers().firstValue("ETag").orElseThrow();
        HttpResponse<byte[]> again = get(path, "If-None-Match", etag);
        assertEquals(304, again.statusCode());
        assertEquals(0, again.body().length);
        assertEquals(200, get(path, "If-None-Match", "\"other\"").statusCode());
    }

    @Test
    void acceptEncodingGzip_getsTheGzippedBody() throws Exception {
        String path = "/widget/" + WidgetAssets.VERSION + "/" + WidgetAssets.MODULE;
        HttpResponse<byte[]> response = get(path, "Accept-Encoding", "br, gzip;q=0.8");
        assertEquals("gzip", response.headers().firstValue("Content-Encoding").orElseThrow());
        assertEquals("Accept-Encoding", response.headers().firstValue("Vary").orElseThrow());
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(response.body()))) {
            assertArrayEquals(resource(WidgetAssets.MODULE), in.readAllBytes());
        }
        assertTrue(response.body().length <= WidgetAssets.SCRIPT_BUDGET_GZIP_BYTES);
        HttpResponse<byte[]> refused = get(path, "Accept-Encoding", "gzip;q=0");
        assertTrue(refused.headers().firstValue("Content-Encoding").isEmpty());
    }

    @Test
    void unknownVersionOrAsset_isA404Problem() throws Exception {
        for (String path : new String[] {"/widget/9.9.9/" + WidgetAssets.MODULE, "/widget/" + WidgetAssets.VERSION
                + "/secret.js", "/widget", "/widget/" + WidgetAssets.VERSION, "/widget/" + WidgetAssets.VERSION
                + "/../tracking-widget.js"}) {
            HttpResponse<byte[]> response = get(path);
            assertEquals(404, response.statusCode(), path);
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow()
                    .split(";")[0], path);
            JsonNode problem = JsonCodec.mapper().readTree(response.body());
            assertTrue(problem.path("type").asText().endsWith("/not-found"), problem.toString());
            assertTrue(response.headers().firstValue("Cache-Control").orElseThrow().contains("no-store"));
        }
    }

    @Test
    void post_isA405ProblemNamingGet() throws Exception {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(node.uri("/widget/" + WidgetAssets.VERSION
                + "/" + WidgetAssets.MODULE)).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(405, response.statusCode());
        assertEquals("GET", response.headers().firstValue("Allow").orElseThrow());
    }
}
