package org.ordertracking.servlet;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.test.SettableClock;

/**
 * docs/servlet.md's plain Jetty 12 recipe, compiled and run: the code between the tags is the page's
 * ({@link ServletRecipesDocTest} keeps the two identical).
 */
@Timeout(120)
class JettyRecipeIT {

    @Test
    void jettyRecipe_servesStreamsSocketAndSignals_andStopEndsOpenStreamsCleanly() throws Exception {
        SettableClock clock = SettableClock.at(Instant.now());
        OrderRepository repository = OrderRepository.inMemory();
        int port = 0;
        byte[] secret = RecipeChecks.SECRET;
        HttpClient http = RecipeChecks.client();
        try (EventBus bus = EventBus.inMemory(); LocationStore locations = LocationStore.inMemory(clock)) {
            TrackingNode node = TrackingNode.builder(repository, bus, locations, secret)
                    .clock(clock).stalenessConfig(b -> b.interval(Duration.ofMillis(20))).build();

            // tag::jetty-start[]
            Server server = new Server(port);
            ServletContextHandler context = new ServletContextHandler("/");
            JakartaWebSocketServletContainerInitializer.configure(context, null);  // Jetty's WebSocket container,
            context.addServletContainerInitializer((classes, servletContext) ->   // then the initializer that mounts
                    node.mount(servletContext, "/tracking"));
            server.setHandler(context);
            server.start();
            // end::jetty-start[]

            try {
                URI base = URI.create("http://127.0.0.1:" + ((NetworkConnector) server.getConnectors()[0]).getLocalPort()
                        + "/tracking");
                try (SseClient customer = RecipeChecks.exercise(http, base, "jr-1", clock)) {

                    // tag::jetty-stop[]
                    node.close();    // ends every open stream with its last chunk, closes the driver sockets
                    server.stop();
                    // end::jetty-stop[]

                    customer.awaitCleanEnd(Duration.ofSeconds(20));
                }
            } finally {
                node.close();
                server.stop();
            }
        }
    }
}
