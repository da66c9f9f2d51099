package org.ordertracking.spring.autoconfigure;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.Locale;
import javax.sql.DataSource;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.PowerPlan;
import org.ordertracking.core.PowerSchedule;
import org.ordertracking.jdbc.JdbcConfig;
import org.ordertracking.jdbc.JdbcOrderRepository;
import org.ordertracking.jdbc.JdbcPowerSchedule;
import org.ordertracking.jdbc.JdbcSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ResourceLoader;

/**
 * Orders in the application's {@link DataSource} ({@code tracking-jdbc}): a
 * {@link JdbcOrderRepository} when there is exactly one DataSource (or a primary one), with the
 * tables created at startup only as {@code tracking.jdbc.initialize-schema} says. The DataSource is
 * the application's and is never closed here.
 *
 * @since 0.1.0
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass({JdbcOrderRepository.class, DataSource.class})
@ConditionalOnSingleCandidate(DataSource.class)
@EnableConfigurationProperties(TrackingProperties.class)
public class TrackingJdbcAutoConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(TrackingJdbcAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    public OrderRepository trackingJdbcOrderRepository(DataSource dataSource, TrackingProperties properties) {
        TrackingProperties.Jdbc jdbc = properties.getJdbc();
        JdbcConfig config = JdbcConfig.builder().tablePrefix(jdbc.getTablePrefix()).build();
        if (shouldInitialize(jdbc.getInitializeSchema(), dataSource)) {
            int applied = JdbcSchema.migrate(dataSource, config);
            LOG.info("Order tracking schema (prefix {}) is current; {} migration(s) applied", config.tablePrefix(),
                    applied);
        }
        return JdbcOrderRepository.builder(dataSource).config(config).build();
    }

    /**
     * The power-cut schedule in the database when {@code tracking.power.jdbc} is true, so every node
     * sees the same one; {@code tracking.power.schedule}, when set, is written into it at startup.
     * Depends on the repository bean, so the schema is migrated first.
     */
    @Bean
    @ConditionalOnMissingBean(PowerSchedule.class)
    @ConditionalOnProperty(name = "tracking.power.jdbc", havingValue = "true")
    public JdbcPowerSchedule trackingJdbcPowerSchedule(DataSource dataSource, OrderRepository repository,
            TrackingProperties properties, ResourceLoader resources) {
        String prefix = repository instanceof JdbcOrderRepository jdbc ? jdbc.config().tablePrefix()
                : properties.getJdbc().getTablePrefix();
        TrackingProperties.Power power = properties.getPower();
        JdbcPowerSchedule schedule = JdbcPowerSchedule.builder(dataSource)
                .config(JdbcConfig.builder().tablePrefix(prefix).build())
                .refreshInterval(power.getRefreshInterval())
                .build();
        if (power.getSchedule() != null) {
            PowerPlan plan = TrackingAutoConfiguration.readPowerPlan(power.getSchedule(), resources);
            schedule.replace(plan);
            LOG.info("Power schedule {} written to the database: {}", power.getSchedule(), plan);
        }
        return schedule;
    }

    /** Counts the outbox backlog for the meters and the health indicator. */
    @Bean
    @ConditionalOnMissingBean
    OutboxProbe trackingOutboxProbe(DataSource dataSource, OrderRepository repository,
            TrackingProperties properties) {
        String prefix = repository instanceof JdbcOrderRepository jdbc ? jdbc.config().tablePrefix()
                : properties.getJdbc().getTablePrefix();
        return new OutboxProbe(dataSource, prefix, InstantSource.system());
    }

    private static boolean shouldInitialize(TrackingProperties.SchemaInitialization mode, DataSource dataSource) {
        return switch (mode) {
            case ALWAYS -> true;
            case NEVER -> false;
            case EMBEDDED -> isEmbedded(dataSource);
        };
    }

    private static boolean isEmbedded(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            return product.contains("h2") || product.contains("hsql") || product.contains("derby");
        } catch (SQLException e) {
            throw new IllegalStateException("could not reach the DataSource to decide on tracking.jdbc.initialize-schema"
                    + "=embedded; set it to always or never", e);
        }
    }
}
