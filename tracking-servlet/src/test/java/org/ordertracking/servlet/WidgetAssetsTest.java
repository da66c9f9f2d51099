package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The widget as packaged in the jar: within its size budget, the same version everywhere, the
 * classic build equal to the module's code, and nothing a strict CSP or an XSS review would refuse.
 */
class WidgetAssetsTest {

    private static String asset(String name) throws IOException {
        try (InputStream in = WidgetAssetsTest.class.getClassLoader()
                .getResourceAsStream(WidgetAssets.RESOURCE_DIR + name)) {
            assertNotNull(in, "missing from the class path: " + WidgetAssets.RESOURCE_DIR + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static int gzippedSize(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes) {
            {
                def.setLevel(9);
            }
        }) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.size();
    }

    @Test
    void scripts_gzipped_stayWithinTheBudget() throws IOException {
        for (String name : new String[] {WidgetAssets.MODULE, WidgetAssets.CLASSIC}) {
            int size = gzippedSize(asset(name));
            assertTrue(size <= WidgetAssets.SCRIPT_BUDGET_GZIP_BYTES, name + " is " + size
                    + " bytes gzipped, over the budget of " + WidgetAssets.SCRIPT_BUDGET_GZIP_BYTES);
        }
        int css = gzippedSize(asset(WidgetAssets.STYLESHEET));
        assertTrue(css <= 2048, "the stylesheet is " + css + " bytes gzipped, over its budget of 2048");
    }

    @Test
    void module_declaresTheVersionOfItsFolder() throws IOException {
        Matcher version = Pattern.compile("const VERSION = '([^']+)';").matcher(asset(WidgetAssets.MODULE));
        assertTrue(version.find(), "the module has no VERSION constant");
        assertEquals(WidgetAssets.VERSION, version.group(1));
        assertTrue(asset(WidgetAssets.STYLESHEET).contains("widget " + WidgetAssets.VERSION));
    }

    @Test
    void classicBuild_isTheModuleCodeBehindOneGlobal() throws IOException {
        String module = asset(WidgetAssets.MODULE);
        String classic = asset(WidgetAssets.CLASSIC);
        String exports = "mount, createTracker, strings, defineStrings, VERSION";
        assertTrue(module.strip().endsWith("export { " + exports + " };"), "the module's exports changed");
        String body = module.substring(0, module.lastIndexOf("export {"));
        assertTrue(classic.contains(body), "the classic build does not hold the module's code");
        assertTrue(classic.contains("global.OrderTrackingWidget = { " + exports + " };"), classic);
        assertFalse(Pattern.compile("(?m)^\\s*(export|import)\\b").matcher(classic).find(),
                "a classic script cannot import or export");
    }

    @Test
    void module_usesNoHtmlParsingEvalOrInlineStyles() throws IOException {
        String module = asset(WidgetAssets.MODULE);
        for (String banned : new String[] {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                "new Function", "setAttribute('style'", ".style.", "<style", "import("}) {
            assertFalse(module.contains(banned), "the widget must not use " + banned);
        }
    }

    @Test
    void module_requestsNothingButTheTrackingApi() throws IOException {
        String module = asset(WidgetAssets.MODULE);
        // the only network calls: EventSource on the order's stream and fetch of the order's snapshot
        assertEquals(1, count(module, "new EventSource("));
        assertEquals(1, count(module, "fetch("));
        assertFalse(module.contains("XMLHttpRequest") || module.contains("sendBeacon") || module.contains("http://")
                || module.contains("https://") || module.contains("new WebSocket") || module.contains("new Image"));
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
