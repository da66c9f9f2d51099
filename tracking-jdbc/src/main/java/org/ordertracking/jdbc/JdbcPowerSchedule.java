package org.ordertracking.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.ordertracking.core.PowerPlan;
import org.ordertracking.core.PowerSchedule;
import org.ordertracking.core.internal.Checks;
import org.ordertracking.jdbc.internal.Dialect;
import org.ordertracking.jdbc.internal.H2Writes;
import org.ordertracking.jdbc.internal.Millis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PowerSchedule} in the database, so that every node sees the same plan: the tables
 * {@code <prefix>power_areas}, {@code …power_windows}, {@code …power_restaurants} (the plan),
 * {@code …power_plan} (one row, locked by each replacement) and {@code …power_announcements} (one row
 * per order whose {@code order_at_risk} was announced), created by migration version 3. The caller
 * owns, pools and closes the {@link DataSource}.
 *
 * <p>{@link #plan()} answers from a copy read at most {@link Builder#refreshInterval} ago (default
 * {@value #DEFAULT_REFRESH_SECONDS} seconds): a node sees another node's {@link #replace} within that
 * interval, its own at once. If a refresh fails, the last plan read is kept (and the failure logged);
 * with none read yet, {@code plan()} throws. {@link #replace} rewrites the plan in one transaction after
 * locking the {@code power_plan} row, so two replacements at once run one after the other and the last
 * to commit wins. A claim is kept for 24 hours; older claims are deleted at most once an hour.
 *
 * <pre>{@code
 * JdbcSchema.migrate(dataSource);
 * JdbcPowerSchedule schedule = JdbcPowerSchedule.create(dataSource);
 * schedule.replace(PowerPlan.fromJson(Files.readString(Path.of("power-schedule.json"))));
 * OrderTracker tracker = OrderTracker.builder().powerSchedule(schedule)...build();
 * }</pre>
 *
 * <p>Thread-safe; holds no connection between calls.
 *
 * @since 0.1.0
 */
public final class JdbcPowerSchedule implements PowerSchedule {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcPowerSchedule.class);

    /** Default longest age of the plan {@link #plan()} answers with: 10 seconds. */
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(10);

    private static final Duration CLAIM_RETENTION = Duration.ofHours(24);
    private static final long PRUNE_EVERY_MILLIS = Duration.ofHours(1).toMillis();
    private static final String DAILY = "daily";
    private static final String ONE_OFF = "one_off";

    private final DataSource dataSource;
    private final JdbcConfig config;
    private final Dialect dialect;
    /** On an H2 file database, the writes of this JVM one at a time and synced, as the order repository's. */
    private final H2Writes writes;
    private final long refreshNanos;
    private final String areas;
    private final String windows;
    private final String restaurants;
    private final String planRow;
    private final String announcements;
    private final String claim;
    private final ReentrantLock loading = new ReentrantLock();
    private final AtomicLong lastPrune = new AtomicLong(Long.MIN_VALUE);
    private volatile Loaded loaded;

    private record Loaded(PowerPlan plan, long atNanos) {
    }

    private JdbcPowerSchedule(Builder b) {
        this.dataSource = b.dataSource;
        this.config = b.config;
        this.refreshNanos = b.refreshInterval.toNanos();
        try (Connection connection = dataSource.getConnection()) {
            this.dialect = Dialect.of(connection);
            this.writes = H2Writes.of(connection, dialect);
        } catch (SQLException e) {
            throw new JdbcStoreException("could not connect to detect the database dialect", e);
        }
        String prefix = config.tablePrefix();
        areas = prefix + "power_areas";
        windows = prefix + "power_windows";
        restaurants = prefix + "power_restaurants";
        planRow = prefix + "power_plan";
        announcements = prefix + "power_announcements";
        String insert = " INTO " + announcements + " (order_id, claimed_at) VALUES (?, ?)";
        claim = switch (dialect) {
            case POSTGRESQL -> "INSERT" + insert + " ON CONFLICT (order_id) DO NOTHING";
            case MARIADB -> "INSERT IGNORE" + insert;
            case H2 -> "INSERT" + insert;
        };
    }

    /** Returns a schedule on {@code dataSource} with the default {@link JdbcConfig} and refresh interval. */
    public static JdbcPowerSchedule create(DataSource dataSource) {
        return builder(dataSource).build();
    }

    /** Returns a builder for a schedule on {@code dataSource}. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * Returns the plan as read at most the refresh interval ago.
     *
     * @throws JdbcStoreException if the plan was never read and cannot be read now
     */
    @Override
    public PowerPlan plan() {
        Loaded current = loaded;
        if (current != null && System.nanoTime() - current.atNanos < refreshNanos) {
            return current.plan;
        }
        loading.lock();
        try {
            current = loaded;
            if (current != null && System.nanoTime() - current.atNanos < refreshNanos) {
                return current.plan;   // another thread refreshed it meanwhile
            }
            try {
                PowerPlan plan = load();
                loaded = new Loaded(plan, System.nanoTime());
                return plan;
            } catch (JdbcStoreException | IllegalStateException e) {
                if (current == null) {
                    throw e;
                }
                LOG.warn("could not refresh the power schedule from {}; keeping the plan read before", areas, e);
                loaded = new Loaded(current.plan, System.nanoTime());
                return current.plan;
            }
        } finally {
            loading.unlock();
        }
    }

    /** Reads the plan now, bypassing the refresh interval. */
    public PowerPlan reload() {
        loading.lock();
        try {
            PowerPlan plan = load();
            loaded = new Loaded(plan, System.nanoTime());
            return plan;
        } finally {
            loading.unlock();
        }
    }

    private PowerPlan load() {
        try (Connection connection = dataSource.getConnection()) {
            PowerPlan.Builder builder = PowerPlan.builder();
            try (Statement statement = connection.createStatement()) {
                try (ResultSet rows = statement.executeQuery("SELECT area_id, zone_id FROM " + areas + " ORDER BY area_id")) {
                    while (rows.next()) {
                        String area = rows.getString(1);
                        String zone = rows.getString(2);
                        try {
                            builder.area(area, ZoneId.of(zone));
                        } catch (DateTimeException | IllegalArgumentException e) {
                            throw new IllegalStateException(areas + " row '" + area + "' has an invalid zone '" + zone
                                    + "' or id: " + e.getMessage(), e);
                        }
                    }
                }
                try (ResultSet rows = statement.executeQuery("SELECT area_id, window_no, kind, daily_start, daily_end, "
                        + "one_off_start, one_off_end FROM " + windows + " ORDER BY area_id, window_no")) {
                    while (rows.next()) {
                        String area = rows.getString(1);
                        String kind = rows.getString(3);
                        try {
                            if (DAILY.equals(kind)) {
                                builder.daily(area, LocalTime.ofSecondOfDay(rows.getInt(4)),
                                        LocalTime.ofSecondOfDay(rows.getInt(5)));
                            } else if (ONE_OFF.equals(kind)) {
                                builder.oneOff(area, Millis.toInstant(rows.getLong(6)), Millis.toInstant(rows.getLong(7)));
                            } else {
                                throw new IllegalArgumentException("unknown kind '" + kind + "'");
                            }
                        } catch (DateTimeException | IllegalArgumentException e) {
                            throw new IllegalStateException(windows + " row (" + area + ", " + rows.getInt(2)
                                    + ") is invalid: " + e.getMessage(), e);
                        }
                    }
                }
                try (ResultSet rows = statement.executeQuery("SELECT restaurant_id, area_id FROM " + restaurants)) {
                    while (rows.next()) {
                        try {
                            builder.restaurant(rows.getString(1), rows.getString(2));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalStateException(restaurants + " row '" + rows.getString(1) + "' is invalid: "
                                    + e.getMessage(), e);
                        }
                    }
                }
            }
            return builder.build();
        } catch (SQLException e) {
            throw failure("could not read the power schedule", e);
        }
    }

    /**
     * Replaces the whole plan in one transaction; this node's {@link #plan()} answers with it at once,
     * other nodes' within their refresh interval.
     *
     * @throws JdbcStoreException if the database fails (nothing is changed)
     */
    @Override
    public void replace(PowerPlan plan) {
        Objects.requireNonNull(plan, "plan must not be null");
        loading.lock();
        writes.lock();
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement lock = connection.prepareStatement("UPDATE " + planRow
                        + " SET revision = revision + 1, replaced_at = ? WHERE plan_id = 1")) {
                    lock.setLong(1, System.currentTimeMillis());
                    if (lock.executeUpdate() != 1) {
                        throw new IllegalStateException(planRow + " has no row 1: was migration 3 applied?");
                    }
                }
                try (Statement statement = connection.createStatement()) {
                    statement.executeUpdate("DELETE FROM " + windows);
                    statement.executeUpdate("DELETE FROM " + restaurants);
                    statement.executeUpdate("DELETE FROM " + areas);
                }
                insert(connection, plan);
                connection.commit();
                writes.sync(connection);
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
            loaded = new Loaded(plan, System.nanoTime());
        } catch (SQLException e) {
            throw failure("could not replace the power schedule", e);
        } finally {
            writes.unlock();
            loading.unlock();
        }
    }

    private void insert(Connection connection, PowerPlan plan) throws SQLException {
        try (PreparedStatement area = connection.prepareStatement(
                "INSERT INTO " + areas + " (area_id, zone_id) VALUES (?, ?)");
                PreparedStatement window = connection.prepareStatement("INSERT INTO " + windows
                        + " (area_id, window_no, kind, daily_start, daily_end, one_off_start, one_off_end)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)");
                PreparedStatement restaurant = connection.prepareStatement(
                        "INSERT INTO " + restaurants + " (restaurant_id, area_id) VALUES (?, ?)")) {
            for (PowerPlan.Area a : plan.areas().values()) {
                area.setString(1, a.id());
                area.setString(2, a.zone().getId());
                area.addBatch();
                int n = 0;
                for (PowerPlan.DailyWindow w : a.daily()) {
                    window.setString(1, a.id());
                    window.setInt(2, n++);
                    window.setString(3, DAILY);
                    window.setInt(4, w.start().toSecondOfDay());
                    window.setInt(5, w.end().toSecondOfDay());
                    window.setNull(6, Types.BIGINT);
                    window.setNull(7, Types.BIGINT);
                    window.addBatch();
                }
                for (PowerPlan.OneOffWindow w : a.oneOff()) {
                    window.setString(1, a.id());
                    window.setInt(2, n++);
                    window.setString(3, ONE_OFF);
                    window.setNull(4, Types.INTEGER);
                    window.setNull(5, Types.INTEGER);
                    window.setLong(6, Millis.of(w.start(), "start"));
                    window.setLong(7, Millis.of(w.end(), "end"));
                    window.addBatch();
                }
            }
            area.executeBatch();
            window.executeBatch();
            for (Map.Entry<String, String> e : plan.restaurants().entrySet()) {
                restaurant.setString(1, e.getKey());
                restaurant.setString(2, e.getValue());
                restaurant.addBatch();
            }
            restaurant.executeBatch();
        }
    }

    /**
     * Claims the announcement of an order in {@code <prefix>power_announcements}: exactly one caller
     * across every node sharing the database gets {@code true}.
     *
     * @throws JdbcStoreException if the database fails
     */
    @Override
    public boolean claimAnnouncement(String orderId, Instant at) {
        Checks.requireId(orderId, "orderId");
        long when = Millis.of(Objects.requireNonNull(at, "at must not be null"), "at");
        pruneIfDue(when);
        writes.lock();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(claim)) {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            insert.setString(1, orderId);
            insert.setLong(2, when);
            // PostgreSQL and MariaDB skip the duplicate without an error (count 0); H2 raises one
            boolean claimed = insert.executeUpdate() == 1;
            writes.sync(connection);
            return claimed;
        } catch (SQLException e) {
            if (Dialect.isConstraintViolation(e)) {
                return false;
            }
            throw failure("could not claim the at-risk announcement of order '" + orderId + "'", e);
        } finally {
            writes.unlock();
        }
    }

    /** Deletes claims older than a day, at most once an hour per instance; a failure only logs. */
    private void pruneIfDue(long now) {
        long last = lastPrune.get();
        if (last != Long.MIN_VALUE && now - last < PRUNE_EVERY_MILLIS || !lastPrune.compareAndSet(last, now)) {
            return;
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM " + announcements + " WHERE claimed_at < ?")) {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            delete.setLong(1, now - CLAIM_RETENTION.toMillis());
            delete.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("could not delete old at-risk claims from {}; trying again in an hour", announcements, e);
        }
    }

    /** Returns the settings. */
    public JdbcConfig config() {
        return config;
    }

    @Override
    public String toString() {
        return "JdbcPowerSchedule[" + dialect + ", tablePrefix=" + config.tablePrefix() + "]";
    }

    private JdbcStoreException failure(String what, SQLException e) {
        return new JdbcStoreException(what + " in " + areas + " and its tables (" + dialect + ", SQLState "
                + e.getSQLState() + "): " + e.getMessage(), e);
    }

    /**
     * Builds a {@link JdbcPowerSchedule}. Not thread-safe.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private final DataSource dataSource;
        private JdbcConfig config = JdbcConfig.defaults();
        private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
        }

        /** Sets the settings (the table prefix); default {@link JdbcConfig#defaults()}. */
        public Builder config(JdbcConfig config) {
            this.config = Objects.requireNonNull(config, "config must not be null");
            return this;
        }

        /**
         * The longest age of the plan {@link JdbcPowerSchedule#plan()} answers with; zero reads the
         * database on every call. Default {@link #DEFAULT_REFRESH_INTERVAL}.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder refreshInterval(Duration interval) {
            Objects.requireNonNull(interval, "refreshInterval must not be null");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("refreshInterval must not be negative, but was " + interval);
            }
            this.refreshInterval = interval;
            return this;
        }

        /**
         * Builds the schedule; borrows one connection to detect the dialect.
         *
         * @throws JdbcStoreException if no connection can be had
         * @throws IllegalStateException if the database is not PostgreSQL, MariaDB/MySQL or H2
         */
        public JdbcPowerSchedule build() {
            return new JdbcPowerSchedule(this);
        }
    }
}
