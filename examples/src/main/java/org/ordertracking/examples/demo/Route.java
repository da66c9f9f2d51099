package org.ordertracking.examples.demo;

import java.util.List;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.Haversine;

/** A polyline a simulated driver follows, with positions by distance travelled. */
public final class Route {
    private final List<GeoPoint> points;
    private final double[] cumulative;

    public Route(List<GeoPoint> points) {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one point");
        }
        this.points = List.copyOf(points);
        this.cumulative = new double[points.size()];
        for (int i = 1; i < points.size(); i++) {
            cumulative[i] = cumulative[i - 1] + Haversine.meters(points.get(i - 1), points.get(i));
        }
    }

    /** Returns the route's length in metres. */
    public double length() {
        return cumulative[cumulative.length - 1];
    }

    public List<GeoPoint> points() {
        return points;
    }

    /** Returns the position after travelling {@code meters} along the route (clamped to its ends). */
    public GeoPoint positionAt(double meters) {
        if (meters <= 0 || points.size() == 1) {
            return points.get(0);
        }
        if (meters >= length()) {
            return points.get(points.size() - 1);
        }
        int i = 1;
        while (cumulative[i] < meters) {
            i++;
        }
        double segment = cumulative[i] - cumulative[i - 1];
        double f = segment == 0 ? 0 : (meters - cumulative[i - 1]) / segment;
        GeoPoint a = points.get(i - 1);
        GeoPoint b = points.get(i);
        return new GeoPoint(a.lat() + (b.lat() - a.lat()) * f, a.lon() + (b.lon() - a.lon()) * f);
    }

    /** Returns the heading in degrees [0, 360) at {@code meters} along the route. */
    public double headingAt(double meters) {
        if (points.size() == 1) {
            return 0;
        }
        int i = 1;
        while (i < cumulative.length - 1 && cumulative[i] < meters) {
            i++;
        }
        GeoPoint a = points.get(i - 1);
        GeoPoint b = points.get(i);
        double y = Math.sin(Math.toRadians(b.lon() - a.lon())) * Math.cos(Math.toRadians(b.lat()));
        double x = Math.cos(Math.toRadians(a.lat())) * Math.sin(Math.toRadians(b.lat()))
                - Math.sin(Math.toRadians(a.lat())) * Math.cos(Math.toRadians(b.lat()))
                        * Math.cos(Math.toRadians(b.lon() - a.lon()));
        double degrees = (Math.toDegrees(Math.atan2(y, x)) + 360) % 360;
        return degrees >= 360 ? 0 : degrees;
    }
}
