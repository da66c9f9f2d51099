package org.ordertracking.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The databases the ITs run on, pooled with HikariCP so connection leaks are countable. A database
 * that cannot be reached fails the test with a message naming its URL and property: never a skip.
 */
final class TestDatabases {
    static final String POSTGRES_PROPERTY = "tracking.test.postgres";
    static final String MARIADB_PROPERTY = "tracking.test.mariadb";
    static final String POSTGRES_DEFAULT = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    static final String MARIADB_DEFAULT = "jdbc:mariadb://127.0.0.1:3306/test?user=root";

    /** Lock waits in H2 default to one second, too short for 16 threads racing one row on a busy machine. */
    private static final String H2_OPTIONS = ";LOCK_TIMEOUT=20000";

    private TestDatabases() {
    }

    static String postgresUrl() {
        return System.getProperty(POSTGRES_PROPERTY, POSTGRES_DEFAULT);
    }

    static String mariadbUrl() {
        return System.getProperty(MARIADB_PROPERTY, MARIADB_DEFAULT);
    }

    static String h2MemoryUrl() {
        return "jdbc:h2:mem:tracking_" + random() + ";DB_CLOSE_DELAY=-1" + H2_OPTIONS;
    }

    static Path h2FileBase() {
        return Path.of("target", "h2-it", "tracking_" + random()).toAbsolutePath();
    }

    static String h2FileUrl(Path base) {
        return "jdbc:h2:file:" + base + H2_OPTIONS;
    }

    /** A table prefix no other run uses. */
    static String randomPrefix() {
        return "t" + random() + "_";
    }

    private static String random() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    /**
     * Opens a pool on {@code url}, failing at once (not skipping) if the database is not there.
     *
     * @param what e.g. "PostgreSQL (system property tracking.test.postgres)"
     */
    static HikariDataSource pool(String url, String what) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setPoolName("it-" + random());
        config.setMaximumPoolSize(24);
        config.setMinimumIdle(2);
        config.setConnectionTimeout(30_000);
        config.setInitializationFailTimeout(5_000);
        config.setRegisterMbeans(false);
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new AssertionError(what + " is not reachable at " + url + ": start it, or point the "
                    + "system property at a running one. Cause: "
                    + e, e);
        }
    }

    /** Drops every table of {@code prefix}, children first. */
    static void dropTables(DataSource dataSource, String prefix) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            for (String table : new String[] {"order_events", "orders", "notifications", "power_windows",
                    "power_restaurants", "power_announcements", "power_areas", "power_plan", "restaurant_presence",
                    "stuck_orders", "locks", "schema_version"}) {
                statement.execute("DROP TABLE IF EXISTS " + prefix + table);
            }
        }
    }

    /** Returns the tables whose name starts with {@code prefix}, in any letter case. */
    static java.util.List<String> tablesWithPrefix(DataSource dataSource, String prefix) throws SQLException {
        java.util.List<String> found = new java.util.ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                java.sql.ResultSet rows = connection.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
            while (rows.next()) {
                String name = rows.getString("TABLE_NAME");
                if (name.toLowerCase(java.util.Locale.ROOT).startsWith(prefix)) {
                    found.add(name);
                }
            }
        }
        return found;
    }

    static void deleteH2Files(Path base) throws IOException {
        Path dir = base.getParent();
        if (!Files.isDirectory(dir)) {
            return;
        }
        String name = base.getFileName().toString();
        try (var files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(name)).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
