package org.ordertracking.core;

/**
 * A WGS-84 position in degrees, such as an order's delivery destination.
 *
 * @param lat latitude, finite, in [-90, 90]
 * @param lon longitude, finite, in [-180, 180]
 * @since 0.1.0
 */
public record GeoPoint(double lat, double lon) {

    public GeoPoint {
        if (!Double.isFinite(lat) || lat < -90 || lat > 90) {
            throw new IllegalArgumentException("lat must be a finite number in [-90, 90], but was " + lat);
        }
        if (!Double.isFinite(lon) || lon < -180 || lon > 180) {
            throw new IllegalArgumentException("lon must be a finite number in [-180, 180], but was " + lon);
        }
    }
}
