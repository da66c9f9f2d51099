package org.ordertracking.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {

    @Test
    void parse_nothing_givesTheEmbeddedDefaults() {
        DemoOptions options = DemoOptions.parse(new String[0], Map.of());
        assertEquals(8080, options.port());
        assertEquals(Path.of("data"), options.dataDir());
        assertNull(options.redisUri());
        assertNull(options.jdbcUrl());
        assertTrue(options.simulator());
        assertNull(options.jwtSecret());
    }

    @Test
    void parse_environment_isUsedWhenNoOptionIsGiven() {
        DemoOptions options = DemoOptions.parse(new String[0], Map.of("PORT", "9090", "DATA_DIR", "/tmp/d",
                "REDIS_URL", "redis://127.0.0.1:6379", "JDBC_URL", "jdbc:postgresql://h/db", "NO_SIMULATOR", "true",
                "TRACKING_JWT_SECRET", "x".repeat(32)));
        assertEquals(9090, options.port());
        assertEquals(Path.of("/tmp/d"), options.dataDir());
        assertEquals("redis://127.0.0.1:6379", options.redisUri());
        assertEquals("jdbc:postgresql://h/db", options.jdbcUrl());
        assertFalse(options.simulator());
        assertEquals("x".repeat(32), options.jwtSecret());
    }

    @Test
    void parse_powerSchedule_isOffByDefault_andOnByOptionOrEnvironment() {
        assertFalse(DemoOptions.parse(new String[0], Map.of()).powerSchedule());
        assertTrue(DemoOptions.parse(new String[] {"--power-schedule"}, Map.of()).powerSchedule());
        assertTrue(DemoOptions.parse(new String[0], Map.of("POWER_SCHEDULE", "true")).powerSchedule());
        DemoOptions options = DemoOptions.parse(new String[] {"--power-schedule", "--port", "7070"}, Map.of());
        assertTrue(options.withPort(0).powerSchedule(), "kept by the copies");
        assertFalse(options.withPowerSchedule(false).powerSchedule());
        assertTrue(DemoOptions.USAGE.contains("--power-schedule"));
    }

    @Test
    void parse_optionsWinOverEnvironment() {
        DemoOptions options = DemoOptions.parse(new String[] {"--port", "7070", "--no-simulator", "--data-dir", "here"},
                Map.of("PORT", "9090"));
        assertEquals(7070, options.port());
        assertEquals(Path.of("here"), options.dataDir());
        assertFalse(options.simulator());
    }

    @Test
    void parse_badPort_isRejectedNamingOptionAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DemoOptions.parse(new String[] {"--port", "eighty"}, Map.of()));
        assertEquals("--port must be a port number, but was 'eighty'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--port", "70000"}, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[0], Map.of("PORT", "-1")));
    }

    @Test
    void parse_unknownOptionOrMissingValue_isRejected() {
        assertEquals("unknown option '--verbose'; see --help", assertThrows(IllegalArgumentException.class,
                () -> DemoOptions.parse(new String[] {"--verbose"}, Map.of())).getMessage());
        assertEquals("--redis needs a value", assertThrows(IllegalArgumentException.class,
                () -> DemoOptions.parse(new String[] {"--redis"}, Map.of())).getMessage());
    }

    @Test
    void parse_shortSecret_isRejectedWithoutShowingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DemoOptions.parse(new String[0], Map.of("TRACKING_JWT_SECRET", "hunter2")));
        assertEquals("TRACKING_JWT_SECRET must be at least 32 characters, but was 7", e.getMessage());
    }

    @Test
    void parse_mariadbUrl_isAcceptedByTheBundledDriver() {
        String url = "jdbc:mariadb://127.0.0.1:3306/test?user=root";
        assertEquals(url, DemoOptions.parse(new String[] {"--jdbc", url}, Map.of()).jdbcUrl());
        assertEquals("jdbc:h2:mem:x", DemoOptions.parse(new String[] {"--jdbc", "jdbc:h2:mem:x"}, Map.of()).jdbcUrl());
    }

    @Test
    void parse_jdbcUrlNoBundledDriverAccepts_isOneLineNamingTheSupportedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(
                new String[] {"--jdbc", "jdbc:oracle:thin:scott/tiger@db:1521/orcl"}, Map.of()));
        assertEquals("--jdbc 'jdbc:oracle:…' is not supported: the demo bundles drivers for jdbc:postgresql:, "
                + "jdbc:mariadb: and jdbc:h2:", e.getMessage());
        assertFalse(e.getMessage().contains("tiger"), "the rest of the URL may hold a password");
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[0],
                Map.of("JDBC_URL", "postgres://h/db")));
    }

    @Test
    void parse_help_isSignalled() {
        assertThrows(DemoOptions.HelpRequested.class, () -> DemoOptions.parse(new String[] {"--help"}, Map.of()));
    }
}
