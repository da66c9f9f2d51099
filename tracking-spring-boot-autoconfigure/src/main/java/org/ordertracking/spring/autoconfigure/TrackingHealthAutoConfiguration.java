package org.ordertracking.spring.autoconfigure;

import org.ordertracking.core.OrderRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code tracking} Actuator health indicator: the bus's server answers, the repository answers,
 * and the outbox backlog is under {@code tracking.health.outbox-backlog-threshold}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = {TrackingAutoConfiguration.class, TrackingJdbcAutoConfiguration.class,
        TrackingRedisAutoConfiguration.class})
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(OrderRepository.class)
@EnableConfigurationProperties(TrackingProperties.class)
public class TrackingHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "trackingHealthIndicator")
    public TrackingHealthIndicator trackingHealthIndicator(OrderRepository repository,
            ObjectProvider<BusProbe> bus, ObjectProvider<OutboxProbe> outbox, TrackingProperties properties) {
        return new TrackingHealthIndicator(repository, bus.getIfAvailable(), outbox.getIfAvailable(),
                properties.getHealth().getOutboxBacklogThreshold());
    }
}
