package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.Subscription;
import org.ordertracking.core.Topic;

/**
 * The README's quick-start sample, compiled and run. {@link #readme_quickStart_isThisTestsSample()}
 * keeps the README's copy identical to the code between the tags below.
 */
class QuickStartTest {

    @Test
    void quickStart_ordersMoveAndSubscribersHearEveryStep() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch delivered = new CountDownLatch(3);

        // tag::quick-start[]
        try (EventBus bus = EventBus.inMemory();
             OrderTracker tracker = OrderTracker.builder()
                     .repository(OrderRepository.inMemory())   // or JdbcOrderRepository
                     .eventBus(bus)                            // or RedisEventBus
                     .build()
                     .start()) {

            // what a customer's SSE stream does under the hood
            Subscription subscription = bus.subscribe(Topic.order("o-1001"), envelope -> {
                seen.add(envelope.type() + " " + envelope.json());
                delivered.countDown();
            });

            tracker.register(new NewOrder("o-1001", "r-7", "c-42", new GeoPoint(33.8938, 35.5018)));
            tracker.transition("o-1001", OrderStatus.ACCEPTED, null, "restaurant:r-7");
            OrderEvent event = tracker.transition("o-1001", OrderStatus.PREPARING);

            System.out.println(event.seq() + " " + event.status());   // 3 preparing
            delivered.await(5, TimeUnit.SECONDS);
            subscription.close();
        }
        // end::quick-start[]

        assertEquals(3, seen.size());
        assertEquals(List.of("status", "status", "status"), seen.stream().map(s -> s.split(" ")[0]).toList());
        assertEquals(true, seen.get(2).contains("\"seq\":3,\"status\":\"preparing\",\"previous\":\"accepted\""));
    }

    @Test
    void readme_quickStart_isThisTestsSample() throws IOException {
        Path source = Path.of("src/test/java/org/ordertracking/test/QuickStartTest.java");
        String code = Files.readString(source);
        String sample = between(code, "// tag::quick-start[]\n", "        // end::quick-start[]");
        String readme = Files.readString(Path.of("../README.md"));
        String block = between(readme, "<!-- quick-start: tracking-test/src/test/java/org/ordertracking/test/"
                + "QuickStartTest.java -->\n```java\n", "```");
        assertEquals(unindent(sample, 8), block, "README.md's quick start differs from QuickStartTest");
    }

    private static String between(String text, String start, String end) {
        int from = text.indexOf(start);
        if (from < 0) {
            throw new AssertionError("marker not found: " + start);
        }
        from += start.length();
        int to = text.indexOf(end, from);
        return text.substring(from, to);
    }

    private static String unindent(String text, int columns) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            out.append(line.length() >= columns ? line.substring(columns) : line.strip()).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }
}
