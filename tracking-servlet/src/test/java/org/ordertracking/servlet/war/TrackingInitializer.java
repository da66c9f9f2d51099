package org.ordertracking.servlet.war;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Set;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.servlet.TrackingNode;

/**
 * docs/servlet.md's WAR recipe: the initializer a host application ships in its WAR. {@code WarRecipeIT} deploys
 * it in an exploded WAR on embedded Tomcat; {@code ServletRecipesDocTest} keeps the page's copy identical.
 */
// tag::war-initializer[]
public final class TrackingInitializer implements ServletContainerInitializer {
    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) throws ServletException {
        byte[] secret = context.getInitParameter("tracking.jwt-secret").getBytes(StandardCharsets.UTF_8);
        OrderRepository repository = OrderRepository.inMemory();           // or JdbcOrderRepository
        EventBus bus = EventBus.inMemory();                                 // or RedisEventBus
        LocationStore locations = LocationStore.inMemory(InstantSource.system()); // or RedisLocationStore
        TrackingNode node = TrackingNode.builder(repository, bus, locations, secret).build();
        node.mount(context, "/tracking");    // the container's WebSocket initializer has run before this one
        context.addListener(new ServletContextListener() {
            @Override
            public void contextDestroyed(ServletContextEvent event) {
                node.close();                // done already when the container destroyed the servlet; harmless
                locations.close();           // what the node was handed in is the host's to close
                bus.close();
            }
        });
    }
}
// end::war-initializer[]
