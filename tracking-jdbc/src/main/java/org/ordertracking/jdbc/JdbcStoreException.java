package org.ordertracking.jdbc;

import java.sql.SQLException;

/**
 * Thrown when the database fails an operation of {@link JdbcOrderRepository} or {@link JdbcSchema}
 * (connection refused, lock timeout, missing table …). The cause is the driver's
 * {@link SQLException}, whose SQLState and vendor code tell what happened. The operation's
 * transaction was rolled back.
 *
 * <p>{@link TornHistoryException}, a subclass, says an order's row and its audit trail disagree.
 *
 * @since 0.1.0
 */
public class JdbcStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JdbcStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Returns the SQLState of the cause, or {@code null} if it is not a {@link SQLException}. */
    public String sqlState() {
        return getCause() instanceof SQLException e ? e.getSQLState() : null;
    }
}
