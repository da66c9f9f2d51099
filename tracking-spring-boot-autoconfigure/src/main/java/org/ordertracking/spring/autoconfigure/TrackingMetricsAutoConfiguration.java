package org.ordertracking.spring.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.StalenessClassifier;
import org.ordertracking.servlet.TrackingMeterBinder;
import org.ordertracking.servlet.TrackingServlet;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tracking meters on the application's Micrometer {@link MeterRegistry} (Actuator's, typically):
 * {@link TrackerMeterBinder} for the outbox, the signal bands, pushes and order events, and the
 * servlet's own {@link TrackingMeterBinder} for connections, streams and fixes. Spring Boot binds
 * every {@code MeterBinder} bean to the registry.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = {TrackingAutoConfiguration.class, TrackingServletAutoConfiguration.class},
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass({MeterRegistry.class, MeterBinder.class})
@ConditionalOnBean({MeterRegistry.class, OrderTracker.class})
public class TrackingMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public TrackerMeterBinder trackingMeterBinder(OrderTracker tracker, OrderRepository repository,
            LocationStore store, StalenessClassifier classifier, ObjectProvider<OutboxProbe> outbox,
            ObjectProvider<PushOutcomes> pushes) {
        return new TrackerMeterBinder(tracker, repository, store, classifier, outbox.getIfAvailable(),
                pushes.getIfAvailable());
    }

    /**
     * The servlet's meters ({@code tracking.connections.open{kind}}, {@code tracking.events.sent{type}},
     * leaks, slow disconnects, fixes, rate limiting) on the same registry.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(TrackingServlet.class)
    @ConditionalOnBean(TrackingServlet.class)
    static class ServletMeters {
        @Bean
        @ConditionalOnMissingBean
        TrackingMeterBinder trackingServletMeterBinder(TrackingServlet servlet) {
            return new TrackingMeterBinder(servlet);
        }
    }
}
