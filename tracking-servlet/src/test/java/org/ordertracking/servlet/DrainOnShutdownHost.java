package org.ordertracking.servlet;

import java.time.Duration;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderTracker;

/**
 * A host that does nothing about shutdown — no hook of its own, no {@code close}, no container stop — run
 * by {@link ShutdownDrainIT} as a separate JVM: {@code DrainOnShutdownHost <JETTY|TOMCAT> <drainOnShutdown>}.
 * It serves a {@link TrackingServlet} with a 2 s drain window, registers order {@code sh-1}, prints
 * {@code PORT <port>} and waits to be stopped.
 */
public final class DrainOnShutdownHost {
    private DrainOnShutdownHost() {
    }

    public static void main(String[] args) throws Exception {
        Container container = Container.valueOf(args[0]);
        boolean drainOnShutdown = Boolean.parseBoolean(args[1]);
        OrderTracker tracker = OrderTracker.builder().build().start();
        tracker.register(new NewOrder("sh-1", "r-1", "c-1", new GeoPoint(33.89, 35.50)));
        TrackingServlet servlet = new TrackingServlet(TrackingServletConfig.builder(tracker, JwtAuthorizer.of(Node.SECRET))
                .drainWindow(Duration.ofSeconds(2)).drainOnShutdown(drainOnShutdown).build());
        Container.Running running = container.start(servlet);
        System.out.println("PORT " + running.port());
        System.out.flush();
        Thread.currentThread().join(); // until the JVM is told to stop
    }
}
