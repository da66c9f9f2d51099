package org.ordertracking.core;

import java.time.Instant;
import java.util.Objects;
import org.ordertracking.core.internal.Checks;

/**
 * What travels on the {@link EventBus}. Each kind of message has a {@linkplain #type() type} that
 * is also its SSE event name, and its JSON form is given by {@link WireCodec}.
 *
 * @since 0.1.0
 */
public sealed interface TrackingMessage {

    /**
     * Returns the message type: {@code status}, {@code location}, {@code signal}, {@code assignment},
     * {@code unassigned}, {@code cancelled}, or one of the operations messages
     * ({@code restaurant_offline}, {@code restaurant_online}, {@code order_stuck}, {@code order_at_risk},
     * {@code retention_purged}).
     */
    String type();

    /**
     * Returns the order this message is about, or {@code null} for a message about a whole restaurant
     * ({@code restaurant_offline}, {@code restaurant_online}) or about many orders ({@code retention_purged}).
     */
    String orderId();

    /**
     * An order changed status.
     *
     * @param event the audit-trail entry
     */
    record StatusUpdate(OrderEvent event) implements TrackingMessage {
        public static final String TYPE = "status";

        public StatusUpdate {
            Objects.requireNonNull(event, "event must not be null");
        }

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public String orderId() {
            return event.orderId();
        }
    }

    /**
     * The driver of an order moved (past the throttle distance).
     *
     * @param orderId the order being delivered
     * @param driverId its driver
     * @param fix the position
     * @param etaSeconds estimated seconds to the destination, or {@code null} if unknown
     */
    record LocationUpdate(String orderId, String driverId, LocationFix fix, Long etaSeconds)
            implements TrackingMessage {
        public static final String TYPE = "location";

        public LocationUpdate {
            Checks.requireId(orderId, "orderId");
            Checks.requireId(driverId, "driverId");
            Objects.requireNonNull(fix, "fix must not be null");
            if (etaSeconds != null && etaSeconds < 0) {
                throw new IllegalArgumentException("etaSeconds must not be negative, but was " + etaSeconds);
            }
        }

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * The freshness band of an active delivery's driver position changed.
     *
     * @param orderId the order being delivered
     * @param state the new band
     * @param lastSeenAt when the newest fix was recorded, or {@code null} if there never was one
     * @param ageSeconds age of that fix in whole seconds, or {@code null} if there never was one
     */
    record SignalUpdate(String orderId, SignalState state, Instant lastSeenAt, Long ageSeconds)
            implements TrackingMessage {
        public static final String TYPE = "signal";

        public SignalUpdate {
            Checks.requireId(orderId, "orderId");
            Objects.requireNonNull(state, "state must not be null");
            if (ageSeconds != null && ageSeconds < 0) {
                throw new IllegalArgumentException("ageSeconds must not be negative, but was " + ageSeconds);
            }
        }

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * A driver was assigned an order; sent on the driver's topic.
     *
     * @param orderId the order
     * @param driverId the driver
     */
    record DriverAssigned(String orderId, String driverId) implements TrackingMessage {
        public static final String TYPE = "assignment";

        public DriverAssigned {
            Checks.requireId(orderId, "orderId");
            Checks.requireId(driverId, "driverId");
        }

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * An order was taken back from a driver: given to another driver or unassigned by an operator.
     * Sent on the previous driver's topic, after the change was committed.
     *
     * @param orderId the order
     * @param driverId the driver who no longer has it
     * @since 0.1.0
     */
    record DriverUnassigned(String orderId, String driverId) implements TrackingMessage {
        public static final String TYPE = "unassigned";

        public DriverUnassigned {
            Checks.requireId(orderId, "orderId");
            Checks.requireId(driverId, "driverId");
        }

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * An order that had a driver became {@code failed} (cancelled, rejected, delivery failed). Sent on
     * the driver's topic together with the {@code failed} status event, so the outbox relay re-sends
     * it when the status event was committed but not published.
     *
     * @param orderId the order
     * @param driverId its driver
     * @since 0.1.0
     */
    record OrderCancelled(String orderId, String driverId) implements TrackingMessage {
        public static final String TYPE = "cancelled";

        public OrderCancelled {
            Checks.requireId(orderId, "orderId");
            Checks.requireId(driverId, "driverId");
        }

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * The retention policy purged finished orders; sent on {@link Topic#operations()} by the node that
     * ran the purge, once per run that purged at least one order. Not part of the outbox: a purge is not
     * an audited change, and the meter {@code tracking.retention.purged} keeps the count.
     *
     * @param purged how many orders the run removed; positive
     * @param finishedBefore the cut-off: orders whose last status change was before it were eligible
     * @param at when the run ended
     * @since 0.1.0
     */
    record RetentionPurged(int purged, Instant finishedBefore, Instant at) implements TrackingMessage {
        public static final String TYPE = "retention_purged";

        public RetentionPurged {
            if (purged <= 0) {
                throw new IllegalArgumentException("purged must be positive, but was " + purged);
            }
            Objects.requireNonNull(finishedBefore, "finishedBefore must not be null");
            Objects.requireNonNull(at, "at must not be null");
        }

        @Override
        public String type() {
            return TYPE;
        }

        /** Returns {@code null}: a purge is about many orders. */
        @Override
        public String orderId() {
            return null;
        }
    }

    /**
     * An active order is at risk of a scheduled power cut. Published once per order, on
     * {@link Topic#operations()} and on its restaurant's topic, by the tracker that found the risk
     * first (at registration, or in a sweep after the schedule changed).
     *
     * @param risk the risk as assessed when it was published
     * @since 0.1.0
     */
    record OrderAtRisk(PowerRisk risk) implements TrackingMessage {
        public static final String TYPE = "order_at_risk";

        public OrderAtRisk {
            Objects.requireNonNull(risk, "risk must not be null");
        }

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public String orderId() {
            return risk.orderId();
        }
    }

    /**
     * A restaurant with open orders has shown no sign of life — no open board stream, no poll of its
     * orders — for the configured time ({@link RestaurantPresenceMonitor}), and is now counted offline:
     * it may be without power. Published once per change across nodes, on {@link Topic#operations()}
     * and on the restaurant's topic.
     *
     * @param restaurantId the restaurant
     * @param silentSince since when it has had open orders without being seen: the later of its last
     *     sign of life and the placement of its oldest open order
     * @param lastSeenAt its last sign of life, or {@code null} if it was never seen
     * @param openOrders how many of its orders wait for it (received, accepted, preparing, ready)
     * @param at when it was found offline (server time)
     * @since 0.1.0
     */
    record RestaurantOffline(String restaurantId, Instant silentSince, Instant lastSeenAt, int openOrders,
            Instant at) implements TrackingMessage {
        public static final String TYPE = "restaurant_offline";

        public RestaurantOffline {
            Checks.requireId(restaurantId, "restaurantId");
            Objects.requireNonNull(silentSince, "silentSince must not be null");
            Objects.requireNonNull(at, "at must not be null");
            if (openOrders < 0) {
                throw new IllegalArgumentException("openOrders must not be negative, but was " + openOrders);
            }
        }

        @Override
        public String type() {
            return TYPE;
        }

        /** Returns {@code null}: the message is about a restaurant, not one order. */
        @Override
        public String orderId() {
            return null;
        }
    }

    /**
     * A restaurant counted offline is not any more: it was seen again (its board stream opened, it
     * polled), or it has no open order left to wait for it. Published once per change across nodes, on
     * {@link Topic#operations()} and on the restaurant's topic.
     *
     * @param restaurantId the restaurant
     * @param lastSeenAt its last sign of life, or {@code null} if it was never seen
     * @param reason {@value #REASON_SEEN} or {@value #REASON_NO_OPEN_ORDERS}
     * @param at when it was found online again (server time)
     * @since 0.1.0
     */
    record RestaurantOnline(String restaurantId, Instant lastSeenAt, String reason, Instant at)
            implements TrackingMessage {
        public static final String TYPE = "restaurant_online";
        /** The restaurant was seen again. */
        public static final String REASON_SEEN = "seen";
        /** No open order waits for the restaurant any more; whether it has power is unknown. */
        public static final String REASON_NO_OPEN_ORDERS = "no_open_orders";

        public RestaurantOnline {
            Checks.requireId(restaurantId, "restaurantId");
            if (!REASON_SEEN.equals(reason) && !REASON_NO_OPEN_ORDERS.equals(reason)) {
                throw new IllegalArgumentException("reason must be " + REASON_SEEN + " or " + REASON_NO_OPEN_ORDERS
                        + ", but was '" + reason + "'");
            }
            Objects.requireNonNull(at, "at must not be null");
        }

        @Override
        public String type() {
            return TYPE;
        }

        /** Returns {@code null}: the message is about a restaurant, not one order. */
        @Override
        public String orderId() {
            return null;
        }
    }

    /**
     * An order has stayed in one status longer than that status's limit ({@link StuckOrderWatchdog}).
     * Published once per order and status across nodes, on {@link Topic#operations()}.
     *
     * @param orderId the order
     * @param restaurantId its restaurant
     * @param driverId its driver, or {@code null} if none is assigned
     * @param status the status it is stuck in
     * @param since when it entered that status (its stored {@code updated_at})
     * @param limitSeconds the limit of that status, in seconds
     * @param at when it was found stuck (server time)
     * @since 0.1.0
     */
    record OrderStuck(String orderId, String restaurantId, String driverId, OrderStatus status, Instant since,
            long limitSeconds, Instant at) implements TrackingMessage {
        public static final String TYPE = "order_stuck";

        public OrderStuck {
            Checks.requireId(orderId, "orderId");
            Checks.requireId(restaurantId, "restaurantId");
            if (driverId != null) {
                Checks.requireId(driverId, "driverId");
            }
            Objects.requireNonNull(status, "status must not be null");
            if (status.isTerminal()) {
                throw new IllegalArgumentException("a terminal order is never stuck, but status was " + status);
            }
            Objects.requireNonNull(since, "since must not be null");
            if (limitSeconds < 0) {
                throw new IllegalArgumentException("limitSeconds must not be negative, but was " + limitSeconds);
            }
            Objects.requireNonNull(at, "at must not be null");
        }

        @Override
        public String type() {
            return TYPE;
        }
    }
}
