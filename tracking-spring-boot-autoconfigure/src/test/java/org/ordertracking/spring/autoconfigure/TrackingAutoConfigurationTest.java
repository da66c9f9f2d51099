package org.ordertracking.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.NotificationDispatcher;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.PowerRiskPolicy;
import org.ordertracking.core.PowerSchedule;
import org.ordertracking.core.PushNotifier;
import org.ordertracking.core.RetentionConfig;
import org.ordertracking.core.RestaurantPresenceMonitor;
import org.ordertracking.core.StuckOrderWatchdog;
import org.ordertracking.core.StalenessClassifier;
import org.ordertracking.core.StalenessMonitor;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.TrackerListener;
import org.ordertracking.servlet.Authorizer;
import org.ordertracking.servlet.JwtIssuer;
import org.ordertracking.servlet.TrackingServlet;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The auto-configuration's conditions, without external services (see {@code TrackingInfrastructureIT} for those). */
@ExtendWith(OutputCaptureExtension.class)
class TrackingAutoConfigurationTest {
    static final String SECRET = "test-only-secret-of-at-least-32-bytes-0123456789";

    private static final AutoConfigurations ALL = AutoConfigurations.of(TrackingJdbcAutoConfiguration.class,
            TrackingRedisAutoConfiguration.class, TrackingAutoConfiguration.class,
            TrackingServletAutoConfiguration.class, TrackingMetricsAutoConfiguration.class,
            TrackingHealthAutoConfiguration.class);

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(ALL);

    private final WebApplicationContextRunner web = new WebApplicationContextRunner().withConfiguration(ALL)
            .withPropertyValues("tracking.jwt.secret=" + SECRET);

    @Test
    void noDataSource_keepsOrdersInMemory_andWarnsThatTheyDoNotSurviveARestart(CapturedOutput output) {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(OrderRepository.class);
            assertThat(context.getBean(OrderRepository.class).getClass().getSimpleName())
                    .isEqualTo("InMemoryOrderRepository");
            assertThat(output).contains("orders in memory: they do not survive a restart");
        });
    }

    @Test
    void noRedis_usesTheInMemoryBusAndStore_andNoRedisClient() {
        runner.run(context -> {
            assertThat(context.getBean(EventBus.class).getClass().getSimpleName()).isEqualTo("InMemoryEventBus");
            assertThat(context.getBean(LocationStore.class).getClass().getSimpleName())
                    .isEqualTo("InMemoryLocationStore");
            assertThat(context).doesNotHaveBean(TrackingRedisAutoConfiguration.RedisClients.class)
                    .doesNotHaveBean(BusProbe.class);
        });
    }

    @Test
    void everyCoreBeanIsThere_andTheLifecycleStartsTheTracker() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(OrderTracker.class).hasSingleBean(LocationIngestor.class)
                    .hasSingleBean(StalenessMonitor.class).hasSingleBean(ConnectionRegistry.class)
                    .hasSingleBean(StalenessClassifier.class).hasSingleBean(TrackingLifecycle.class)
                    .doesNotHaveBean(NotificationDispatcher.class);
            assertThat(context.getBean(TrackingLifecycle.class).isRunning()).isTrue();
            OrderTracker tracker = context.getBean(OrderTracker.class);
            tracker.register(new NewOrder("o-1", "r-1", "c-1", new GeoPoint(33.89, 35.50)));
            assertThat(tracker.transition("o-1", OrderStatus.ACCEPTED).seq()).isEqualTo(2);
        });
    }

    @Test
    void contextClose_closesTheTracker_soNoOrderIsTakenAfterShutdown() {
        OrderTracker[] tracker = new OrderTracker[1];
        runner.run(context -> tracker[0] = context.getBean(OrderTracker.class));
        assertThatThrownBy(() -> tracker[0].register(new NewOrder("o-2", "r-1", "c-1", new GeoPoint(33.89, 35.50))))
                .isInstanceOf(org.ordertracking.core.TrackerClosedException.class);
    }

    @Test
    void trackerListenerBeans_areAddedToTheTracker() {
        runner.withUserConfiguration(ListenerConfig.class).run(context -> {
            context.getBean(OrderTracker.class)
                    .register(new NewOrder("o-3", "r-1", "c-1", new GeoPoint(33.89, 35.50)));
            assertThat(context.getBean(ListenerConfig.class).seen).containsExactly("o-3 1");
        });
    }

    @Test
    void userSuppliedBeans_winOverEveryDefault() {
        runner.withUserConfiguration(UserBeans.class).run(context -> {
            UserBeans user = context.getBean(UserBeans.class);
            assertThat(context.getBean(OrderRepository.class)).isSameAs(user.repository);
            assertThat(context.getBean(EventBus.class)).isSameAs(user.bus);
            assertThat(context.getBean(LocationStore.class)).isSameAs(user.store);
            assertThat(context.getBean(StalenessClassifier.class)).isSameAs(user.classifier);
            assertThat(context.getBean(OrderTracker.class).eventBus()).isSameAs(user.bus);
        });
    }

    @Test
    void pushNotifierBean_getsANotificationDispatcher() {
        runner.withBean(PushNotifier.class, () -> (order, moment, eta) -> { })
                .run(context -> assertThat(context).hasSingleBean(NotificationDispatcher.class)
                        .hasSingleBean(PushOutcomes.class));
    }

    @Test
    void servlet_isRegisteredAtTheDefaultPath_asyncWithTheDriverSocket() {
        web.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(TrackingServlet.class)
                    .hasSingleBean(JwtIssuer.class).hasSingleBean(Authorizer.class)
                    .hasBean("trackingDriverSocketInitializer");
            ServletRegistrationBean<?> registration =
                    context.getBean("trackingServletRegistration", ServletRegistrationBean.class);
            assertThat(registration.getUrlMappings()).containsExactly("/tracking/*");
            assertThat(registration.isAsyncSupported()).isTrue();
            assertThat(context.getBean(TrackingServlet.class).config().connectionRegistry())
                    .isSameAs(context.getBean(ConnectionRegistry.class));
        });
    }

    @Test
    void servletPath_andSocketSwitch_comeFromProperties() {
        web.withPropertyValues("tracking.servlet.path=/api/track", "tracking.servlet.driver-socket=false")
                .run(context -> {
                    ServletRegistrationBean<?> registration =
                            context.getBean("trackingServletRegistration", ServletRegistrationBean.class);
                    assertThat(registration.getUrlMappings()).containsExactly("/api/track/*");
                    assertThat(context).doesNotHaveBean("trackingDriverSocketInitializer");
                });
    }

    @Test
    void notAWebApplication_getsNoServlet_andNeedsNoSecret() {
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TrackingServlet.class)
                .doesNotHaveBean(Authorizer.class));
    }

    @Test
    void servletDisabled_needsNoSecret() {
        new WebApplicationContextRunner().withConfiguration(ALL).withPropertyValues("tracking.servlet.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TrackingServlet.class));
    }

    @Test
    void missingSecret_failsStartup_withTheAnalyzersMessageSayingWhatToSet() {
        new WebApplicationContextRunner().withConfiguration(ALL).run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new TrackingSecretFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains("tracking.jwt.secret is not set");
            assertThat(analysis.getAction()).contains("Set tracking.jwt.secret", "at least 32 bytes",
                    "TRACKING_JWT_SECRET", "tracking.servlet.enabled=false");
        });
    }

    @Test
    void shortSecret_failsStartup_namingItsLengthButNeverItsValue() {
        new WebApplicationContextRunner().withConfiguration(ALL).withPropertyValues("tracking.jwt.secret=too-short")
                .run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis =
                            new TrackingSecretFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis).isNotNull();
                    assertThat(analysis.getDescription()).contains("9 bytes long; at least 32")
                            .doesNotContain("too-short");
                });
    }

    @Test
    void analyzer_isRegisteredInSpringFactories() throws Exception {
        java.util.Properties factories = new java.util.Properties();
        try (var in = TrackingSecretFailureAnalyzer.class.getResourceAsStream("/META-INF/spring.factories")) {
            factories.load(in);
        }
        assertThat(factories.getProperty("org.springframework.boot.diagnostics.FailureAnalyzer"))
                .isEqualTo(TrackingSecretFailureAnalyzer.class.getName());
    }

    @Test
    void springApplication_withoutSecret_printsTheAnalysis(CapturedOutput output) {
        var application = new org.springframework.boot.SpringApplication(AnalyzerApp.class);
        application.setWebApplicationType(org.springframework.boot.WebApplicationType.NONE);
        assertThatThrownBy(() -> application.run("--spring.main.banner-mode=off"))
                .hasRootCauseInstanceOf(TrackingSecretException.class);
        assertThat(output).contains("APPLICATION FAILED TO START", "The property tracking.jwt.secret is not set.",
                "Set tracking.jwt.secret to a random value of at least 32 bytes");
    }

    /** Asks for the issuer as an application's own bean would, outside a web application. */
    @Configuration(proxyBeanMethods = false)
    @org.springframework.boot.context.properties.EnableConfigurationProperties(TrackingProperties.class)
    static class AnalyzerApp {
        @Bean
        JwtIssuer issuer(TrackingProperties properties) {
            return JwtIssuer.of(TrackingSecretException.requireSecret(properties.getJwt()));
        }
    }

    @Test
    void properties_bindDurationsAndNumbers_intoTheBeans() {
        web.withPropertyValues("tracking.tracker.acceptance-timeout=90s", "tracking.servlet.keep-alive=5s",
                        "tracking.servlet.max-batch-size=42", "tracking.staleness.low-coverage-after=20s",
                        "tracking.staleness.connection-lost-after=3m", "tracking.jwt.tracking-token-ttl=2h",
                        "tracking.servlet.max-streams-per-subject=5", "tracking.servlet.max-streams-per-address=50",
                        "tracking.servlet.stream-open-rate=7", "tracking.servlet.stream-open-window=2s")
                .run(context -> {
                    assertThat(context.getBean(OrderTracker.class).acceptanceTimeout())
                            .isEqualTo(Duration.ofSeconds(90));
                    TrackingServlet servlet = context.getBean(TrackingServlet.class);
                    assertThat(servlet.config().keepAlive()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(servlet.config().maxBatchSize()).isEqualTo(42);
                    assertThat(servlet.config().trackingTokenTtl()).isEqualTo(Duration.ofHours(2));
                    assertThat(servlet.config().maxStreamsPerSubject()).isEqualTo(5);
                    assertThat(servlet.config().maxStreamsPerAddress()).isEqualTo(50);
                    assertThat(servlet.config().streamOpenRate()).isEqualTo(7);
                    assertThat(servlet.config().streamOpenWindow()).isEqualTo(Duration.ofSeconds(2));
                    StalenessClassifier bands = context.getBean(StalenessClassifier.class);
                    assertThat(bands.lowCoverageAfter()).isEqualTo(Duration.ofSeconds(20));
                    assertThat(bands.connectionLostAfter()).isEqualTo(Duration.ofMinutes(3));
                });
    }

    @Test
    void badValues_failStartup_withTheProperty_andTheValue() {
        runner.withPropertyValues("tracking.tracker.sweep-interval=-5s", "tracking.servlet.path=tracking/")
                .run(context -> {
                    assertThat(context).hasFailed();
                    BindValidationException bind = findCause(context.getStartupFailure(), BindValidationException.class);
                    assertThat(bind).isNotNull();
                    assertThat(bind.getMessage()).contains("tracker.sweepInterval", "must be positive, but was PT-5S",
                            "servlet.path", "but was 'tracking/'");
                });
    }

    @Test
    void retention_unset_followsTheRepository_onForTheInMemoryOne() {
        runner.run(context -> assertThat(context.getBean(OrderTracker.class).retention())
                .isEqualTo(RetentionConfig.defaults()));
    }

    @Test
    void retention_properties_areBoundIntoTheTrackersPolicy() {
        runner.withPropertyValues("tracking.retention.max-age=7d", "tracking.retention.batch-size=50",
                "tracking.retention.interval=5m").run(context -> assertThat(context.getBean(OrderTracker.class)
                        .retention()).isEqualTo(RetentionConfig.builder().maxAge(Duration.ofDays(7)).batchSize(50)
                                .interval(Duration.ofMinutes(5)).build()));
        runner.withPropertyValues("tracking.retention.enabled=false").run(context ->
                assertThat(context.getBean(OrderTracker.class).retention()).isEqualTo(RetentionConfig.disabled()));
    }

    @Test
    void retention_onARepositoryThatKeepsEverythingByDefault_isOffUnlessEnabled() {
        OrderRepository keeping = new org.ordertracking.test.ForwardingOrderRepository(OrderRepository.inMemory()) {
            @Override
            public RetentionConfig defaultRetention() {
                return RetentionConfig.disabled();
            }
        };
        runner.withBean(OrderRepository.class, () -> keeping).run(context ->
                assertThat(context.getBean(OrderTracker.class).retention().enabled()).isFalse());
        runner.withBean(OrderRepository.class, () -> keeping).withPropertyValues("tracking.retention.enabled=true")
                .run(context -> assertThat(context.getBean(OrderTracker.class).retention())
                        .isEqualTo(RetentionConfig.defaults()));
    }

    @Test
    void retention_badValues_failStartup_withTheProperty_andTheValue() {
        runner.withPropertyValues("tracking.retention.max-age=0s", "tracking.retention.batch-size=0",
                "tracking.retention.interval=-1m").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(findCause(context.getStartupFailure(), BindValidationException.class).getMessage())
                            .contains("retention.maxAge", "must be positive, but was PT0S", "retention.batchSize",
                                    "must be positive, but was 0", "retention.interval", "but was PT-1M");
                });
    }

    @Test
    void operationsWatch_beansFromProperties_startedAndWiredIntoTheServlet() {
        web.withPropertyValues("tracking.operations.offline-after=5m", "tracking.operations.stuck-ready=20m",
                "tracking.operations.refresh=2s").run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(RestaurantPresenceMonitor.class)
                            .hasSingleBean(StuckOrderWatchdog.class);
                    RestaurantPresenceMonitor presence = context.getBean(RestaurantPresenceMonitor.class);
                    StuckOrderWatchdog stuck = context.getBean(StuckOrderWatchdog.class);
                    assertThat(presence.offlineAfter()).isEqualTo(Duration.ofMinutes(5));
                    assertThat(stuck.limits().get(OrderStatus.READY)).isEqualTo(Duration.ofMinutes(20));
                    assertThat(stuck.limits().get(OrderStatus.ACCEPTED)).isEqualTo(Duration.ofMinutes(10));
                    TrackingServlet servlet = context.getBean(TrackingServlet.class);
                    assertThat(servlet.config().restaurantPresence()).isSameAs(presence);
                    assertThat(servlet.config().stuckOrders()).isSameAs(stuck);
                    assertThat(servlet.config().stalenessMonitor()).isSameAs(context.getBean(StalenessMonitor.class));
                    assertThat(servlet.config().operationsRefresh()).isEqualTo(Duration.ofSeconds(2));
                });
    }

    @Test
    void operationsWatch_heartbeatNotShorterThanOfflineAfter_isRejected() {
        runner.withPropertyValues("tracking.operations.offline-after=30s", "tracking.operations.heartbeat-interval=30s",
                "tracking.operations.stuck-accepted=0s").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(findCause(context.getStartupFailure(), BindValidationException.class).getMessage())
                            .contains("must be shorter than tracking.operations.offline-after (PT30S), but was PT30S",
                                    "operations.stuckAccepted", "must be positive, but was PT0S");
                });
    }

    @Test
    void staleBands_outOfOrder_areRejected() {
        runner.withPropertyValues("tracking.staleness.low-coverage-after=2m",
                "tracking.staleness.connection-lost-after=1m").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(findCause(context.getStartupFailure(), BindValidationException.class).getMessage())
                            .contains("must be longer than tracking.staleness.low-coverage-after (PT2M), but was PT1M");
                });
    }

    @Test
    void noPowerSchedule_meansNoRisk_andNoGauge() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            assertThat(context).doesNotHaveBean(PowerSchedule.class);
            assertThat(context.getBean(OrderTracker.class).powerSchedule()).isEmpty();
            context.getBean(TrackerMeterBinder.class).bindTo(context.getBean(MeterRegistry.class));
            assertThat(context.getBean(MeterRegistry.class).find("tracking.orders.at_risk").gauge()).isNull();
        });
    }

    @Test
    void powerScheduleProperty_givesTheTrackerTheScheduleAndPolicy_andTheGauge() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("tracking.power.schedule=classpath:power-test.json", "tracking.power.lead=5m",
                        "tracking.power.expected-duration=30m")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(PowerSchedule.class);
                    OrderTracker tracker = context.getBean(OrderTracker.class);
                    assertThat(tracker.powerSchedule()).containsSame(context.getBean(PowerSchedule.class));
                    assertThat(tracker.powerRiskPolicy())
                            .isEqualTo(PowerRiskPolicy.of(Duration.ofMinutes(5), Duration.ofMinutes(30)));
                    assertThat(context.getBean(PowerSchedule.class).plan().areaOf("r-1")).contains("hamra");
                    context.getBean(TrackerMeterBinder.class).bindTo(context.getBean(MeterRegistry.class));
                    assertThat(context.getBean(MeterRegistry.class).get("tracking.orders.at_risk").gauge().value())
                            .isEqualTo(0.0);
                });
    }

    @Test
    void badPowerSchedule_stopsStartup_namingTheFileAndTheField() {
        runner.withPropertyValues("tracking.power.schedule=classpath:power-bad.json").run(context -> {
            assertThat(context).hasFailed();
            assertThat(findCause(context.getStartupFailure(), IllegalArgumentException.class).getMessage())
                    .contains("tracking.power.schedule=classpath:power-bad.json",
                            "areas[0].daily[0].end must be a local time HH:MM or HH:MM:SS, but was '26:00'");
        });
    }

    @Test
    void negativePowerLead_isRejected() {
        runner.withPropertyValues("tracking.power.lead=-1m").run(context -> {
            assertThat(context).hasFailed();
            assertThat(findCause(context.getStartupFailure(), BindValidationException.class).getMessage())
                    .contains("power.lead", "must be zero or positive, but was PT-1M");
        });
    }

    @Test
    void defaults_areTheLibrarysOwnDefaults() {
        TrackingProperties defaults = new TrackingProperties();
        assertThat(defaults.getPower().getLead()).isEqualTo(PowerRiskPolicy.DEFAULT_LEAD);
        assertThat(defaults.getPower().getExpectedDuration()).isEqualTo(PowerRiskPolicy.DEFAULT_EXPECTED_DURATION);
        assertThat(defaults.getPower().getRiskInterval()).isEqualTo(OrderTracker.DEFAULT_POWER_RISK_INTERVAL);
        assertThat(defaults.getPower().getRefreshInterval())
                .isEqualTo(org.ordertracking.jdbc.JdbcPowerSchedule.DEFAULT_REFRESH_INTERVAL);
        assertThat(defaults.getTracker().getAcceptanceTimeout()).isEqualTo(OrderTracker.DEFAULT_ACCEPTANCE_TIMEOUT);
        assertThat(defaults.getTracker().getSweepInterval()).isEqualTo(OrderTracker.DEFAULT_SWEEP_INTERVAL);
        assertThat(defaults.getTracker().getRelayGrace()).isEqualTo(OrderTracker.DEFAULT_RELAY_GRACE);
        assertThat(defaults.getRetention().getEnabled()).isNull();
        assertThat(defaults.getRetention().getMaxAge()).isEqualTo(RetentionConfig.DEFAULT_MAX_AGE);
        assertThat(defaults.getRetention().getBatchSize()).isEqualTo(RetentionConfig.DEFAULT_BATCH_SIZE);
        assertThat(defaults.getRetention().getInterval()).isEqualTo(RetentionConfig.DEFAULT_INTERVAL);
        var servlet = org.ordertracking.servlet.TrackingServletConfig.class;
        assertThat(defaults.getServlet().getKeepAlive())
                .isEqualTo(org.ordertracking.servlet.TrackingServletConfig.DEFAULT_KEEP_ALIVE);
        assertThat(defaults.getServlet().getRetry())
                .isEqualTo(org.ordertracking.servlet.TrackingServletConfig.DEFAULT_RETRY);
        assertThat(defaults.getServlet().getRetryJitter())
                .isEqualTo(org.ordertracking.servlet.TrackingServletConfig.DEFAULT_RETRY_JITTER);
        assertThat(defaults.getServlet().getMaxBodyBytes())
                .isEqualTo(org.ordertracking.servlet.TrackingServletConfig.DEFAULT_MAX_BODY_BYTES);
        assertThat(defaults.getServlet().getMaxBatchSize())
                .isEqualTo(org.ordertracking.servlet.TrackingServletConfig.DEFAULT_MAX_BATCH_SIZE);
        assertThat(defaults.getServlet().getDriverRateLimit())
                .isEqualTo(org.ordertracking.servlet.TrackingServletConfig.DEFAULT_DRIVER_RATE_LIMIT);
        assertThat(defaults.getServlet().getDriverRateWindow())
                .isEqualTo(org.ordertracking.servlet.TrackingServletConfig.DEFAULT_DRIVER_RATE_WINDOW);
        assertThat(defaults.getServlet().getStreamBufferSize())
                .isEqualTo(org.ordertracking.servlet.TrackingServletConfig.DEFAULT_STREAM_BUFFER);
        assertThat(defaults.getServlet().getSocketBufferSize())
                .isEqualTo(org.ordertracking.servlet.TrackingServletConfig.DEFAULT_SOCKET_BUFFER);
        assertThat(defaults.getServlet().getLeakGrace())
                .isEqualTo(org.ordertracking.servlet.TrackingServletConfig.DEFAULT_LEAK_GRACE);
        assertThat(defaults.getServlet().getLeakSweepInterval())
                .isEqualTo(org.ordertracking.servlet.TrackingServletConfig.DEFAULT_LEAK_SWEEP_INTERVAL);
        assertThat(defaults.getServlet().getMaxStreamsPerSubject())
                .isEqualTo(org.ordertracking.servlet.TrackingServletConfig.DEFAULT_MAX_STREAMS_PER_SUBJECT);
        assertThat(defaults.getServlet().getMaxStreamsPerAddress())
                .isEqualTo(org.ordertracking.servlet.TrackingServletConfig.DEFAULT_MAX_STREAMS_PER_ADDRESS);
        assertThat(defaults.getServlet().getStreamOpenRate())
                .isEqualTo(org.ordertracking.servlet.TrackingServletConfig.DEFAULT_STREAM_OPEN_RATE);
        assertThat(defaults.getServlet().getStreamOpenWindow())
                .isEqualTo(org.ordertracking.servlet.TrackingServletConfig.DEFAULT_STREAM_OPEN_WINDOW);
        assertThat(defaults.getJwt().getTrackingTokenTtl())
                .isEqualTo(org.ordertracking.servlet.TrackingServletConfig.DEFAULT_TRACKING_TOKEN_TTL);
        assertThat(defaults.getJwt().getClockSkew())
                .isEqualTo(org.ordertracking.servlet.JwtAuthorizer.DEFAULT_CLOCK_SKEW);
        assertThat(servlet).isNotNull();
        var location = org.ordertracking.core.LocationConfig.class;
        assertThat(location).isNotNull();
        assertThat(defaults.getLocation().getMaxFutureSkew())
                .isEqualTo(org.ordertracking.core.LocationConfig.DEFAULT_MAX_FUTURE_SKEW);
        assertThat(defaults.getLocation().getMaxFixAge())
                .isEqualTo(org.ordertracking.core.LocationConfig.DEFAULT_MAX_FIX_AGE);
        assertThat(defaults.getLocation().getMaxSpeedKmh())
                .isEqualTo(org.ordertracking.core.LocationConfig.DEFAULT_MAX_SPEED_KMH);
        assertThat(defaults.getLocation().getThrottleMeters())
                .isEqualTo(org.ordertracking.core.LocationConfig.DEFAULT_THROTTLE_METERS);
        assertThat(defaults.getLocation().getDriverOrdersTtl())
                .isEqualTo(org.ordertracking.core.LocationConfig.DEFAULT_DRIVER_ORDERS_TTL);
        assertThat(defaults.getStaleness().getLowCoverageAfter())
                .isEqualTo(StalenessClassifier.DEFAULT_LOW_COVERAGE_AFTER);
        assertThat(defaults.getStaleness().getConnectionLostAfter())
                .isEqualTo(StalenessClassifier.DEFAULT_CONNECTION_LOST_AFTER);
        assertThat(defaults.getStaleness().getInterval()).isEqualTo(StalenessMonitor.DEFAULT_INTERVAL);
        assertThat(defaults.getStaleness().getMaxDeliveries()).isEqualTo(StalenessMonitor.DEFAULT_MAX_DELIVERIES);
        assertThat(defaults.getNotifications().getArrivingWithin())
                .isEqualTo(NotificationDispatcher.DEFAULT_ARRIVING_WITHIN);
        assertThat(defaults.getNotifications().getRearmAbove()).isEqualTo(NotificationDispatcher.DEFAULT_REARM_ABOVE);
        assertThat(defaults.getNotifications().getMaxAttempts()).isEqualTo(NotificationDispatcher.DEFAULT_MAX_ATTEMPTS);
        assertThat(defaults.getNotifications().getInitialBackoff())
                .isEqualTo(NotificationDispatcher.DEFAULT_INITIAL_BACKOFF);
        assertThat(defaults.getNotifications().getMaxBackoff()).isEqualTo(NotificationDispatcher.DEFAULT_MAX_BACKOFF);
        assertThat(defaults.getJdbc().getTablePrefix()).isEqualTo(org.ordertracking.jdbc.JdbcConfig.DEFAULT_TABLE_PREFIX);
        assertThat(defaults.getRedis().getChannelPrefix())
                .isEqualTo(org.ordertracking.redis.RedisEventBusConfig.DEFAULT_CHANNEL_PREFIX);
        assertThat(defaults.getRedis().getKeyPrefix())
                .isEqualTo(org.ordertracking.redis.RedisLocationStoreConfig.DEFAULT_KEY_PREFIX);
    }

    @Test
    void meterRegistry_getsTheTrackingMeters_andTheServletsOwn() {
        web.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean(PushNotifier.class, () -> (order, moment, eta) -> {
                    throw new IllegalStateException("push service down");
                })
                .run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    context.getBean(TrackerMeterBinder.class).bindTo(registry);
                    context.getBean(org.ordertracking.servlet.TrackingMeterBinder.class).bindTo(registry);
                    OrderTracker tracker = context.getBean(OrderTracker.class);
                    tracker.register(new NewOrder("o-4", "r-1", "c-1", new GeoPoint(33.89, 35.50)));
                    tracker.transition("o-4", OrderStatus.ACCEPTED);
                    assertThat(registry.get("tracking.order.events").tag("status", "received").counter().count())
                            .isEqualTo(1);
                    assertThat(registry.get("tracking.order.events").tag("status", "accepted").counter().count())
                            .isEqualTo(1);
                    assertThat(registry.get("tracking.deliveries.signal").tag("band", "moving").gauge().value())
                            .isZero();
                    assertThat(registry.find("tracking.push.failures").functionCounter()).isNotNull();
                    // the servlet's own meters, through its binder
                    assertThat(registry.find("tracking.connections.open").gauges()).isNotEmpty();
                    // no JDBC: no outbox gauges
                    assertThat(registry.find("tracking.outbox.backlog").gauge()).isNull();
                });
    }

    @Test
    void healthIndicator_isUp_withTheInMemoryDefaults() {
        runner.run(context -> {
            Health health = context.getBean(TrackingHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("repository", "reachable").containsEntry("bus", "in process");
        });
    }

    @Test
    void healthIndicator_isDown_whenTheRepositoryFails() {
        runner.withBean(OrderRepository.class, () -> new org.ordertracking.test.ForwardingOrderRepository(
                        OrderRepository.inMemory()) {
                    @Override
                    public java.util.Optional<TrackedOrder> find(String orderId) {
                        throw new IllegalStateException("connection refused");
                    }
                })
                .run(context -> {
                    Health health = context.getBean(TrackingHealthIndicator.class).health();
                    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(health.getDetails()).containsEntry("repository",
                            "unreachable: IllegalStateException");
                });
    }

    private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    @Configuration(proxyBeanMethods = false)
    static class ListenerConfig {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Bean
        TrackerListener recordingListener() {
            return new TrackerListener() {
                @Override
                public void onEvent(TrackedOrder order, OrderEvent event) {
                    seen.add(order.orderId() + " " + event.seq());
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserBeans {
        final OrderRepository repository = OrderRepository.inMemory();
        final EventBus bus = EventBus.inMemory();
        final LocationStore store = LocationStore.inMemory(java.time.InstantSource.system());
        final StalenessClassifier classifier = StalenessClassifier.of(Duration.ofSeconds(10), Duration.ofSeconds(60));

        @Bean
        OrderRepository myRepository() {
            return repository;
        }

        @Bean
        EventBus myBus() {
            return bus;
        }

        @Bean
        LocationStore myStore() {
            return store;
        }

        @Bean
        StalenessClassifier myBands() {
            return classifier;
        }
    }
}
