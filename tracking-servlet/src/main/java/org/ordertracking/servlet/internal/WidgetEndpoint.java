package org.ordertracking.servlet.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.ordertracking.servlet.ProblemType;
import org.ordertracking.servlet.WidgetAssets;

/**
 * Serves the widget's assets ({@code GET widget/{version}/{name}}): no authentication, immutable
 * caching, a strong ETag (304 on {@code If-None-Match}), gzip when the client accepts it. Every
 * asset is read and compressed once, when the servlet is built. Anything else under
 * {@code widget/} is a 404 problem. Thread-safe (immutable after construction).
 */
public final class WidgetEndpoint {
    private static final String CACHE = "public, max-age=31536000, immutable";
    private static final Map<String, String> TYPES = Map.of("js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8");

    private record Asset(String type, byte[] plain, byte[] gzip, String etag) {
    }

    private final Map<String, Asset> assets = new HashMap<>();

    public WidgetEndpoint() {
        for (String name : WidgetAssets.NAMES) {
            byte[] plain = read(WidgetAssets.RESOURCE_DIR + name);
            assets.put(name, new Asset(TYPES.get(name.substring(name.lastIndexOf('.') + 1)), plain, gzip(plain),
                    etag(plain)));
        }
    }

    /**
     * Serves {@code GET|HEAD widget/{version}/{name}} (the route table answers other methods 405).
     *
     * @throws Problem 404 for an unknown version or asset
     */
    public void serve(RouteTable.Exchange exchange) throws IOException {
        HttpServletRequest request = exchange.request();
        HttpServletResponse response = exchange.response();
        String version = exchange.param("version");
        String name = exchange.param("name");
        Asset asset = WidgetAssets.VERSION.equals(version) ? assets.get(name) : null;
        if (asset == null) {
            throw Problem.of(ProblemType.NOT_FOUND, "no widget asset at widget/"
                    + Requests.abbreviate(version + "/" + name) + "; this server has widget "
                    + WidgetAssets.VERSION + ": " + String.join(", ", WidgetAssets.NAMES));
        }
        String method = request.getMethod();
        response.setHeader("Cache-Control", CACHE);
        response.setHeader("ETag", asset.etag);
        response.setHeader("Vary", "Accept-Encoding");
        response.setHeader("X-Content-Type-Options", "nosniff");
        // a host page on another origin may load the module (module scripts are fetched with CORS)
        response.setHeader("Access-Control-Allow-Origin", "*");
        response.setContentType(asset.type);
        if (Responses.ifNoneMatch(request.getHeader("If-None-Match"), asset.etag)) {
            response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }
        byte[] body = asset.plain;
        if (acceptsGzip(request.getHeader("Accept-Encoding"))) {
            response.setHeader("Content-Encoding", "gzip");
            body = asset.gzip;
        }
        response.setContentLength(body.length);
        if (!"HEAD".equals(method)) {
            try (OutputStream out = response.getOutputStream()) {
                out.write(body);
            }
        }
    }

    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String part : acceptEncoding.toLowerCase(Locale.ROOT).split(",")) {
            String[] coding = part.trim().split(";");
            if (coding[0].trim().equals("gzip")) {
                for (int i = 1; i < coding.length; i++) {
                    String param = coding[i].trim().replace(" ", "");
                    if (param.matches("q=0(\\.0{0,3})?")) {
                        return false;
                    }
                }
                return true;
            }
        }
        return false;
    }

    private static byte[] read(String resource) {
        try (InputStream in = WidgetEndpoint.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("widget asset " + resource + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(plain.length / 3);
        try (GZIPOutputStream out = new GZIPOutputStream(bytes) {
            {
                def.setLevel(9);
            }
        }) {
            out.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static String etag(byte[] plain) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(plain);
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
