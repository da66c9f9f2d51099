package org.ordertracking.servlet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.RestaurantPresenceMonitor;
import org.ordertracking.core.StuckOrderWatchdog;
import org.ordertracking.core.internal.JsonCodec;
import org.ordertracking.redis.RedisEventBus;
import org.ordertracking.redis.RedisEventBusConfig;
import org.ordertracking.test.SettableClock;

/**
 * Two nodes, each with its own bus on the real Redis, watchdog and presence monitor, sharing one
 * repository (the stand-in for the database; the claims are proven on PostgreSQL, MariaDB and H2 by
 * the repository contract): an operator on node B sees each change once, whichever node found it,
 * however many checks both nodes run.
 */
@Timeout(120)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class OperationsTwoNodesIT {
    private static final String REDIS = System.getProperty("tracking.test.redis", "redis://127.0.0.1:6379");
    private static final Instant T0 = Instant.parse("2026-12-02T12:00:00Z");

    @Parameter
    Container container;

    private final String name = "ops-" + UUID.randomUUID();
    private final SettableClock clock = SettableClock.at(T0);
    private RedisClient client;
    private final Side a = new Side();
    private final Side b = new Side();

    /** One node's pieces. */
    private static final class Side {
        RedisEventBus bus;
        OrderTracker tracker;
        RestaurantPresenceMonitor presence;
        StuckOrderWatchdog watchdog;
        Node node;
    }

    @BeforeEach
    void start() throws Exception {
        client = RedisClient.create(RedisURI.builder(RedisURI.create(REDIS)).withClientName(name).build());
        OrderRepository repository = OrderRepository.inMemory();
        for (Side side : List.of(a, b)) {
            side.bus = RedisEventBus.create(client, RedisEventBusConfig.builder().channelPrefix(name + ":").build());
            side.tracker = OrderTracker.builder().repository(repository).eventBus(side.bus).clock(clock).build();
            side.presence = RestaurantPresenceMonitor.builder(repository, side.bus).clock(clock).build();
            side.watchdog = StuckOrderWatchdog.builder(repository, side.bus).clock(clock).build();
            side.node = Node.start(container, side.tracker, c -> c.restaurantPresence(side.presence)
                    .stuckOrders(side.watchdog));
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (Side side : List.of(a, b)) {
            if (side.node != null) {
                side.node.close();
                side.presence.close();
                side.watchdog.close();
                side.tracker.close();
                side.bus.close();
            }
        }
        client.shutdown();
    }

    @Test
    void operatorOnNodeB_seesEachChangeOnce_whicheverNodeFoundIt() throws Exception {
        a.tracker.register(new NewOrder("tn-1", "r-1", "c-1", new GeoPoint(33.9, 35.5)));
        a.tracker.transition("tn-1", OrderStatus.ACCEPTED);
        try (SseClient ops = b.node.stream("/operations/stream", Node.operator())) {
            ops.nextOfType("snapshot");
            clock.advance(Duration.ofMinutes(10));
            a.watchdog.check();
            b.watchdog.check();
            a.presence.check();
            b.presence.check();
            a.watchdog.check();
            b.presence.check();

            List<String> seen = new ArrayList<>();
            await("both announcements over Redis").atMost(Duration.ofSeconds(20)).until(() -> {
                for (SseClient.Event e : ops.drainNow()) {
                    if (!e.event().equals("figures") && !e.event().equals("comment")) {
                        seen.add(e.event() + " " + JsonCodec.mapper().readTree(e.data()).path("restaurant_id").asText());
                    }
                }
                return seen.size() >= 2;
            });
            // a marker after the repeats: once it is through, every earlier announcement is too
            b.node.get("/restaurants/r-1/orders", Node.token(Role.RESTAURANT, "r-1"));
            await("the marker").atMost(Duration.ofSeconds(20)).until(() -> {
                for (SseClient.Event e : ops.drainNow()) {
                    if (!e.event().equals("figures") && !e.event().equals("comment")) {
                        seen.add(e.event() + " " + JsonCodec.mapper().readTree(e.data()).path("restaurant_id").asText());
                    }
                }
                return seen.contains("restaurant_online r-1");
            });
            assertEquals(List.of("order_stuck r-1", "restaurant_offline r-1", "restaurant_online r-1"), seen);
        }
    }
}
