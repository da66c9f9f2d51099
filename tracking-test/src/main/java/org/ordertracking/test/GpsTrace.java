package org.ordertracking.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationFix;

/**
 * A recorded GPS trace to replay through the location pipeline.
 *
 * <p>The format is plain text, one fix per line: {@code t_offset_seconds,lat,lon[,accuracy]} —
 * seconds since the start of the trace (decimals allowed, non-decreasing), WGS-84 degrees, and an
 * optional accuracy in metres. Blank lines and lines starting with {@code #} are ignored, as is a
 * header line starting with {@code t_offset}.
 *
 * <p>{@value #BEIRUT_DELIVERY} ships with this module: a 6 km delivery in Beirut with a wait at the
 * restaurant, a 45 s and a 3 min dead zone, GPS wobble around the 5-minute ETA and the arrival.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class GpsTrace {

    /** Class-path name of the bundled Beirut delivery trace; its destination is {@link #BEIRUT_DESTINATION}. */
    public static final String BEIRUT_DELIVERY = "org/ordertracking/test/traces/beirut-delivery.csv";

    /** Where the bundled Beirut trace ends (within 10 m). */
    public static final GeoPoint BEIRUT_DESTINATION = new GeoPoint(33.8938, 35.5018);

    /**
     * One line of a trace.
     *
     * @param offset time since the start of the trace
     * @param lat latitude in degrees
     * @param lon longitude in degrees
     * @param accuracy accuracy in metres, or {@code null}
     * @param line the line number in the source, for messages
     */
    public record Point(Duration offset, double lat, double lon, Double accuracy, int line) {
        public Point {
            Objects.requireNonNull(offset, "offset must not be null");
        }

        /** Returns this point as a fix recorded (and received) at {@code start + offset}. */
        public LocationFix toFix(Instant start) {
            Instant at = start.plus(offset);
            return new LocationFix(lat, lon, accuracy, null, null, at, at);
        }
    }

    private final List<Point> points;

    private GpsTrace(List<Point> points) {
        this.points = List.copyOf(points);
    }

    /**
     * Reads a trace from the class path.
     *
     * @throws IllegalArgumentException if it is missing or malformed, naming the resource and line
     */
    public static GpsTrace fromResource(String name) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        InputStream in = loader == null ? null : loader.getResourceAsStream(name);
        if (in == null) {
            in = GpsTrace.class.getClassLoader().getResourceAsStream(name);
        }
        if (in == null) {
            throw new IllegalArgumentException("no GPS trace on the class path at '" + name + "'");
        }
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return parse(reader, name);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read GPS trace " + name, e);
        }
    }

    /**
     * Parses a trace.
     *
     * @param source a name for messages
     * @throws IllegalArgumentException naming the source and line of a malformed line
     */
    public static GpsTrace parse(Reader reader, String source) throws IOException {
        BufferedReader lines = new BufferedReader(reader);
        List<Point> points = new ArrayList<>();
        String line;
        int number = 0;
        Duration previous = Duration.ZERO;
        while ((line = lines.readLine()) != null) {
            number++;
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#") || text.startsWith("t_offset")) {
                continue;
            }
            String[] cells = text.split(",");
            if (cells.length < 3 || cells.length > 4) {
                throw new IllegalArgumentException(source + ":" + number
                        + ": expected t_offset_seconds,lat,lon[,accuracy] but was '" + text + "'");
            }
            try {
                Duration offset = Duration.ofNanos(Math.round(Double.parseDouble(cells[0].strip()) * 1e9));
                if (offset.isNegative() || offset.compareTo(previous) < 0) {
                    throw new IllegalArgumentException(source + ":" + number
                            + ": offsets must be non-negative and non-decreasing, but was " + cells[0]);
                }
                previous = offset;
                Double accuracy = cells.length == 4 ? Double.valueOf(cells[3].strip()) : null;
                points.add(new Point(offset, Double.parseDouble(cells[1].strip()), Double.parseDouble(cells[2].strip()),
                        accuracy, number));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + ":" + number + ": not a number in '" + text + "'", e);
            }
        }
        return new GpsTrace(points);
    }

    /** Returns the points in file order. */
    public List<Point> points() {
        return points;
    }

    /** Returns the points as fixes recorded from {@code start} on. */
    public List<LocationFix> fixes(Instant start) {
        List<LocationFix> fixes = new ArrayList<>(points.size());
        for (Point point : points) {
            fixes.add(point.toFix(start));
        }
        return fixes;
    }

    /** Returns the offset of the last point. */
    public Duration duration() {
        return points.isEmpty() ? Duration.ZERO : points.get(points.size() - 1).offset();
    }
}
