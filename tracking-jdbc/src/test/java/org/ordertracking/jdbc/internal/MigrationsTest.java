package org.ordertracking.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MigrationsTest {

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void statements_otherPrefix_renameEveryTableAndIndex(Dialect dialect) {
        List<String> statements = Migrations.statements(dialect, Migrations.ALL.get(0), "shop_");

        assertFalse(statements.isEmpty());
        for (String statement : statements) {
            assertFalse(statement.contains("tracking_"), statement);
            assertFalse(statement.endsWith(";"), statement);
            assertFalse(statement.contains("--"), statement);
        }
        String all = String.join("\n", statements);
        for (String table : List.of("shop_orders", "shop_order_events", "shop_notifications")) {
            assertTrue(all.contains("CREATE TABLE IF NOT EXISTS " + table + " ("), table);
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void statements_everyLaterMigration_renamesEveryPrefixedName(Dialect dialect) {
        for (Migrations.Migration migration : Migrations.ALL.subList(1, Migrations.ALL.size())) {
            for (String statement : Migrations.statements(dialect, migration, "shop_")) {
                assertFalse(statement.contains("tracking_"), migration + ": " + statement);
                // every statement of a later migration works on a table of ours, under the new prefix
                assertTrue(statement.contains("shop_"), migration + ": " + statement);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void all_versionsAreConsecutiveFromOne() {
        for (int i = 0; i < Migrations.ALL.size(); i++) {
            assertEquals(i + 1, Migrations.ALL.get(i).version(), Migrations.ALL.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void retentionLocks_createTheLockTableAndItsRetentionRow(Dialect dialect) {
        Migrations.Migration locks = Migrations.ALL.stream().filter(m -> m.version() == 5).findFirst().orElseThrow();
        String all = String.join("\n", Migrations.statements(dialect, locks, "shop_"));

        assertTrue(all.contains("CREATE TABLE IF NOT EXISTS shop_locks ("), all);
        assertTrue(all.contains("shop_locks (name)") && all.contains("'retention'"), all);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void statements_defaultPrefix_areTheScriptAsFlywayRunsIt(Dialect dialect) {
        List<String> statements = Migrations.statements(dialect, Migrations.ALL.get(0), "tracking_");
        assertTrue(statements.get(0).startsWith("CREATE TABLE IF NOT EXISTS tracking_orders ("), statements.get(0));
    }

    @org.junit.jupiter.api.Test
    void split_dropsCommentLinesAndSplitsAtLineEndingSemicolons() {
        assertEquals(List.of("CREATE TABLE a (x INT)", "CREATE INDEX i\n    ON a (x)"),
                Migrations.split("-- header\nCREATE TABLE a (x INT);\n\n  -- note\nCREATE INDEX i\n    ON a (x);\n"));
    }
}
