package org.ordertracking.spring.autoconfigure;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import org.ordertracking.core.ConnectionRegistry;
import org.ordertracking.core.LocationIngestor;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.RestaurantPresenceMonitor;
import org.ordertracking.core.StalenessClassifier;
import org.ordertracking.core.StalenessMonitor;
import org.ordertracking.core.StuckOrderWatchdog;
import org.ordertracking.core.TrackingResources;
import org.ordertracking.servlet.Authorizer;
import org.ordertracking.servlet.JwtAuthorizer;
import org.ordertracking.servlet.JwtIssuer;
import org.ordertracking.servlet.TokenRevocation;
import org.ordertracking.servlet.TrackingServlet;
import org.ordertracking.servlet.TrackingServletConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The HTTP surface ({@code tracking-servlet}) on the embedded servlet container: the
 * {@link TrackingServlet} at {@code tracking.servlet.path} (default {@code /tracking}), the driver
 * WebSocket at {@code {path}/drivers/{driver_id}/socket}, and the JWT authorizer and issuer on
 * {@code tracking.jwt.secret} — a missing or short secret fails startup with
 * {@link TrackingSecretException} — with the optional {@code iss}/{@code aud} checks of
 * {@code tracking.jwt.issuer}/{@code audience} and a {@link TokenRevocation} bean as deny-list.
 *
 * <p>At shutdown the servlet drains first ({@link StreamsLifecycle}, before the web server's graceful
 * shutdown, which would otherwise wait for every open SSE stream): streams are told when to come back
 * and ended in waves over {@code tracking.servlet.drain-window}, driver sockets closed with 1001; then
 * the web server stops, then {@link TrackingLifecycle} stops the tracker. The servlet's own JVM shutdown
 * hook is off: Spring's context shutdown runs this drain.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = TrackingAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({TrackingServlet.class, ServletRegistrationBean.class})
@ConditionalOnBooleanProperty(name = "tracking.servlet.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TrackingProperties.class)
public class TrackingServletAutoConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(TrackingServletAutoConfiguration.class);

    /**
     * Checks every incoming token: signature, {@code exp}/{@code nbf} within {@code tracking.jwt.clock-skew},
     * {@code iss} and {@code aud} when {@code tracking.jwt.issuer} / {@code tracking.jwt.audience} are set,
     * then, when the application declares a {@link TokenRevocation} bean, whether the token's {@code jti}
     * is revoked (answers cached for {@code tracking.jwt.revocation-cache-ttl}). Fails startup when the
     * secret is missing or short, or when several {@link TokenRevocation} beans exist and none is primary.
     */
    @Bean
    @ConditionalOnMissingBean
    public Authorizer trackingAuthorizer(TrackingResources resources, TrackingProperties properties,
            ObjectProvider<TokenRevocation> revocation) {
        TrackingProperties.Jwt jwt = properties.getJwt();
        JwtAuthorizer.Builder builder = JwtAuthorizer.builder(TrackingSecretException.requireSecret(jwt))
                .clock(resources.clock())
                .clockSkew(jwt.getClockSkew())
                .revocationCacheTtl(jwt.getRevocationCacheTtl())
                .requireTokenId(jwt.isRequireTokenId());
        if (jwt.getIssuer() != null) {
            builder.issuer(jwt.getIssuer());
        }
        if (jwt.getAudience() != null) {
            builder.audience(jwt.getAudience());
        }
        TokenRevocation deny = revocation.getIfAvailable(); // one, or the primary one; several: startup fails
        if (deny != null) {
            builder.revocation(deny);
            LOG.info("Order tracking tokens are checked against the TokenRevocation bean {} (answers cached for {})",
                    deny.getClass().getName(), jwt.getRevocationCacheTtl());
        }
        return builder.build();
    }

    /**
     * Mints tokens: the tracking_token of POST /orders, and those the application hands its clients;
     * with {@code iss} and {@code aud} when {@code tracking.jwt.issuer} / {@code tracking.jwt.audience} are
     * set, so that they pass the authorizer's checks.
     */
    @Bean
    @ConditionalOnMissingBean
    public JwtIssuer trackingTokenIssuer(TrackingProperties properties) {
        TrackingProperties.Jwt jwt = properties.getJwt();
        JwtIssuer.Builder builder = JwtIssuer.builder(TrackingSecretException.requireSecret(jwt));
        if (jwt.getIssuer() != null) {
            builder.issuer(jwt.getIssuer());
        }
        if (jwt.getAudience() != null) {
            builder.audience(jwt.getAudience());
        }
        return builder.build();
    }

    @Bean
    @ConditionalOnMissingBean
    public TrackingServlet trackingServlet(OrderTracker tracker, Authorizer authorizer, JwtIssuer issuer,
            LocationIngestor ingestor, LocationStore store, StalenessClassifier classifier,
            ConnectionRegistry connections, TrackingResources resources, TrackingProperties properties,
            ObjectProvider<TrackingServletConfigCustomizer> customizers,
            ObjectProvider<RestaurantPresenceMonitor> presence, ObjectProvider<StuckOrderWatchdog> stuck,
            ObjectProvider<StalenessMonitor> staleness) {
        TrackingProperties.Servlet servlet = properties.getServlet();
        TrackingServletConfig.Builder builder = TrackingServletConfig.builder(tracker, authorizer)
                .resources(resources)
                .trackingTokens(issuer)
                .trackingTokenTtl(properties.getJwt().getTrackingTokenTtl())
                .locationIngestor(ingestor)
                .locationStore(store)
                .stalenessClassifier(classifier)
                .connectionRegistry(connections)
                .keepAlive(servlet.getKeepAlive())
                .retry(servlet.getRetry())
                .retryJitter(servlet.getRetryJitter())
                .maxBodyBytes(servlet.getMaxBodyBytes())
                .maxBatchSize(servlet.getMaxBatchSize())
                .driverRateLimit(servlet.getDriverRateLimit(), servlet.getDriverRateWindow())
                .streamBufferSize(servlet.getStreamBufferSize())
                .socketBufferSize(servlet.getSocketBufferSize())
                .leakGrace(servlet.getLeakGrace())
                .leakSweepInterval(servlet.getLeakSweepInterval())
                .maxStreamsPerSubject(servlet.getMaxStreamsPerSubject())
                .maxStreamsPerAddress(servlet.getMaxStreamsPerAddress())
                .streamOpenRate(servlet.getStreamOpenRate(), servlet.getStreamOpenWindow())
                .operationsRefresh(properties.getOperations().getRefresh())
                .drainWindow(servlet.getDrainWindow())
                .drainOnShutdown(false); // the context's shutdown drains it, through StreamsLifecycle
        presence.ifAvailable(builder::restaurantPresence);
        stuck.ifAvailable(builder::stuckOrders);
        staleness.ifAvailable(builder::stalenessMonitor);
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return new TrackingServlet(builder.build());
    }

    @Bean
    @ConditionalOnMissingBean(name = "trackingServletRegistration")
    public ServletRegistrationBean<TrackingServlet> trackingServletRegistration(TrackingServlet servlet,
            TrackingProperties properties) {
        ServletRegistrationBean<TrackingServlet> registration =
                new ServletRegistrationBean<>(servlet, properties.getServlet().getPath() + "/*");
        registration.setName("tracking");
        registration.setAsyncSupported(true);
        registration.setLoadOnStartup(1);
        return registration;
    }

    /** Drains the servlet before the web server's graceful shutdown starts waiting for requests. */
    @Bean
    @ConditionalOnMissingBean
    public StreamsLifecycle trackingStreamsLifecycle(TrackingServlet servlet) {
        return new StreamsLifecycle(servlet);
    }

    /**
     * The driver WebSocket, added to the container's {@link ServerContainer} once the container has
     * created it (Tomcat's and Jetty's WebSocket support, which Spring Boot enables when their
     * WebSocket jars are present).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ServerContainer.class)
    @ConditionalOnBooleanProperty(name = "tracking.servlet.driver-socket", matchIfMissing = true)
    static class DriverSocketConfiguration {
        @Bean
        ServletContextInitializer trackingDriverSocketInitializer(TrackingServlet servlet,
                TrackingProperties properties) {
            String path = properties.getServlet().driverSocketPath();
            return servletContext -> servletContext.addListener(new DriverSocketRegistrar(servlet, path));
        }
    }

    /** Adds the driver endpoint when the context initializes: by then every container initializer has run. */
    static final class DriverSocketRegistrar implements ServletContextListener {
        private final TrackingServlet servlet;
        private final String path;

        DriverSocketRegistrar(TrackingServlet servlet, String path) {
            this.servlet = servlet;
            this.path = path;
        }

        @Override
        public void contextInitialized(ServletContextEvent event) {
            ServletContext context = event.getServletContext();
            Object container = context.getAttribute(ServerContainer.class.getName());
            if (!(container instanceof ServerContainer server)) {
                throw new IllegalStateException("The embedded servlet container offers no jakarta.websocket ServerContainer"
                        + " for the driver socket at " + path + ": add its WebSocket support (on Tomcat"
                        + " tomcat-embed-websocket, on Jetty jetty-ee11-websocket-jakarta-server; both come with"
                        + " spring-boot-starter-webmvc) or set tracking.servlet.driver-socket=false");
            }
            ServerEndpointConfig endpoint = servlet.driverSocket(path);
            try {
                server.addEndpoint(endpoint);
            } catch (DeploymentException e) {
                throw new IllegalStateException("could not register the driver socket at " + path, e);
            }
            LOG.info("Order tracking driver socket registered at {}", path);
        }
    }

    /**
     * Drains the tracking servlet at the start of shutdown ({@link TrackingServlet#drain()}, within the
     * servlet's drain window), so that SSE clients see their stream end cleanly and reconnect to another
     * node, spread over the window, rather than hold up the graceful shutdown. The stop is asynchronous:
     * Spring waits for the drain (up to {@code spring.lifecycle.timeout-per-shutdown-phase}, 30 s by
     * default: keep the drain window below it) before it stops the web server. Thread-safe.
     *
     * @since 0.1.0
     */
    public static class StreamsLifecycle implements SmartLifecycle {
        /** Above the web server's graceful shutdown phase, so it stops first. */
        public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

        private final TrackingServlet servlet;
        private volatile boolean running;

        public StreamsLifecycle(TrackingServlet servlet) {
            this.servlet = servlet;
        }

        @Override
        public void start() {
            running = true;
        }

        @Override
        public void stop() {
            if (running) {
                running = false;
                servlet.close();
                LOG.info("Order tracking streams ended");
            }
        }

        @Override
        public void stop(Runnable callback) {
            if (!running) {
                callback.run();
                return;
            }
            running = false;
            LOG.info("Order tracking draining within {}", servlet.config().drainWindow());
            servlet.drain().whenComplete((done, failure) -> {
                if (failure != null) {
                    LOG.warn("Order tracking drain failed; closing the servlet", failure);
                    servlet.close();
                }
                LOG.info("Order tracking streams drained");
                callback.run();
            });
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return PHASE;
        }
    }
}
