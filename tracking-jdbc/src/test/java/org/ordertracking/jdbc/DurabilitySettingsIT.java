package org.ordertracking.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ordertracking.jdbc.internal.Dialect;
import org.ordertracking.jdbc.internal.Durability;

/** The durability check reads the real settings of each supported database. */
class DurabilitySettingsIT {

    @Test
    void postgres_default_isDurable_andSessionSynchronousCommitOff_isSeen() throws Exception {
        try (HikariDataSource pool = TestDatabases.pool(TestDatabases.postgresUrl(), "PostgreSQL");
                Connection connection = pool.getConnection()) {
            assertEquals(List.of(), risks(connection, Dialect.POSTGRESQL));
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET synchronous_commit = off"); // this session's commits only
            }
            List<String> risks = risks(connection, Dialect.POSTGRESQL);
            assertEquals(1, risks.size(), risks.toString());
            assertTrue(risks.get(0).contains("synchronous_commit"), risks.get(0));
            try (Statement statement = connection.createStatement()) {
                statement.execute("RESET synchronous_commit");
            }
        }
    }

    @Test
    void mariadb_settingIsRead_andJudged() throws Exception {
        try (HikariDataSource pool = TestDatabases.pool(TestDatabases.mariadbUrl(), "MariaDB");
                Connection connection = pool.getConnection()) {
            var settings = Durability.settings(connection, Dialect.MARIADB);
            String flush = settings.get("innodb_flush_log_at_trx_commit");
            assertTrue(flush != null && flush.matches("[0-2]"), "read " + settings);
            assertEquals("1".equals(flush), Durability.risks(Dialect.MARIADB, settings).isEmpty(), settings.toString());
        }
    }

    @Test
    void h2_defaultFileUrl_isLossy_writeDelayZero_isNot_andMemory_isLossy() throws Exception {
        Path base = TestDatabases.h2FileBase();
        try (HikariDataSource pool = TestDatabases.pool("jdbc:h2:file:" + base, "H2 file");
                Connection connection = pool.getConnection()) {
            List<String> risks = risks(connection, Dialect.H2);
            assertEquals(1, risks.size(), risks.toString());
            assertTrue(risks.get(0).contains("WRITE_DELAY"), risks.get(0));
        }
        try (HikariDataSource pool = TestDatabases.pool("jdbc:h2:file:" + base + "d0;WRITE_DELAY=0", "H2 file");
                Connection connection = pool.getConnection()) {
            assertEquals(List.of(), risks(connection, Dialect.H2));
        }
        try (HikariDataSource pool = TestDatabases.pool(TestDatabases.h2MemoryUrl(), "H2 memory");
                Connection connection = pool.getConnection()) {
            List<String> risks = risks(connection, Dialect.H2);
            assertEquals(1, risks.size(), risks.toString());
            assertTrue(risks.get(0).contains("orders do not survive a restart"), risks.get(0));
        }
    }

    private static List<String> risks(Connection connection, Dialect dialect) throws Exception {
        return Durability.risks(dialect, Durability.settings(connection, dialect));
    }
}
