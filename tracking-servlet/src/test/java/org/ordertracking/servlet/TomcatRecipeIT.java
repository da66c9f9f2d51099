package org.ordertracking.servlet;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.test.SettableClock;

/**
 * docs/servlet.md's plain embedded Tomcat 11 recipe, compiled and run: the code between the tags is the
 * page's ({@link ServletRecipesDocTest} keeps the two identical).
 */
@Timeout(120)
class TomcatRecipeIT {

    @Test
    void tomcatRecipe_servesStreamsSocketAndSignals_andStopEndsOpenStreamsCleanly() throws Exception {
        SettableClock clock = SettableClock.at(Instant.now());
        OrderRepository repository = OrderRepository.inMemory();
        int port = 0;
        byte[] secret = RecipeChecks.SECRET;
        Path baseDir = Files.createTempDirectory("tomcat-recipe");
        HttpClient http = RecipeChecks.client();
        try (EventBus bus = EventBus.inMemory(); LocationStore locations = LocationStore.inMemory(clock)) {
            TrackingNode node = TrackingNode.builder(repository, bus, locations, secret)
                    .clock(clock).stalenessConfig(b -> b.interval(Duration.ofMillis(20))).build();

            // tag::tomcat-start[]
            Tomcat tomcat = new Tomcat();
            tomcat.setBaseDir(baseDir.toString());   // Tomcat's work directory
            tomcat.setPort(port);
            Context context = tomcat.addContext("", null);
            context.addServletContainerInitializer(new WsSci(), null);           // Tomcat's WebSocket container,
            context.addServletContainerInitializer((classes, servletContext) ->  // then the initializer that mounts
                    node.mount(servletContext, "/tracking"), null);
            tomcat.getConnector();                   // creates the HTTP connector on the port
            tomcat.start();
            // end::tomcat-start[]

            try {
                if (context.getState() != LifecycleState.STARTED) {
                    throw new AssertionError("the context did not start: " + context.getState());
                }
                URI base = URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/tracking");
                try (SseClient customer = RecipeChecks.exercise(http, base, "tr-1", clock)) {

                    // tag::tomcat-stop[]
                    node.close();    // ends every open stream first: Tomcat would wait unloadDelay (2 s) for them
                    tomcat.stop();
                    tomcat.destroy();
                    // end::tomcat-stop[]

                    customer.awaitCleanEnd(Duration.ofSeconds(20));
                }
            } finally {
                node.close();
                if (tomcat.getServer().getState().isAvailable()) {
                    tomcat.stop();
                }
                tomcat.destroy();
                Container.deleteRecursively(baseDir);
            }
        }
    }
}
