package org.ordertracking.core;

/**
 * Great-circle distance on a spherical Earth (haversine formula): good to about 0.5 % — plenty for
 * a 20 m throttle, a GPS-jump filter and an ETA.
 *
 * <p>Stateless and thread-safe; allocates nothing.
 *
 * @since 0.1.0
 */
public final class Haversine {

    /** Mean Earth radius (IUGG), in metres. */
    public static final double EARTH_RADIUS_METERS = 6_371_008.8;

    private Haversine() {
    }

    /**
     * Returns the great-circle distance in metres between two positions given in degrees. The
     * arguments are not checked; callers pass validated coordinates.
     */
    public static double meters(double lat1, double lon1, double lat2, double lon2) {
        double phi1 = Math.toRadians(lat1);
        double phi2 = Math.toRadians(lat2);
        double sinDLat = Math.sin((phi2 - phi1) / 2);
        double sinDLon = Math.sin(Math.toRadians(lon2 - lon1) / 2);
        double a = sinDLat * sinDLat + Math.cos(phi1) * Math.cos(phi2) * sinDLon * sinDLon;
        // min guards against a rounding error pushing a just above 1 for antipodal points
        return 2 * EARTH_RADIUS_METERS * Math.asin(Math.sqrt(Math.min(1.0, a)));
    }

    /** Returns the great-circle distance in metres between two points. */
    public static double meters(GeoPoint from, GeoPoint to) {
        return meters(from.lat(), from.lon(), to.lat(), to.lon());
    }

    /** Returns the great-circle distance in metres between two fixes. */
    public static double meters(LocationFix from, LocationFix to) {
        return meters(from.lat(), from.lon(), to.lat(), to.lon());
    }
}
