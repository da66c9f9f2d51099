package org.ordertracking.jdbc.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the settings that decide whether a commit the database acknowledged survives a crash, and
 * warns (once per JVM and finding) when the store is configured to lose acknowledged commits: an
 * order transition answered 200 and published could come back at its previous status after a
 * restart.
 *
 * <ul>
 *   <li>H2: an in-memory database ({@code jdbc:h2:mem:}) keeps nothing across a restart; a file
 *       database with {@code WRITE_DELAY > 0} (H2's default is 500 ms) writes commits in the
 *       background, so the last commits die with the process, and the background store can cut a
 *       commit in two. {@code WRITE_DELAY=0} writes each commit before returning; {@link H2Writes}
 *       keeps the repository's commits whole and syncs them.</li>
 *   <li>PostgreSQL: {@code synchronous_commit = off} (as this connection sees it: the session
 *       value, which is what its commits use) or {@code fsync = off}.</li>
 *   <li>MariaDB/MySQL: {@code innodb_flush_log_at_trx_commit} other than 1.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class Durability {
    private static final Logger LOG = LoggerFactory.getLogger("org.ordertracking.jdbc.Durability");
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private Durability() {
    }

    /** Reads the settings on {@code connection} and logs a WARN for each risk not yet warned about. */
    public static void warnIfLossy(Connection connection, Dialect dialect) {
        List<String> risks;
        try {
            risks = risks(dialect, settings(connection, dialect));
        } catch (SQLException | RuntimeException e) {
            LOG.debug("could not read the {} durability settings", dialect, e);
            return;
        }
        for (String risk : risks) {
            if (WARNED.add(dialect + risk)) {
                LOG.warn("DURABILITY: {} (see docs/jdbc.md, \"Durability per store\")", risk);
            }
        }
    }

    /** The settings {@link #risks} judges, read from the database. */
    public static Map<String, String> settings(Connection connection, Dialect dialect) throws SQLException {
        Map<String, String> settings = new TreeMap<>();
        switch (dialect) {
            case H2 -> {
                settings.put("url", String.valueOf(connection.getMetaData().getURL()));
                settings.put("WRITE_DELAY", single(connection, "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS "
                        + "WHERE SETTING_NAME = 'WRITE_DELAY'"));
            }
            case POSTGRESQL -> {
                settings.put("synchronous_commit", single(connection, "SHOW synchronous_commit"));
                settings.put("fsync", single(connection, "SHOW fsync"));
            }
            case MARIADB -> settings.put("innodb_flush_log_at_trx_commit",
                    single(connection, "SELECT @@innodb_flush_log_at_trx_commit"));
        }
        return settings;
    }

    /**
     * What in {@code settings} (as read by {@link #settings}) loses acknowledged commits, one
     * sentence each; empty when nothing does. A missing setting is not a risk.
     */
    public static List<String> risks(Dialect dialect, Map<String, String> settings) {
        Objects.requireNonNull(dialect, "dialect must not be null");
        List<String> risks = new ArrayList<>();
        switch (dialect) {
            case H2 -> {
                String url = settings.getOrDefault("url", "");
                if (url.startsWith("jdbc:h2:mem:") || url.contains("/mem:")) {
                    risks.add("the H2 database is in memory: orders do not survive a restart; use a file "
                            + "database (jdbc:h2:file:…;WRITE_DELAY=0) or PostgreSQL/MariaDB");
                } else if (number(settings.get("WRITE_DELAY")) > 0) {
                    risks.add("H2 WRITE_DELAY is " + settings.get("WRITE_DELAY") + " ms: H2 writes commits up to "
                            + settings.get("WRITE_DELAY") + " ms late from a background thread, so commits it "
                            + "acknowledged in that time die with the process (JdbcOrderRepository syncs its own), "
                            + "and that thread can store half of a commit in flight (an order without its event); "
                            + "add ;WRITE_DELAY=0 to the JDBC URL");
                }
            }
            case POSTGRESQL -> {
                if ("off".equals(lower(settings.get("synchronous_commit")))) {
                    risks.add("PostgreSQL synchronous_commit is off for this connection: commits acknowledged "
                            + "in the last moments (up to 3 x wal_writer_delay) are lost when the server "
                            + "crashes; set synchronous_commit = on (or local, remote_write, remote_apply)");
                }
                if ("off".equals(lower(settings.get("fsync")))) {
                    risks.add("PostgreSQL fsync is off: a power cut or OS crash can lose acknowledged commits "
                            + "and corrupt the database; set fsync = on");
                }
            }
            case MARIADB -> {
                String flush = settings.get("innodb_flush_log_at_trx_commit");
                if (flush != null && number(flush) != 1) {
                    risks.add("innodb_flush_log_at_trx_commit is " + flush + ": up to a second of acknowledged "
                            + "commits is lost when the server " + (number(flush) == 2 ? "machine loses power"
                            : "crashes") + "; set innodb_flush_log_at_trx_commit = 1");
                }
            }
        }
        return List.copyOf(risks);
    }

    private static String single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            return result.next() ? result.getString(1) : null;
        }
    }

    private static String lower(String value) {
        return value == null ? null : value.trim().toLowerCase(Locale.ROOT);
    }

    private static long number(String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
