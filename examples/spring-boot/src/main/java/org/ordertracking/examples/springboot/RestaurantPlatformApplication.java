package org.ordertracking.examples.springboot;

import org.ordertracking.core.PushNotifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A minimal restaurant platform on Spring Boot: it takes orders through its own controller
 * ({@link OrderController}) and lets customers follow them on {@code /track.html}. Everything else —
 * the tracker, the {@code /tracking/**} endpoints, the driver socket, meters and health — comes from
 * {@code tracking-spring-boot-starter} and the properties in {@code application.properties}.
 *
 * <p>Start it with {@code scripts/spring-demo} (which needs {@code TRACKING_JWT_SECRET}).
 */
@SpringBootApplication
public class RestaurantPlatformApplication {
    private static final Logger LOG = LoggerFactory.getLogger(RestaurantPlatformApplication.class);

    public static void main(String[] args) {
        SpringApplication.run(RestaurantPlatformApplication.class, args);
    }

    /**
     * The platform's push channel. A real one calls FCM or APNs; this one logs. Its presence is what
     * turns on the library's notification dispatcher (accepted, picked up, arriving, delivered, failed).
     */
    @Bean
    PushNotifier loggingPushNotifier() {
        return (order, moment, eta) -> LOG.info("push to customer {} about order {}: {}{}", order.customerId(),
                order.orderId(), moment.wireName(), eta == null ? "" : " (about " + eta.toMinutes() + " min)");
    }
}
