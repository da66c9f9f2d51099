package org.ordertracking.servlet;

import java.util.List;

/**
 * Where the customer tracking widget lives: its version, its file names, and the class-path folder
 * that holds them in this jar. {@link TrackingServlet} serves them without authentication at
 * {@code {mount}/widget/{VERSION}/{name}} as immutable, cacheable assets; a host that prefers to
 * serve them itself reads them from {@link #RESOURCE_DIR} (a Servlet 3+ container already serves a
 * jar's {@code META-INF/resources/} from {@code WEB-INF/lib}, here at
 * {@code /ordertracking/widget/{VERSION}/}).
 *
 * <p>Constants only; thread-safe.
 *
 * @since 0.1.0
 */
public final class WidgetAssets {
    /** The widget's version, part of every asset URL; a new version is a new URL. */
    public static final String VERSION = "0.1.0";

    /** The ES module. */
    public static final String MODULE = "tracking-widget.js";

    /** The same code as a classic script that sets the global {@code OrderTrackingWidget}. */
    public static final String CLASSIC = "tracking-widget.classic.js";

    /** The widget's stylesheet (it injects no styles of its own). */
    public static final String STYLESHEET = "tracking-widget.css";

    /** Every asset, in the order above. */
    public static final List<String> NAMES = List.of(MODULE, CLASSIC, STYLESHEET);

    /** The class-path folder of the assets, without a leading slash, with a trailing one. */
    public static final String RESOURCE_DIR = "META-INF/resources/ordertracking/widget/" + VERSION + "/";

    /** The size budget of each script, gzipped (level 9), in bytes; the build's tests enforce it. */
    public static final int SCRIPT_BUDGET_GZIP_BYTES = 8 * 1024;

    private WidgetAssets() {
    }
}
