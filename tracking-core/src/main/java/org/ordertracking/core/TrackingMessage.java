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
     * {@code unassigned}, {@code cancelled}, {@code order_at_risk}, or one of the operators'
     * messages such as {@code retention_purged}.
     */
    String type();

    /** Returns the order this message is about, or {@code null} for an operators' message about no one order. */
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
}
