package org.ordertracking.examples.demo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.Haversine;

/**
 * A small street graph of Beirut (Hamra, Verdun, the Corniche, downtown, Gemmayzeh, Achrafieh)
 * that the simulated drivers follow and the pages draw, so the demo needs no tile server. The
 * coordinates are approximate: good enough for realistic distances and headings, not for
 * navigation.
 */
public final class BeirutMap {

    /** A named place: an intersection, a restaurant or a delivery address. */
    public record Place(String id, String name, GeoPoint point) {
    }

    /** A named street drawn on the map, as a polyline of places. */
    public record Street(String name, List<Place> places) {
    }

    private final Map<String, Place> places = new LinkedHashMap<>();
    private final List<Street> streets = new ArrayList<>();
    private final Map<String, List<Place>> neighbours = new HashMap<>();

    private BeirutMap() {
        place("manara", "Manara", 33.9005, 35.4705);
        place("raouche", "Raouche", 33.8880, 35.4712);
        place("ramlet", "Ramlet al-Baida", 33.8760, 35.4790);
        place("ain_mreisseh", "Ain el-Mreisseh", 33.9010, 35.4880);
        place("zaitunay", "Zaitunay Bay", 33.9025, 35.4970);
        place("aub_gate", "AUB main gate", 33.8995, 35.4790);
        place("bliss_east", "Bliss St / Jeanne d'Arc", 33.8990, 35.4850);
        place("hamra_west", "Hamra St (west)", 33.8963, 35.4760);
        place("hamra", "Hamra St", 33.8965, 35.4815);
        place("hamra_east", "Hamra St (east)", 33.8968, 35.4870);
        place("clemenceau", "Clemenceau", 33.8975, 35.4900);
        place("spears", "Spears", 33.8930, 35.4930);
        place("verdun_north", "Verdun St (north)", 33.8915, 35.4840);
        place("verdun_south", "Verdun St (south)", 33.8820, 35.4850);
        place("mar_elias", "Mar Elias", 33.8860, 35.4930);
        place("downtown", "Downtown", 33.8985, 35.5030);
        place("martyrs", "Martyrs' Square", 33.8955, 35.5075);
        place("bechara_north", "Bechara El Khoury (north)", 33.8925, 35.5055);
        place("bechara_south", "Bechara El Khoury (south)", 33.8800, 35.5065);
        place("sodeco", "Sodeco", 33.8850, 35.5100);
        place("sassine", "Sassine Square", 33.8870, 35.5230);
        place("gemmayzeh_west", "Gemmayzeh (west)", 33.8960, 35.5120);
        place("gemmayzeh_east", "Gemmayzeh (east)", 33.8950, 35.5190);
        place("mar_mikhael", "Mar Mikhael", 33.8960, 35.5250);

        street("Corniche Beirut", "ramlet", "raouche", "manara", "ain_mreisseh", "zaitunay");
        street("Bliss Street", "aub_gate", "bliss_east");
        street("Hamra Street", "hamra_west", "hamra", "hamra_east");
        street("Jeanne d'Arc", "hamra_west", "aub_gate", "manara");
        street("Makdissi", "hamra_east", "bliss_east", "ain_mreisseh");
        street("Clemenceau", "hamra_east", "clemenceau", "spears", "bechara_north");
        street("Verdun Street", "hamra", "verdun_north", "verdun_south", "raouche");
        street("Mar Elias", "verdun_north", "spears");
        street("Corniche el-Mazraa", "verdun_south", "mar_elias", "bechara_south");
        street("Weygand", "ain_mreisseh", "downtown", "martyrs");
        street("Bechara El Khoury", "martyrs", "bechara_north", "bechara_south");
        street("Damascus Road", "martyrs", "sodeco");
        street("Independence Avenue", "bechara_south", "sodeco", "sassine");
        street("Gouraud Street", "martyrs", "gemmayzeh_west", "gemmayzeh_east", "mar_mikhael");
        street("Armenia Street", "mar_mikhael", "sassine");
        street("Zaitunay Bay", "zaitunay", "downtown");
    }

    private static final BeirutMap INSTANCE = new BeirutMap();

    /** Returns the map. */
    public static BeirutMap get() {
        return INSTANCE;
    }

    private void place(String id, String name, double lat, double lon) {
        places.put(id, new Place(id, name, new GeoPoint(lat, lon)));
    }

    private void street(String name, String... ids) {
        List<Place> line = new ArrayList<>();
        for (String id : ids) {
            line.add(place(id));
        }
        streets.add(new Street(name, List.copyOf(line)));
        for (int i = 1; i < line.size(); i++) {
            neighbours.computeIfAbsent(line.get(i - 1).id(), k -> new ArrayList<>()).add(line.get(i));
            neighbours.computeIfAbsent(line.get(i).id(), k -> new ArrayList<>()).add(line.get(i - 1));
        }
    }

    public Place place(String id) {
        Place place = places.get(id);
        if (place == null) {
            throw new IllegalArgumentException("no place '" + id + "' on the map");
        }
        return place;
    }

    public List<Place> places() {
        return List.copyOf(places.values());
    }

    public List<Street> streets() {
        return List.copyOf(streets);
    }

    /** Returns the place nearest to a point. */
    public Place nearest(GeoPoint point) {
        Place best = null;
        double bestDistance = Double.MAX_VALUE;
        for (Place place : places.values()) {
            double d = Haversine.meters(point, place.point());
            if (d < bestDistance) {
                bestDistance = d;
                best = place;
            }
        }
        return best;
    }

    /** Returns the shortest route along the streets between two places (Dijkstra). */
    public Route route(Place from, Place to) {
        Map<String, Double> distance = new HashMap<>();
        Map<String, Place> previous = new HashMap<>();
        PriorityQueue<Map.Entry<Place, Double>> queue =
                new PriorityQueue<>(Map.Entry.comparingByValue());
        distance.put(from.id(), 0.0);
        queue.add(Map.entry(from, 0.0));
        while (!queue.isEmpty()) {
            Map.Entry<Place, Double> head = queue.poll();
            Place current = head.getKey();
            if (head.getValue() > distance.getOrDefault(current.id(), Double.MAX_VALUE)) {
                continue;
            }
            if (current.equals(to)) {
                break;
            }
            for (Place next : neighbours.getOrDefault(current.id(), List.of())) {
                double candidate = head.getValue() + Haversine.meters(current.point(), next.point());
                if (candidate < distance.getOrDefault(next.id(), Double.MAX_VALUE)) {
                    distance.put(next.id(), candidate);
                    previous.put(next.id(), current);
                    queue.add(Map.entry(next, candidate));
                }
            }
        }
        List<GeoPoint> points = new ArrayList<>();
        for (Place at = to; at != null; at = previous.get(at.id())) {
            points.add(0, at.point());
            if (at.equals(from)) {
                break;
            }
        }
        if (!points.get(0).equals(from.point())) {
            throw new IllegalStateException("no route from " + from.id() + " to " + to.id());
        }
        return new Route(points);
    }
}
