package org.ordertracking.jdbc.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the repository's writes to an H2 <em>file</em> database atomic through a process kill and
 * durable through a power cut: one write transaction at a time per database in this JVM, and each
 * one synced to disk ({@code CHECKPOINT SYNC}) before it is acknowledged.
 *
 * <p><b>Why one at a time.</b> H2 2.x (MVStore) writes a chunk to its file when a transaction commits
 * ({@code WRITE_DELAY=0}). That store takes the root of each map (table, index, undo log) one after
 * the other while other sessions keep writing, so it is not a cut at one instant: when another
 * transaction is in the middle of its commit — marking its rows committed map by map, then clearing
 * its undo log — the chunk can hold the order row already committed and the undo log already empty,
 * but the event row still marked uncommitted. That transaction's own store, a moment later, would
 * write the rest; if the process dies in between, H2's recovery finds an uncommitted row without an
 * undo log and, as it is designed to ({@code TxDecisionMaker}: "a leftover after unclean shutdown"),
 * rolls it back. The order is then at seq N with no event N: half a transaction, which the demo's
 * kill soak found. With a single writer, no store ever runs while another transaction is committing,
 * and every chunk holds whole transactions only. Reads are not held up.
 *
 * <p><b>Why sync.</b> H2 writes its chunks without {@code fsync} (only compaction and a clean close
 * sync), so an acknowledged commit may still be in the OS page cache when the power goes.
 * {@code CHECKPOINT SYNC} forces the file to the device; it needs an H2 admin user (the user that
 * created the database is one). When the user is not an admin, writes are still one at a time but
 * not synced, and a WARN says so once.
 *
 * <p>In-memory H2 databases and other databases get {@link #NONE}, which does nothing.
 *
 * <p>Thread-safe.
 */
public final class H2Writes {
    private static final Logger LOG = LoggerFactory.getLogger("org.ordertracking.jdbc.Durability");
    /** H2's ErrorCode.ADMIN_RIGHTS_REQUIRED. */
    private static final int ADMIN_RIGHTS_REQUIRED = 90040;
    private static final ConcurrentMap<String, H2Writes> BY_DATABASE = new ConcurrentHashMap<>();

    /** For databases that commit atomically (PostgreSQL, MariaDB) and for H2 in memory: does nothing. */
    public static final H2Writes NONE = new H2Writes(null);

    private final String database;
    private final ReentrantLock lock = new ReentrantLock(true);
    private volatile boolean sync;

    private H2Writes(String database) {
        this.database = database;
        this.sync = database != null;
    }

    /**
     * Returns the gate of the database {@code connection} is on: the same one for every repository on
     * the same H2 file database in this JVM, {@link #NONE} for any other database.
     */
    public static H2Writes of(Connection connection, Dialect dialect) throws SQLException {
        if (dialect != Dialect.H2) {
            return NONE;
        }
        String path;
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT DATABASE_PATH()")) {
            path = result.next() ? result.getString(1) : null;
        }
        return path == null ? NONE : BY_DATABASE.computeIfAbsent(path, H2Writes::new);
    }

    /** Whether this gate serializes writes (an H2 file database). */
    public boolean active() {
        return database != null;
    }

    /** Waits until no other write of this database runs; pair with {@link #unlock()} in a finally block. */
    public void lock() {
        if (database != null) {
            lock.lock();
        }
    }

    /** Lets the next write run. */
    public void unlock() {
        if (database != null) {
            lock.unlock();
        }
    }

    /**
     * Forces what has been committed on {@code connection}'s database to the device. Call it after the
     * commit, before the write is acknowledged, while holding the lock.
     */
    public void sync(Connection connection) throws SQLException {
        if (!sync) {
            return;
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("CHECKPOINT SYNC");
        } catch (SQLException e) {
            if (e.getErrorCode() != ADMIN_RIGHTS_REQUIRED) {
                throw e;
            }
            sync = false;
            LOG.warn("DURABILITY: the H2 user is not an admin, so commits to {} cannot be synced to disk"
                    + " (CHECKPOINT SYNC needs admin rights): they survive a process kill but the last"
                    + " seconds of them may not survive a power cut; connect as the database's admin user"
                    + " (see docs/jdbc.md, \"Durability per store\")", database);
        }
    }

    @Override
    public String toString() {
        return database == null ? "H2Writes[none]" : "H2Writes[" + database + (sync ? ", synced" : "") + "]";
    }
}
