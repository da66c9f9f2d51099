package org.ordertracking.spring.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import org.ordertracking.core.NotificationDispatcher;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.RestaurantPresenceMonitor;
import org.ordertracking.core.StalenessMonitor;
import org.ordertracking.core.StuckOrderWatchdog;
import org.ordertracking.core.TrackerListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

/**
 * Starts and stops the tracker's background work with the application context.
 *
 * <p>Start (phase {@value #PHASE}, before the web server opens its port): every
 * {@link TrackerListener} bean is added to the tracker, then the tracker (its outbox relay runs at
 * once, publishing what a previous process committed but never published), the staleness monitor and
 * the operators' watchers (restaurant presence, stuck orders) start. Stop (after the web server has stopped and the streams have ended, see
 * {@code TrackingServletAutoConfiguration}): the staleness monitor stops, the tracker closes — which
 * flushes the outbox's publish marks, so the next process does not publish those events again — and
 * the notification dispatcher stops. Buses, stores and clients are closed afterwards when their beans
 * are destroyed; what the application handed in (a DataSource, a Lettuce client) is never closed here.
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public class TrackingLifecycle implements SmartLifecycle {
    /** Below the web server's phases: starts before it accepts requests, stops after it stopped. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final Logger LOG = LoggerFactory.getLogger(TrackingLifecycle.class);

    private final OrderTracker tracker;
    private final ObjectProvider<TrackerListener> listeners;
    private final ObjectProvider<StalenessMonitor> monitor;
    private final ObjectProvider<NotificationDispatcher> notifications;
    private final ObjectProvider<RestaurantPresenceMonitor> presence;
    private final ObjectProvider<StuckOrderWatchdog> stuck;
    private final List<TrackerListener> added = new ArrayList<>();
    private volatile boolean running;

    public TrackingLifecycle(OrderTracker tracker, ObjectProvider<TrackerListener> listeners,
            ObjectProvider<StalenessMonitor> monitor, ObjectProvider<NotificationDispatcher> notifications) {
        this(tracker, listeners, monitor, notifications, null, null);
    }

    /**
     * Also starts and stops the operators' watchers, when present: the restaurant presence monitor and the
     * stuck-order watchdog (either provider may be {@code null}).
     *
     * @since 0.1.0
     */
    public TrackingLifecycle(OrderTracker tracker, ObjectProvider<TrackerListener> listeners,
            ObjectProvider<StalenessMonitor> monitor, ObjectProvider<NotificationDispatcher> notifications,
            ObjectProvider<RestaurantPresenceMonitor> presence, ObjectProvider<StuckOrderWatchdog> stuck) {
        this.tracker = tracker;
        this.listeners = listeners;
        this.monitor = monitor;
        this.notifications = notifications;
        this.presence = presence;
        this.stuck = stuck;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        listeners.orderedStream().forEach(listener -> {
            tracker.addListener(listener);
            added.add(listener);
        });
        tracker.start();
        monitor.ifAvailable(StalenessMonitor::start);
        if (presence != null) {
            presence.ifAvailable(RestaurantPresenceMonitor::start);
        }
        if (stuck != null) {
            stuck.ifAvailable(StuckOrderWatchdog::start);
        }
        running = true;
        LOG.info("Order tracking started with {} listener(s)", added.size());
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        monitor.ifAvailable(StalenessMonitor::close);
        if (presence != null) {
            presence.ifAvailable(RestaurantPresenceMonitor::close);
        }
        if (stuck != null) {
            stuck.ifAvailable(StuckOrderWatchdog::close);
        }
        tracker.close();
        notifications.ifAvailable(NotificationDispatcher::close);
        added.forEach(tracker::removeListener);
        added.clear();
        LOG.info("Order tracking stopped; outbox publish marks flushed");
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
