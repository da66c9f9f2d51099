package org.ordertracking.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ordertracking.core.GeoPoint;

class RouteTest {

    @Test
    void route_betweenTwoPlaces_followsStreetsAndEndsAtTheDestination() {
        BeirutMap map = BeirutMap.get();
        Route route = map.route(map.place("hamra"), map.place("mar_mikhael"));
        assertEquals(map.place("hamra").point(), route.points().get(0));
        assertEquals(map.place("mar_mikhael").point(), route.points().get(route.points().size() - 1));
        assertTrue(route.length() > 3_000 && route.length() < 8_000, "Hamra to Mar Mikhael is a few km: "
                + route.length());
        assertEquals(map.place("mar_mikhael").point(), route.positionAt(route.length() + 100));
    }

    @Test
    void everyPlace_isReachableFromEveryRestaurant() {
        BeirutMap map = BeirutMap.get();
        for (String restaurant : DemoSimulator.RESTAURANTS.values()) {
            for (BeirutMap.Place place : map.places()) {
                map.route(map.place(restaurant), place);
            }
        }
    }

    @Test
    void positionAt_interpolatesAlongTheSegment() {
        Route route = new Route(java.util.List.of(new GeoPoint(33.89, 35.48), new GeoPoint(33.90, 35.48)));
        GeoPoint middle = route.positionAt(route.length() / 2);
        assertEquals(33.895, middle.lat(), 1e-9);
        assertEquals(0.0, route.headingAt(10), 1e-6, "due north");
    }
}
