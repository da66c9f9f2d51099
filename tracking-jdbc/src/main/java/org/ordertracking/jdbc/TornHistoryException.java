package org.ordertracking.jdbc;

/**
 * Thrown by {@link JdbcOrderRepository} when an order's row and its audit trail disagree: the row is
 * at a seq whose event is missing from the events table, or the events table already holds the seq
 * the next transition would write. One transaction writes both, so a database that commits
 * atomically never shows this; it means rows were changed by hand, or a store lost half a
 * transaction in a crash. The repository does not guess which side is right while serving: the
 * transaction was rolled back, nothing was changed, and an ERROR is logged once per order (logger
 * {@code org.ordertracking.jdbc.TornHistory}) with the two seqs. On an H2 file database the
 * repository reconciles such orders when it is built (see docs/jdbc.md, "A torn history").
 *
 * @since 0.1.0
 */
public final class TornHistoryException extends JdbcStoreException {
    private static final long serialVersionUID = 1L;

    private final String orderId;
    private final long orderSeq;
    private final long trailSeq;

    /**
     * @param message what disagrees and where to look
     * @param orderId the order
     * @param orderSeq the seq of the order's row
     * @param trailSeq the highest seq in the order's audit trail, 0 if it has none
     */
    public TornHistoryException(String message, String orderId, long orderSeq, long trailSeq) {
        super(message, null);
        this.orderId = orderId;
        this.orderSeq = orderSeq;
        this.trailSeq = trailSeq;
    }

    /** Returns the order whose history is torn. */
    public String orderId() {
        return orderId;
    }

    /** Returns the seq of the order's row. */
    public long orderSeq() {
        return orderSeq;
    }

    /** Returns the highest seq in the order's audit trail, 0 if it has none. */
    public long trailSeq() {
        return trailSeq;
    }
}
