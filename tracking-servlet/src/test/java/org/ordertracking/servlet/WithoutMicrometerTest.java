package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.OrderTracker;
import org.slf4j.LoggerFactory;

/** Micrometer is optional: the servlet is built, serves its metrics and closes with no Micrometer class in reach. */
class WithoutMicrometerTest {

    /** Runs inside a class loader that cannot see Micrometer. */
    public static final class Scenario implements Callable<String> {
        @Override
        public String call() throws Exception {
            try {
                Class.forName("io.micrometer.core.instrument.MeterRegistry");
                return "Micrometer is visible";
            } catch (ClassNotFoundException expected) {
                // the point of the scenario
            }
            byte[] secret = "0123456789abcdef0123456789abcdef-test-secret".getBytes(StandardCharsets.UTF_8);
            try (OrderTracker tracker = OrderTracker.builder().build();
                    TrackingServlet servlet = new TrackingServlet(
                            TrackingServletConfig.builder(tracker, JwtAuthorizer.of(secret)).build())) {
                return "connections_total=" + servlet.metrics().connectionsTotal();
            }
        }
    }

    private static URL where(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation();
    }

    @Test
    void servlet_withoutMicrometerOnTheClasspath_buildsAndReadsItsMetrics() throws Exception {
        URL[] path = {where(OrderTracker.class), where(TrackingServlet.class), where(Scenario.class),
                where(ObjectMapper.class), where(JsonGenerator.class), where(JsonProperty.class),
                where(LoggerFactory.class), where(HttpServlet.class), where(ServerEndpointConfig.class),
                where(Session.class)};
        try (URLClassLoader isolated = new URLClassLoader(path, ClassLoader.getPlatformClassLoader())) {
            @SuppressWarnings("unchecked")
            Callable<String> scenario = (Callable<String>) isolated.loadClass(Scenario.class.getName())
                    .getDeclaredConstructor().newInstance();
            assertEquals("connections_total=0", scenario.call());
        }
    }
}
