package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;

@Timeout(60)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class MicrometerIT {
    @Parameter
    Container container;


    @Test
    void meters_openStreamAndSentEvents_areCountedAndRemovedOnClose() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (OrderTracker tracker = OrderTracker.builder().build()) {
            Node node = Node.start(container, tracker, b -> b.meterRegistry(meters));
            try {
                tracker.register(new NewOrder("mm-1", "r-1", "c-1", new GeoPoint(33.9, 35.5)));
                try (SseClient sse = node.stream("/orders/mm-1/stream", Node.token(Role.CUSTOMER, "mm-1"))) {
                    sse.nextOfType("snapshot");
                    assertEquals(1.0, meters.get("tracking.connections.open").tag("kind", "customer_stream").gauge().value());
                    tracker.transition("mm-1", OrderStatus.ACCEPTED);
                    sse.nextOfType("status");
                    assertEquals(2.0, meters.get("tracking.events.sent").tag("type", "status").functionCounter().count());
                }
            } finally {
                node.close();
            }
            assertNull(meters.find("tracking.connections.open").gauge(), "meters are removed on close");
        }
    }

    @Test
    void config_meterRegistryOfAnotherType_isRejectedNamingIt() {
        try (OrderTracker tracker = OrderTracker.builder().build()) {
            TrackingServletConfig.Builder b = TrackingServletConfig.builder(tracker, JwtAuthorizer.of(Node.SECRET));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.meterRegistry("registry"));
            assertEquals("meterRegistry must be an io.micrometer.core.instrument.MeterRegistry (with Micrometer on the "
                    + "classpath), but was java.lang.String", e.getMessage());
        }
    }
}
