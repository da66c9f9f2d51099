package org.ordertracking.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.ordertracking.jdbc.internal.Dialect;
import org.ordertracking.jdbc.internal.Durability;
import org.ordertracking.jdbc.internal.Migrations;
import org.ordertracking.jdbc.internal.Migrations.Migration;

/**
 * Applies the tracking schema for users without a migration tool. The same scripts ship on the
 * classpath in a layout Flyway reads: {@code classpath:db/migration/tracking/postgresql},
 * {@code …/mariadb} (also MySQL 8) and {@code …/h2}, written for the default table prefix
 * {@value JdbcConfig#DEFAULT_TABLE_PREFIX}. A different prefix needs this class, which renames every
 * prefixed name as it runs the scripts.
 *
 * <p>{@link #migrate} detects the dialect from the connection metadata, records applied versions in
 * its own table {@code <prefix>schema_version}, and applies only what is missing, so running it on
 * every start is safe. Two processes running it at once take turns: on PostgreSQL under a
 * transaction-scoped advisory lock (and all of it in one transaction, as PostgreSQL's DDL is
 * transactional); on MariaDB/MySQL under {@code GET_LOCK}; on H2, whose databases one process owns,
 * under a lock in this JVM. The scripts themselves are idempotent ({@code IF NOT EXISTS}) too.
 *
 * <p>{@link #migrate} also logs a WARN (once per JVM) when the database is configured to lose
 * commits it acknowledged: H2 in memory or with {@code WRITE_DELAY > 0}, PostgreSQL with
 * {@code synchronous_commit} or {@code fsync} off, MariaDB/MySQL with
 * {@code innodb_flush_log_at_trx_commit} other than 1.
 *
 * <p>Thread-safe. Never closes the {@link DataSource}; each call borrows one connection and returns it.
 *
 * @since 0.1.0
 */
public final class JdbcSchema {

    /** The schema version this release of the library needs. */
    public static final int CURRENT_VERSION = Migrations.ALL.get(Migrations.ALL.size() - 1).version();

    private static final long ADVISORY_LOCK_BASE = 0x7472_6163_6b69_6e67L; // "tracking"
    private static final int GET_LOCK_TIMEOUT_SECONDS = 120;
    private static final ReentrantLock LOCAL_LOCK = new ReentrantLock();

    private JdbcSchema() {
    }

    /** Applies the missing migrations with the default table prefix; see {@link #migrate(DataSource, JdbcConfig)}. */
    public static int migrate(DataSource dataSource) {
        return migrate(dataSource, JdbcConfig.defaults());
    }

    /**
     * Applies the migrations that the database lacks, for {@code config}'s table prefix.
     *
     * @return how many migrations this call applied (0 when the schema was current)
     * @throws IllegalStateException if the database is not PostgreSQL, MariaDB/MySQL or H2
     * @throws JdbcStoreException if the database fails a statement (on MariaDB/MySQL, whose DDL is
     *     not transactional, the statements before it stay applied; running again completes it)
     */
    public static int migrate(DataSource dataSource, JdbcConfig config) {
        Objects.requireNonNull(dataSource, "dataSource must not be null");
        Objects.requireNonNull(config, "config must not be null");
        String prefix = config.tablePrefix();
        try (Connection connection = dataSource.getConnection()) {
            Dialect dialect = Dialect.of(connection);
            Durability.warnIfLossy(connection, dialect);
            boolean autoCommit = connection.getAutoCommit();
            try {
                return switch (dialect) {
                    case POSTGRESQL -> migratePostgres(connection, prefix);
                    case MARIADB -> migrateMariaDb(connection, prefix);
                    case H2 -> migrateH2(connection, prefix);
                };
            } finally {
                if (connection.getAutoCommit() != autoCommit) {
                    connection.setAutoCommit(autoCommit);
                }
            }
        } catch (SQLException e) {
            throw new JdbcStoreException("could not migrate the tracking schema (table prefix " + prefix
                    + ", SQLState " + e.getSQLState() + "): " + e.getMessage(), e);
        }
    }

    private static int migratePostgres(Connection connection, String prefix) throws SQLException {
        connection.setAutoCommit(false);
        try {
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                lock.setLong(1, ADVISORY_LOCK_BASE ^ prefix.hashCode());
                lock.execute();
            }
            int applied = apply(connection, Dialect.POSTGRESQL, prefix);
            connection.commit();
            return applied;
        } catch (SQLException | RuntimeException | Error e) {
            rollback(connection, e);
            throw e;
        }
    }

    private static int migrateMariaDb(Connection connection, String prefix) throws SQLException {
        connection.setAutoCommit(true);
        String name = prefix + "schema";
        try (PreparedStatement lock = connection.prepareStatement("SELECT GET_LOCK(?, ?)")) {
            lock.setString(1, name);
            lock.setInt(2, GET_LOCK_TIMEOUT_SECONDS);
            try (ResultSet result = lock.executeQuery()) {
                if (!result.next() || result.getInt(1) != 1) {
                    throw new IllegalStateException("could not take the migration lock '" + name + "' within "
                            + GET_LOCK_TIMEOUT_SECONDS + " seconds; is another migration stuck?");
                }
            }
        }
        try {
            return apply(connection, Dialect.MARIADB, prefix);
        } finally {
            try (PreparedStatement unlock = connection.prepareStatement("SELECT RELEASE_LOCK(?)")) {
                unlock.setString(1, name);
                unlock.executeQuery().close();
            }
        }
    }

    private static int migrateH2(Connection connection, String prefix) throws SQLException {
        connection.setAutoCommit(true);
        LOCAL_LOCK.lock();
        try {
            return apply(connection, Dialect.H2, prefix);
        } finally {
            LOCAL_LOCK.unlock();
        }
    }

    /** Creates the version table if needed and applies each missing migration; the caller holds the lock. */
    private static int apply(Connection connection, Dialect dialect, String prefix) throws SQLException {
        String versions = prefix + "schema_version";
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + versions + " (version INT NOT NULL, "
                    + "description VARCHAR(200) NOT NULL, installed_at BIGINT NOT NULL, "
                    + "CONSTRAINT " + versions + "_pk PRIMARY KEY (version))");
        }
        Set<Integer> done = new TreeSet<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT version FROM " + versions)) {
            while (rows.next()) {
                done.add(rows.getInt(1));
            }
        }
        int applied = 0;
        for (Migration migration : Migrations.ALL) {
            if (done.contains(migration.version())) {
                continue;
            }
            try (Statement statement = connection.createStatement()) {
                for (String sql : Migrations.statements(dialect, migration, prefix)) {
                    statement.execute(sql);
                }
            }
            try (PreparedStatement record = connection.prepareStatement(
                    "INSERT INTO " + versions + " (version, description, installed_at) VALUES (?, ?, ?)")) {
                record.setInt(1, migration.version());
                record.setString(2, migration.description());
                record.setLong(3, System.currentTimeMillis());
                record.executeUpdate();
            }
            applied++;
        }
        return applied;
    }

    private static void rollback(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
