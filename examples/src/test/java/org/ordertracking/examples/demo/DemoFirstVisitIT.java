package org.ordertracking.examples.demo;


import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.TrackedOrder;

/** A new user's first look: with the simulator on, a fresh demo shows orders at several stages within seconds. */
@Timeout(120)
class DemoFirstVisitIT {

    @Test
    void freshDemo_showsSeveralStagesAndOneOrderOnTheRoad_withinSeconds() throws Exception {
        Path dataDir = Files.createTempDirectory("demo-first-visit");
        try (DemoApp app = DemoApp.start(new DemoOptions(0, dataDir, null, null, true,
                "first-visit-test-secret-0123456789abcdef", Duration.ofSeconds(30), Duration.ofMinutes(2)))) {
            // "a few seconds" after start; the deadline leaves room for a loaded CI machine
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            Set<OrderStatus> stages = Set.of();
            int count = 0;
            while (System.nanoTime() < deadline) {
                List<TrackedOrder> active = new ArrayList<>();
                for (String restaurant : DemoSimulator.RESTAURANTS.keySet()) {
                    active.addAll(app.tracker().activeOrdersOfRestaurant(restaurant));
                }
                stages = new TreeSet<>(active.stream().map(TrackedOrder::status).toList());
                count = active.size();
                if (count >= 3 && stages.size() >= 2 && stages.contains(OrderStatus.PICKED_UP)) {
                    return;
                }
                Thread.sleep(200);
            }
            throw new AssertionError("after 20 s the demo shows " + count + " orders at stages " + stages);
        } finally {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
