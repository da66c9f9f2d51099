package org.ordertracking.client;

/**
 * Why the journal dropped fixes that were never acknowledged.
 *
 * @since 0.1.0
 */
public enum CompactionReason {
    /** More fixes waited than {@link DriverClient.Builder#maxBacklog(int)}; the oldest went first. */
    BACKLOG_FULL,
    /**
     * Fixes older than {@link DriverClient.Builder#maxFixAge(java.time.Duration)}: the server would
     * refuse them as {@code too_old}, so they are not sent.
     */
    TOO_OLD
}
