package org.ordertracking.core;

/**
 * The outcome of one {@link OrderRepository#purgeTerminal purge batch}.
 *
 * @param purged how many orders this batch removed, with everything stored for them
 * @param busy {@code true} if another purger (another node, or another thread of this one) held the
 *     repository's purge lease, so this call did nothing; {@code purged} is then 0
 * @since 0.1.0
 */
public record PurgeResult(int purged, boolean busy) {

    private static final PurgeResult BUSY = new PurgeResult(0, true);

    public PurgeResult {
        if (purged < 0) {
            throw new IllegalArgumentException("purged must not be negative, but was " + purged);
        }
        if (busy && purged != 0) {
            throw new IllegalArgumentException("a busy purge purges nothing, but purged was " + purged);
        }
    }

    /** Returns the result of a batch that held the lease and purged {@code purged} orders. */
    public static PurgeResult purged(int purged) {
        return new PurgeResult(purged, false);
    }

    /** Returns the result of a call that found the lease held by another purger and did nothing. */
    public static PurgeResult busyElsewhere() {
        return BUSY;
    }
}
