package org.ordertracking.examples.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
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
            AtomicReference<String> seen = new AtomicReference<>("nothing");
            try {
                Awaitility.await("orders at several stages, one on the road").atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(200)).until(() -> {
                            List<TrackedOrder> active = new ArrayList<>();
                            for (String restaurant : DemoSimulator.RESTAURANTS.keySet()) {
                                active.addAll(app.tracker().activeOrdersOfRestaurant(restaurant));
                            }
                            Set<OrderStatus> stages = new TreeSet<>(active.stream().map(TrackedOrder::status).toList());
                            seen.set(active.size() + " orders at stages " + stages);
                            return active.size() >= 3 && stages.size() >= 2 && stages.contains(OrderStatus.PICKED_UP);
                        });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("after 20 s the demo shows " + seen.get(), e);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
