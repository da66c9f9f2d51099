package org.ordertracking.spring.autoconfigure;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import javax.sql.DataSource;

/**
 * Reads the size and age of the outbox (events committed but not yet published) from the JDBC
 * tables, for the {@code tracking.outbox.*} meters and the health indicator. One indexed query;
 * the result is kept for one second so that one scrape reading two gauges queries once.
 * Thread-safe.
 */
class OutboxProbe {
    private static final long CACHE_MILLIS = 1000;

    /** The outbox's size and the age of its oldest event ({@link Duration#ZERO} when empty). */
    record Backlog(long events, Duration oldestAge) {
    }

    private final DataSource dataSource;
    private final String sql;
    private final InstantSource clock;
    private long readAt = Long.MIN_VALUE;
    private Backlog last;

    OutboxProbe(DataSource dataSource, String tablePrefix, InstantSource clock) {
        this.dataSource = dataSource;
        // the prefix is validated by JdbcConfig (letters, digits, '_'), so it is safe in the statement
        this.sql = "SELECT COUNT(*), MIN(occurred_at) FROM " + tablePrefix + "order_events WHERE published = FALSE";
        this.clock = clock;
    }

    /** The current backlog; at most one second old. */
    synchronized Backlog read() throws SQLException {
        long now = clock.millis();
        if (last != null && now - readAt < CACHE_MILLIS && now >= readAt) {
            return last;
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql);
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            long events = rows.getLong(1);
            long oldest = rows.getLong(2);
            boolean none = rows.wasNull();
            last = new Backlog(events, none ? Duration.ZERO : Duration.ofMillis(Math.max(0, now - oldest)));
            readAt = now;
            return last;
        }
    }
}
