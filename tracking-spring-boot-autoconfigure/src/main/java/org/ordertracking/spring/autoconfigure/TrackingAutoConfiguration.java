package org.ordertracking.spring.autoconfigure;

import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.LocationConfig;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.NotificationDispatcher;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.PowerPlan;
import org.ordertracking.core.PowerRiskPolicy;
import org.ordertracking.core.PowerSchedule;
import org.ordertracking.core.PushNotifier;
import org.ordertracking.core.RetentionConfig;
import org.ordertracking.core.RestaurantPresenceMonitor;
import org.ordertracking.core.StalenessClassifier;
import org.ordertracking.core.StalenessMonitor;
import org.ordertracking.core.StuckOrderWatchdog;
import org.ordertracking.core.TrackerListener;
import org.ordertracking.core.TrackingResources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * The tracker and its location pipeline: every bean is {@link ConditionalOnMissingBean}, so an
 * application replaces any of them by declaring its own. Runs after the JDBC and Redis
 * auto-configurations, whose beans win; what is still missing then is in memory (one node, and
 * orders lost at a restart — said at startup).
 *
 * <p>Every component runs on one {@link TrackingResources} bean — one clock, one scheduler pool and one
 * delivery pool for the whole application, sized by {@code tracking.resources.*}. The application's own
 * {@code TrackingResources} bean wins, and is then never closed here. The starter's is closed when the
 * context is destroyed, after every bean built on it (each takes it as a dependency, so Spring destroys
 * them first) and after {@link TrackingLifecycle} has stopped the background work.
 *
 * <p>Every {@link TrackerListener} bean (the ingestor, the dispatcher, the connection registry, and
 * the application's own) is added to the tracker before it starts; {@link TrackingLifecycle} starts
 * and stops the background work with the application context.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = {TrackingJdbcAutoConfiguration.class, TrackingRedisAutoConfiguration.class})
@EnableConfigurationProperties(TrackingProperties.class)
public class TrackingAutoConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(TrackingAutoConfiguration.class);

    /**
     * The clock, scheduler and delivery threads every tracking bean shares; closed (its owned threads
     * stopped) when the context is destroyed, after the beans that use it.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public TrackingResources trackingResources(TrackingProperties properties) {
        TrackingProperties.Resources settings = properties.getResources();
        TrackingResources.Builder builder = TrackingResources.builder();
        if (settings.getSchedulerThreads() != null) {
            builder.schedulerThreads(settings.getSchedulerThreads());
        }
        if (settings.getDeliveryThreads() != null) {
            builder.deliveryThreads(settings.getDeliveryThreads());
        }
        return builder.build();
    }

    /** The in-memory repository, used when there is no DataSource (or no tracking-jdbc). */
    @Bean
    @ConditionalOnMissingBean
    public OrderRepository trackingOrderRepository() {
        LOG.warn("Order tracking keeps orders in memory: they do not survive a restart and are not shared between"
                + " nodes. Add a DataSource (and tracking-jdbc) to keep them in your database.");
        return OrderRepository.inMemory();
    }

    /** The in-memory bus, used when there is no tracking.redis.url nor a Lettuce client bean. */
    @Bean
    @ConditionalOnMissingBean
    public EventBus trackingEventBus(TrackingResources resources) {
        return EventBus.inMemory(resources);
    }

    @Bean
    @ConditionalOnMissingBean
    public LocationStore trackingLocationStore(TrackingResources resources) {
        return LocationStore.inMemory(resources);
    }

    @Bean
    @ConditionalOnMissingBean
    public StalenessClassifier trackingStalenessClassifier(TrackingProperties properties) {
        TrackingProperties.Staleness staleness = properties.getStaleness();
        return StalenessClassifier.of(staleness.getLowCoverageAfter(), staleness.getConnectionLostAfter());
    }

    /** The tracker; closed by {@link TrackingLifecycle} (and again, harmlessly, when the context is destroyed). */
    @Bean
    @ConditionalOnMissingBean
    public OrderTracker orderTracker(OrderRepository repository, EventBus bus, TrackingResources resources,
            TrackingProperties properties, ObjectProvider<PowerSchedule> powerSchedule) {
        TrackingProperties.Tracker tracker = properties.getTracker();
        TrackingProperties.Power power = properties.getPower();
        OrderTracker.Builder builder = OrderTracker.builder()
                .resources(resources)
                .repository(repository)
                .eventBus(bus)
                .acceptanceTimeout(tracker.getAcceptanceTimeout())
                .sweepInterval(tracker.getSweepInterval())
                .relayGrace(tracker.getRelayGrace())
                .retention(retention(properties.getRetention(), repository))
                .powerRiskPolicy(PowerRiskPolicy.of(power.getLead(), power.getExpectedDuration()))
                .powerRiskInterval(power.getRiskInterval());
        powerSchedule.ifAvailable(builder::powerSchedule);
        return builder.build();
    }

    /**
     * The power-cut schedule read from {@code tracking.power.schedule} (a JSON document), in memory; when
     * {@code tracking.power.jdbc} is true the JDBC auto-configuration's schedule is used instead.
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "tracking.power.schedule")
    public PowerSchedule trackingPowerSchedule(TrackingProperties properties, ResourceLoader resources) {
        return PowerSchedule.inMemory(readPowerPlan(properties.getPower().getSchedule(), resources));
    }

    /**
     * Reads a JSON power plan from a Spring resource location.
     *
     * @throws IllegalArgumentException naming the location and the bad field
     * @throws IllegalStateException if the resource cannot be read
     */
    static PowerPlan readPowerPlan(String location, ResourceLoader resources) {
        Resource resource = resources.getResource(location);
        String json;
        try {
            json = resource.getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("could not read tracking.power.schedule=" + location + ": " + e.getMessage(), e);
        }
        try {
            return PowerPlan.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tracking.power.schedule=" + location + ": " + e.getMessage(), e);
        }
    }

    /** {@code tracking.retention.*}; with {@code enabled} unset, the repository decides whether it is on. */
    static RetentionConfig retention(TrackingProperties.Retention retention, OrderRepository repository) {
        boolean enabled = retention.getEnabled() != null ? retention.getEnabled()
                : repository.defaultRetention().enabled();
        if (!enabled) {
            return RetentionConfig.disabled();
        }
        return RetentionConfig.builder()
                .maxAge(retention.getMaxAge())
                .batchSize(retention.getBatchSize())
                .interval(retention.getInterval())
                .build();
    }

    /** Counts push outcomes for the meters; wraps the application's notifier, never replaces it. */
    @Bean
    @ConditionalOnBean(PushNotifier.class)
    PushOutcomes trackingPushOutcomes() {
        return new PushOutcomes();
    }

    /** Sends the five push moments through the application's {@link PushNotifier} bean, when there is one. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(PushNotifier.class)
    public NotificationDispatcher trackingNotificationDispatcher(OrderRepository repository, PushNotifier notifier,
            PushOutcomes outcomes, TrackingResources resources, TrackingProperties properties) {
        TrackingProperties.Notifications settings = properties.getNotifications();
        return NotificationDispatcher.builder(repository, outcomes.wrap(notifier))
                .resources(resources)
                .arrivingWithin(settings.getArrivingWithin())
                .rearmAbove(settings.getRearmAbove())
                .maxAttempts(settings.getMaxAttempts())
                .initialBackoff(settings.getInitialBackoff())
                .maxBackoff(settings.getMaxBackoff())
                .build();
    }

    @Bean
    @ConditionalOnMissingBean
    public LocationIngestor trackingLocationIngestor(LocationStore store, OrderRepository repository, EventBus bus,
            ObjectProvider<NotificationDispatcher> notifications, TrackingResources resources,
            TrackingProperties properties) {
        TrackingProperties.Location location = properties.getLocation();
        LocationIngestor.Builder builder = LocationIngestor.builder(store, repository, bus)
                .resources(resources)
                .config(LocationConfig.builder()
                        .maxFutureSkew(location.getMaxFutureSkew())
                        .maxFixAge(location.getMaxFixAge())
                        .maxSpeedKmh(location.getMaxSpeedKmh())
                        .throttleMeters(location.getThrottleMeters())
                        .driverOrdersTtl(location.getDriverOrdersTtl())
                        .build());
        notifications.ifAvailable(builder::notifications);
        return builder.build();
    }

    /** Started by {@link TrackingLifecycle}, not here, so nothing runs before the context is refreshed. */
    @Bean
    @ConditionalOnMissingBean
    public StalenessMonitor trackingStalenessMonitor(LocationStore store, OrderRepository repository, EventBus bus,
            StalenessClassifier classifier, TrackingResources resources, TrackingProperties properties) {
        return StalenessMonitor.builder(store, repository, bus)
                .resources(resources)
                .classifier(classifier)
                .interval(properties.getStaleness().getInterval())
                .maxDeliveries(properties.getStaleness().getMaxDeliveries())
                .build();
    }

    /** Open streams and sockets by kind; shared by the servlet and the meters. */
    @Bean
    @ConditionalOnMissingBean
    public ConnectionRegistry trackingConnectionRegistry(OrderRepository repository, TrackingResources resources,
            TrackingProperties properties) {
        return ConnectionRegistry.builder()
                .resources(resources)
                .repository(repository)
                .leakGrace(properties.getServlet().getLeakGrace())
                .build();
    }

    /**
     * Restaurants that go dark (tracking.operations.*); started by {@link TrackingLifecycle}. The servlet
     * feeds it the boards' heartbeats.
     */
    @Bean
    @ConditionalOnMissingBean
    public RestaurantPresenceMonitor trackingRestaurantPresenceMonitor(OrderRepository repository, EventBus bus,
            ConnectionRegistry connections, TrackingResources resources, TrackingProperties properties) {
        TrackingProperties.Operations operations = properties.getOperations();
        return RestaurantPresenceMonitor.builder(repository, bus)
                .resources(resources)
                .connections(connections)
                .offlineAfter(operations.getOfflineAfter())
                .interval(operations.getPresenceInterval())
                .heartbeatInterval(operations.getHeartbeatInterval())
                .build();
    }

    /** Orders stuck in one status (tracking.operations.stuck-*); started by {@link TrackingLifecycle}. */
    @Bean
    @ConditionalOnMissingBean
    public StuckOrderWatchdog trackingStuckOrderWatchdog(OrderRepository repository, EventBus bus,
            TrackingResources resources, TrackingProperties properties) {
        TrackingProperties.Operations operations = properties.getOperations();
        return StuckOrderWatchdog.builder(repository, bus)
                .resources(resources)
                .interval(operations.getStuckInterval())
                .limit(OrderStatus.ACCEPTED, operations.getStuckAccepted())
                .limit(OrderStatus.PREPARING, operations.getStuckPreparing())
                .limit(OrderStatus.READY, operations.getStuckReady())
                .limit(OrderStatus.PICKED_UP, operations.getStuckPickedUp())
                .build();
    }

    @Bean
    @ConditionalOnMissingBean
    public TrackingLifecycle trackingLifecycle(OrderTracker tracker, ObjectProvider<TrackerListener> listeners,
            ObjectProvider<StalenessMonitor> monitor, ObjectProvider<NotificationDispatcher> notifications,
            ObjectProvider<RestaurantPresenceMonitor> presence, ObjectProvider<StuckOrderWatchdog> stuck) {
        return new TrackingLifecycle(tracker, listeners, monitor, notifications, presence, stuck);
    }
}
