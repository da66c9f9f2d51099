package org.ordertracking.spring.autoconfigure;

import org.ordertracking.servlet.TrackingServletConfig;

/**
 * Adjusts the servlet's configuration before the auto-configured {@code TrackingServlet} is built,
 * for settings that have no {@code tracking.servlet.*} property (an {@code EtaEstimator}, a scheduler
 * of your own). Every bean of this type is applied, in {@link org.springframework.core.Ordered} order,
 * after the properties.
 *
 * <p>Implementations are called once, at startup, on one thread.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface TrackingServletConfigCustomizer {
    /** Changes {@code builder}; called before {@code build()}. */
    void customize(TrackingServletConfig.Builder builder);
}
