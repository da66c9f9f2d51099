package org.ordertracking.core.internal;

import java.time.Duration;
import java.util.Objects;
import org.ordertracking.core.EtaEstimator;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.Haversine;

/** Great-circle distance × road factor ÷ urban speed. Immutable and thread-safe. */
public final class GreatCircleEtaEstimator implements EtaEstimator {
    private final double roadFactor;
    private final double urbanSpeedKmh;
    private final double metersPerSecond;

    public GreatCircleEtaEstimator(double roadFactor, double urbanSpeedKmh) {
        if (!Double.isFinite(roadFactor) || roadFactor < 1 || roadFactor > 5) {
            throw new IllegalArgumentException("roadFactor must be a finite number in [1, 5], but was " + roadFactor);
        }
        if (!Double.isFinite(urbanSpeedKmh) || urbanSpeedKmh <= 0 || urbanSpeedKmh > 200) {
            throw new IllegalArgumentException("urbanSpeedKmh must be a finite number in (0, 200], but was "
                    + urbanSpeedKmh);
        }
        this.roadFactor = roadFactor;
        this.urbanSpeedKmh = urbanSpeedKmh;
        this.metersPerSecond = urbanSpeedKmh / 3.6;
    }

    @Override
    public Duration estimate(GeoPoint from, GeoPoint destination) {
        Objects.requireNonNull(from, "from must not be null");
        Objects.requireNonNull(destination, "destination must not be null");
        double seconds = Haversine.meters(from, destination) * roadFactor / metersPerSecond;
        return Duration.ofSeconds(Math.round(seconds));
    }

    public double roadFactor() {
        return roadFactor;
    }

    public double urbanSpeedKmh() {
        return urbanSpeedKmh;
    }

    @Override
    public String toString() {
        return "GreatCircleEtaEstimator[roadFactor=" + roadFactor + ", urbanSpeedKmh=" + urbanSpeedKmh + "]";
    }
}
