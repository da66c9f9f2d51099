package org.ordertracking.examples.demo;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The demo's settings, from command-line options first and environment variables second.
 *
 * <pre>
 * --port N          PORT                  HTTP port (default 8080; 0 picks a free one)
 * --host ADDR       HOST                  interface to listen on (default 127.0.0.1, this machine only)
 * --data-dir DIR    DATA_DIR              where the H2 file database lives (default ./data)
 * --redis URI       REDIS_URL             use Redis for the bus and the location store
 * --jdbc URL        JDBC_URL              use this database instead of the H2 file (PostgreSQL, MariaDB or H2)
 * --no-simulator    NO_SIMULATOR=true     do not start the simulated restaurant and drivers
 * --power-schedule  POWER_SCHEDULE=true   load the shipped power-cut schedule of the demo's Beirut areas
 *                   TRACKING_JWT_SECRET   HS256 secret for tokens (generated into DATA_DIR/jwt-secret when unset)
 * </pre>
 *
 * @param port HTTP port, 0 for any free one
 * @param dataDir directory of the H2 file database
 * @param redisUri Redis URI, or {@code null} for the in-memory bus and store
 * @param jdbcUrl JDBC URL, or {@code null} for the H2 file database under {@code dataDir}
 * @param simulator whether to run the simulated restaurant and drivers
 * @param jwtSecret the token secret, or {@code null} to generate one
 * @param staleAfter when a driver's position turns "low coverage" (default 30 s; shorter in tests)
 * @param lostAfter when it turns "connection lost" (default 2 min; shorter in tests)
 * @param host the interface to listen on: {@value #DEFAULT_HOST} (this machine only) unless widened
 * @param powerSchedule whether to load the shipped power-cut schedule ({@value #POWER_SCHEDULE_RESOURCE}):
 *     a two-minute cut every six minutes in each of the demo's areas, so at-risk orders show up on the boards
 */
public record DemoOptions(int port, Path dataDir, String redisUri, String jdbcUrl, boolean simulator, String jwtSecret,
        Duration staleAfter, Duration lostAfter, String host, boolean powerSchedule) {

    /** The classpath resource of the demo's power-cut schedule. */
    public static final String POWER_SCHEDULE_RESOURCE = "/demo-power-schedule.json";

    public static final int DEFAULT_PORT = 8080;
    /** Loopback: a demo on a shared office network is reachable only from the machine it runs on. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final Path DEFAULT_DATA_DIR = Path.of("data");

    public DemoOptions {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in [0, 65535], but was " + port);
        }
        Objects.requireNonNull(dataDir, "dataDir must not be null");
        Objects.requireNonNull(staleAfter, "staleAfter must not be null");
        Objects.requireNonNull(lostAfter, "lostAfter must not be null");
        if (staleAfter.isNegative() || staleAfter.isZero() || lostAfter.compareTo(staleAfter) <= 0) {
            throw new IllegalArgumentException("need 0 < staleAfter < lostAfter, but were " + staleAfter + " and "
                    + lostAfter);
        }
        Objects.requireNonNull(host, "host must not be null");
        if (host.isBlank() || !host.matches("[A-Za-z0-9.:\\-\\[\\]%]+")) {
            throw new IllegalArgumentException("host must be an address or host name, but was '" + host + "'");
        }
        if (jwtSecret != null && jwtSecret.length() < 32) {
            throw new IllegalArgumentException("TRACKING_JWT_SECRET must be at least 32 characters, but was "
                    + jwtSecret.length());
        }
    }

    /** The options without the power-cut schedule. */
    public DemoOptions(int port, Path dataDir, String redisUri, String jdbcUrl, boolean simulator, String jwtSecret,
            Duration staleAfter, Duration lostAfter, String host) {
        this(port, dataDir, redisUri, jdbcUrl, simulator, jwtSecret, staleAfter, lostAfter, host, false);
    }

    /** The options listening on {@value #DEFAULT_HOST}. */
    public DemoOptions(int port, Path dataDir, String redisUri, String jdbcUrl, boolean simulator, String jwtSecret,
            Duration staleAfter, Duration lostAfter) {
        this(port, dataDir, redisUri, jdbcUrl, simulator, jwtSecret, staleAfter, lostAfter, DEFAULT_HOST);
    }

    /** The defaults: 127.0.0.1 port 8080, ./data, everything embedded, simulator on. */
    public static DemoOptions defaults() {
        return new DemoOptions(DEFAULT_PORT, DEFAULT_DATA_DIR, null, null, true, null, Duration.ofSeconds(30),
                Duration.ofMinutes(2));
    }

    /** Whether the demo listens on loopback only (the default). */
    public boolean loopbackOnly() {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
    }

    /**
     * Parses command-line arguments, falling back to environment variables.
     *
     * @throws IllegalArgumentException naming the bad option or value
     */
    public static DemoOptions parse(String[] args, Map<String, String> env) {
        int port = env.containsKey("PORT") ? parsePort(env.get("PORT"), "PORT") : DEFAULT_PORT;
        String host = env.containsKey("HOST") && !env.get("HOST").isBlank() ? env.get("HOST").trim() : DEFAULT_HOST;
        Path dataDir = env.containsKey("DATA_DIR") ? Path.of(env.get("DATA_DIR")) : DEFAULT_DATA_DIR;
        String redis = blankToNull(env.get("REDIS_URL"));
        String jdbc = blankToNull(env.get("JDBC_URL"));
        boolean simulator = !"true".equalsIgnoreCase(env.getOrDefault("NO_SIMULATOR", "false"));
        String secret = blankToNull(env.get("TRACKING_JWT_SECRET"));
        boolean power = "true".equalsIgnoreCase(env.getOrDefault("POWER_SCHEDULE", "false"));
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String option = rest.remove(0);
            switch (option) {
                case "--port" -> port = parsePort(value(option, rest), "--port");
                case "--host" -> host = value(option, rest);
                case "--data-dir" -> dataDir = Path.of(value(option, rest));
                case "--redis" -> redis = value(option, rest);
                case "--jdbc" -> jdbc = value(option, rest);
                case "--no-simulator" -> simulator = false;
                case "--power-schedule" -> power = true;
                case "--help", "-h" -> throw new HelpRequested();
                default -> throw new IllegalArgumentException("unknown option '" + option + "'; see --help");
            }
        }
        if (jdbc != null) {
            requireBundledDriver(jdbc);
        }
        DemoOptions defaults = defaults();
        return new DemoOptions(port, dataDir, redis, jdbc, simulator, secret, defaults.staleAfter,
                defaults.lostAfter, host, power);
    }

    /** The JDBC URL prefixes of the drivers the demo bundles. */
    public static final String SUPPORTED_JDBC = "jdbc:postgresql:, jdbc:mariadb: and jdbc:h2:";

    /**
     * Fails, in one line naming the supported databases, for a URL that no bundled driver accepts
     * (instead of HikariCP's "No suitable driver" stack trace at start). Only the URL's scheme is
     * shown: the rest may hold a password.
     */
    static void requireBundledDriver(String jdbcUrl) {
        try {
            DriverManager.getDriver(jdbcUrl);
        } catch (SQLException e) {
            String[] parts = jdbcUrl.split(":", 3);
            String scheme = (parts.length >= 2 ? parts[0] + ":" + parts[1] + ":" : jdbcUrl).replaceAll("\\p{Cntrl}", "?");
            scheme = scheme.length() > 40 ? scheme.substring(0, 40) : scheme;
            throw new IllegalArgumentException("--jdbc '" + scheme + "…' is not supported: the demo "
                    + "bundles drivers for " + SUPPORTED_JDBC);
        }
    }

    /** Returns a copy with other staleness thresholds (tests use seconds, not minutes). */
    public DemoOptions withStaleness(Duration stale, Duration lost) {
        return new DemoOptions(port, dataDir, redisUri, jdbcUrl, simulator, jwtSecret, stale, lost, host,
                powerSchedule);
    }

    /** Returns a copy on another port. */
    public DemoOptions withPort(int newPort) {
        return new DemoOptions(newPort, dataDir, redisUri, jdbcUrl, simulator, jwtSecret, staleAfter, lostAfter,
                host, powerSchedule);
    }

    /** Returns a copy listening on another interface. */
    public DemoOptions withHost(String newHost) {
        return new DemoOptions(port, dataDir, redisUri, jdbcUrl, simulator, jwtSecret, staleAfter, lostAfter,
                newHost, powerSchedule);
    }

    /** Returns a copy with the shipped power-cut schedule on or off. */
    public DemoOptions withPowerSchedule(boolean on) {
        return new DemoOptions(port, dataDir, redisUri, jdbcUrl, simulator, jwtSecret, staleAfter, lostAfter, host, on);
    }

    public static final String USAGE = """
            Order Tracking SDK demo

              --port N         HTTP port (env PORT, default 8080)
              --host ADDR      interface to listen on (env HOST, default 127.0.0.1: this machine only);
                               0.0.0.0 opens the demo to the network (customer tracking pages only)
              --data-dir DIR   H2 file database directory (env DATA_DIR, default ./data)
              --redis URI      Redis for bus and locations, e.g. redis://127.0.0.1:6379 (env REDIS_URL)
              --jdbc URL       database instead of H2 (env JDBC_URL): PostgreSQL, MariaDB or H2, e.g.
                               jdbc:postgresql://127.0.0.1:5432/test?user=postgres
                               jdbc:mariadb://127.0.0.1:3306/test?user=root
              --no-simulator   no simulated restaurant and drivers (env NO_SIMULATOR=true)
              --power-schedule a power cut every few minutes in the demo's Beirut areas, so the boards
                               flag orders at risk of one (env POWER_SCHEDULE=true)

              TRACKING_JWT_SECRET  token secret (at least 32 characters); when unset, one is generated
                                   into DATA_DIR/jwt-secret (owner-only) and kept across restarts
            """;

    /** Thrown by {@link #parse} for {@code --help}. */
    public static final class HelpRequested extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super(USAGE, null, false, false);
        }
    }

    private static String value(String option, List<String> rest) {
        if (rest.isEmpty() || rest.get(0).startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return rest.remove(0);
    }

    private static int parsePort(String value, String name) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number, but was '" + value + "'");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
