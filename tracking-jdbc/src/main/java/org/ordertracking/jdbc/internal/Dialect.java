package org.ordertracking.jdbc.internal;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;

/** The databases tracking-jdbc speaks, and what differs between them. */
public enum Dialect {
    /** PostgreSQL: partial indexes, {@code FOR UPDATE SKIP LOCKED}, transactional DDL, advisory locks. */
    POSTGRESQL("postgresql", "NOT published", "LIMIT ? FOR UPDATE SKIP LOCKED"),
    /** MariaDB 10.6+ and MySQL 8.0+ (InnoDB): {@code SKIP LOCKED}, {@code GET_LOCK}. */
    MARIADB("mariadb", "published = FALSE", "LIMIT ? FOR UPDATE SKIP LOCKED"),
    /**
     * H2 2.x. It has {@code FOR UPDATE SKIP LOCKED} but applies the row limit before skipping locked
     * rows, so a second relay running at the same time may find nothing to do (never a duplicate).
     */
    H2("h2", "published = FALSE", "FETCH FIRST ? ROWS ONLY FOR UPDATE SKIP LOCKED");

    private final String migrationFolder;
    private final String unpublished;
    private final String limitForUpdateSkipLocked;

    Dialect(String migrationFolder, String unpublished, String limitForUpdateSkipLocked) {
        this.migrationFolder = migrationFolder;
        this.unpublished = unpublished;
        this.limitForUpdateSkipLocked = limitForUpdateSkipLocked;
    }

    /** Classpath folder of this dialect's migrations. */
    public String migrationLocation() {
        return "db/migration/tracking/" + migrationFolder;
    }

    /** A predicate on the events table that selects unpublished rows and matches the outbox index. */
    public String unpublishedPredicate() {
        return unpublished;
    }

    /** The tail of the relay query: a row limit (one parameter) and row locks that skip locked rows. */
    public String limitForUpdateSkipLocked() {
        return limitForUpdateSkipLocked;
    }

    /**
     * Detects the dialect from the connection's metadata.
     *
     * @throws IllegalStateException naming the product if it is none of PostgreSQL, MariaDB, MySQL, H2
     */
    public static Dialect of(Connection connection) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        String product = meta.getDatabaseProductName();
        String name = product == null ? "" : product.toLowerCase(Locale.ROOT);
        if (name.contains("postgresql")) {
            return POSTGRESQL;
        }
        if (name.contains("mariadb") || name.contains("mysql")) {
            return MARIADB;
        }
        if (name.equals("h2")) {
            return H2;
        }
        throw new IllegalStateException("unsupported database '" + product + " " + meta.getDatabaseProductVersion()
                + "' (" + meta.getURL() + "); tracking-jdbc supports PostgreSQL, MariaDB/MySQL and H2");
    }

    /**
     * Whether the failure, or one of its causes, is an integrity constraint violation (SQLState class
     * {@code 23}): how H2 reports the duplicate that PostgreSQL and MariaDB skip with
     * {@code ON CONFLICT DO NOTHING} / {@code INSERT IGNORE}.
     */
    public static boolean isConstraintViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sqlException) {
                String state = sqlException.getSQLState();
                if (state != null && state.startsWith("23")) {
                    return true;
                }
            }
        }
        return false;
    }
}
