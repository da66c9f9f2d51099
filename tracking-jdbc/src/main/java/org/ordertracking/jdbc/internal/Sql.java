package org.ordertracking.jdbc.internal;

/**
 * The SQL text of every repository statement for one table prefix and dialect, built once. The
 * prefix was validated by {@code JdbcConfig} as a plain identifier part, so pasting it is safe;
 * every value is a bind parameter.
 */
public final class Sql {
    private static final String ORDER_COLUMNS =
            "order_id, restaurant_id, customer_id, driver_id, dest_lat, dest_lon, status, seq, created_at, updated_at";
    private static final String EVENT_COLUMNS =
            "order_id, seq, status, previous_status, reason, actor, occurred_at";
    private static final String ACTIVE = "status NOT IN ('delivered', 'failed')";

    public final String orders;
    public final String events;
    public final String notifications;
    public final String presence;
    public final String stuckOrders;
    /** Named lock rows (schema version 5): one row per task that one node at a time may run. */
    public final String locks;

    public final String insertOrder;
    public final String insertEvent;
    public final String selectOrder;
    public final String selectOrderForUpdate;
    /** {@code selectOrders} without the placeholders and the closing parenthesis: see {@link #selectOrders(int)}. */
    private final String selectOrdersIn;
    public final String updateStatus;
    public final String updateDriver;
    public final String selectEvent;
    public final String selectEventsAfter;
    public final String activeOfRestaurant;
    public final String activeOfCustomer;
    public final String activeOfDriver;
    public final String byStatus;
    public final String relay;
    public final String markPublished;
    public final String claimNotification;
    public final String seenUpdate;
    public final String seenInsert;
    public final String waitingByRestaurant;
    private final String presenceOfOpen;
    private final String deleteStuckIn;
    public final String offlineRestaurants;
    public final String offlineUpdate;
    public final String offlineInsert;
    public final String onlineUpdate;
    public final String claimStuck;
    public final String outboxBacklog;
    /** Locks a named row of {@link #locks} for the transaction, or returns no row if another holds it. */
    public final String lockNamed;
    /** Whether a named lock row exists (without locking it). */
    public final String selectNamed;
    /** Inserts a named lock row, doing nothing (or, on H2, failing with a constraint violation) if it exists. */
    public final String insertNamed;
    /** Up to {@code ?} terminal orders finished before {@code ?} whose events are all published. */
    public final String purgeable;
    private final String lockTerminalIn;
    private final String deleteNotificationsIn;
    private final String deleteEventsIn;
    private final String deleteOrdersIn;
    /** The highest seq in an order's audit trail (null when it has none). */
    public final String lastEventSeq;
    /** Orders whose seq is not the highest seq of their audit trail: (order_id, seq, trail seq or null). */
    public final String tornOrders;
    /** Order ids that have events but no order row. */
    public final String orphanEventOrders;
    public final String deleteOrder;
    public final String deleteEventsOfOrder;

    public Sql(String prefix, Dialect dialect) {
        orders = prefix + "orders";
        events = prefix + "order_events";
        notifications = prefix + "notifications";
        presence = prefix + "restaurant_presence";
        stuckOrders = prefix + "stuck_orders";
        locks = prefix + "locks";

        insertOrder = "INSERT INTO " + orders + " (" + ORDER_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        insertEvent = "INSERT INTO " + events + " (" + EVENT_COLUMNS + ", published) VALUES (?, ?, ?, ?, ?, ?, ?, FALSE)";
        selectOrder = "SELECT " + ORDER_COLUMNS + " FROM " + orders + " WHERE order_id = ?";
        selectOrderForUpdate = selectOrder + " FOR UPDATE";
        selectOrdersIn = "SELECT " + ORDER_COLUMNS + " FROM " + orders + " WHERE order_id IN (";
        updateStatus = "UPDATE " + orders + " SET status = ?, seq = ?, updated_at = ? WHERE order_id = ?";
        updateDriver = "UPDATE " + orders + " SET driver_id = ? WHERE order_id = ?";
        selectEvent = "SELECT " + EVENT_COLUMNS + " FROM " + events + " WHERE order_id = ? AND seq = ?";
        selectEventsAfter = "SELECT " + EVENT_COLUMNS + " FROM " + events + " WHERE order_id = ? AND seq > ? ORDER BY seq";
        activeOfRestaurant = active("restaurant_id");
        activeOfCustomer = active("customer_id");
        // H2 has no partial index: version 2 of its schema emulates one with a generated column that
        // holds the driver only while the order is live; the other databases index (driver_id, …) live rows
        activeOfDriver = dialect == Dialect.H2
                ? "SELECT " + ORDER_COLUMNS + " FROM " + orders + " WHERE active_driver_id = ? ORDER BY created_at, order_id"
                : active("driver_id");
        byStatus = "SELECT " + ORDER_COLUMNS + " FROM " + orders + " WHERE status = ? AND updated_at < ?"
                + " ORDER BY updated_at, order_id " + (dialect == Dialect.H2 ? "FETCH FIRST ? ROWS ONLY" : "LIMIT ?");
        relay = "SELECT " + EVENT_COLUMNS + " FROM " + events + " WHERE " + dialect.unpublishedPredicate()
                + " AND occurred_at < ? ORDER BY occurred_at, order_id, seq " + dialect.limitForUpdateSkipLocked();
        markPublished = "UPDATE " + events + " SET published = TRUE WHERE order_id = ? AND seq = ?";
        String claim = " INTO " + notifications + " (order_id, moment, claimed_at) VALUES (?, ?, ?)";
        claimNotification = switch (dialect) {
            case POSTGRESQL -> "INSERT" + claim + " ON CONFLICT (order_id, moment) DO NOTHING";
            case MARIADB -> "INSERT IGNORE" + claim;
            case H2 -> "INSERT" + claim;
        };
        // restaurant presence: an insert that skips an existing row (H2 raises a constraint violation instead)
        String insertIgnore = dialect == Dialect.MARIADB ? "INSERT IGNORE INTO " : "INSERT INTO ";
        String onConflict = dialect == Dialect.POSTGRESQL ? " ON CONFLICT (restaurant_id) DO NOTHING" : "";
        seenUpdate = "UPDATE " + presence + " SET last_seen_at = ? WHERE restaurant_id = ?"
                + " AND (last_seen_at IS NULL OR last_seen_at < ?)";
        seenInsert = insertIgnore + presence + " (restaurant_id, last_seen_at, offline, changed_at)"
                + " VALUES (?, ?, FALSE, NULL)" + onConflict;
        waitingByRestaurant = "SELECT restaurant_id, COUNT(*), MIN(created_at) FROM " + orders
                + " WHERE status IN ('received', 'accepted', 'preparing', 'ready') GROUP BY restaurant_id";
        presenceOfOpen = "SELECT restaurant_id, last_seen_at, offline, changed_at FROM " + presence
                + " WHERE restaurant_id IN (";
        offlineRestaurants = "SELECT restaurant_id, last_seen_at, offline, changed_at FROM " + presence
                + " WHERE offline = TRUE";
        offlineUpdate = "UPDATE " + presence + " SET offline = TRUE, changed_at = ? WHERE restaurant_id = ?"
                + " AND offline = FALSE AND (last_seen_at IS NULL OR last_seen_at <= ?)";
        offlineInsert = insertIgnore + presence + " (restaurant_id, last_seen_at, offline, changed_at)"
                + " VALUES (?, NULL, TRUE, ?)" + onConflict;
        onlineUpdate = "UPDATE " + presence + " SET offline = FALSE, changed_at = ? WHERE restaurant_id = ?"
                + " AND offline = TRUE";
        String stuck = " INTO " + stuckOrders + " (order_id, status, claimed_at) VALUES (?, ?, ?)";
        claimStuck = switch (dialect) {
            case POSTGRESQL -> "INSERT" + stuck + " ON CONFLICT (order_id, status) DO NOTHING";
            case MARIADB -> "INSERT IGNORE" + stuck;
            case H2 -> "INSERT" + stuck;
        };
        outboxBacklog = "SELECT COUNT(*), MIN(occurred_at) FROM " + events + " WHERE " + dialect.unpublishedPredicate();

        lockNamed = "SELECT name FROM " + locks + " WHERE name = ? FOR UPDATE SKIP LOCKED";
        selectNamed = "SELECT name FROM " + locks + " WHERE name = ?";
        String named = " INTO " + locks + " (name) VALUES (?)";
        insertNamed = switch (dialect) {
            case POSTGRESQL -> "INSERT" + named + " ON CONFLICT (name) DO NOTHING";
            case MARIADB -> "INSERT IGNORE" + named;
            case H2 -> "INSERT" + named;
        };
        // no ORDER BY: the (status, updated_at) index then stops at the batch size even when millions of
        // rows are eligible (the first run after retention is turned on), where sorting them would not
        purgeable = "SELECT o.order_id FROM " + orders + " o WHERE o.status IN ('delivered', 'failed')"
                + " AND o.updated_at < ? AND NOT EXISTS (SELECT 1 FROM " + events + " e WHERE e.order_id = o.order_id"
                + " AND " + dialect.unpublishedPredicate() + ") " + (dialect == Dialect.H2 ? "FETCH FIRST ? ROWS ONLY" : "LIMIT ?");
        lockTerminalIn = "SELECT order_id FROM " + orders + " WHERE status IN ('delivered', 'failed') AND order_id IN (";
        deleteNotificationsIn = "DELETE FROM " + notifications + " WHERE order_id IN (";
        deleteEventsIn = "DELETE FROM " + events + " WHERE order_id IN (";
        deleteStuckIn = "DELETE FROM " + stuckOrders + " WHERE order_id IN (";
        // the status check again: a purge can only ever remove a terminal order, whatever the caller passed
        deleteOrdersIn = "DELETE FROM " + orders + " WHERE status IN ('delivered', 'failed') AND order_id IN (";
        lastEventSeq = "SELECT MAX(seq) FROM " + events + " WHERE order_id = ?";
        String trail = "(SELECT MAX(e.seq) FROM " + events + " e WHERE e.order_id = o.order_id)";
        tornOrders = "SELECT o.order_id, o.seq, " + trail + " FROM " + orders + " o WHERE o.seq <> COALESCE(" + trail
                + ", 0) ORDER BY o.order_id";
        orphanEventOrders = "SELECT DISTINCT e.order_id FROM " + events + " e WHERE NOT EXISTS (SELECT 1 FROM " + orders
                + " o WHERE o.order_id = e.order_id) ORDER BY e.order_id";
        deleteOrder = "DELETE FROM " + orders + " WHERE order_id = ?";
        deleteEventsOfOrder = "DELETE FROM " + events + " WHERE order_id = ?";
    }

    /**
     * Locks those of {@code count} orders (bind parameters) that are terminal and returns their ids:
     * what a purge deletes, checked under the row locks a transition takes.
     */
    public String lockTerminal(int count) {
        return in(lockTerminalIn, count) + " FOR UPDATE";
    }

    /** Deletes the notification claims of {@code count} orders (bind parameters). */
    public String deleteNotifications(int count) {
        return in(deleteNotificationsIn, count);
    }

    /** Deletes the events (trail and outbox rows) of {@code count} orders (bind parameters). */
    public String deleteEvents(int count) {
        return in(deleteEventsIn, count);
    }

    /** Deletes {@code count} orders (bind parameters) that are terminal. */
    public String deleteOrders(int count) {
        return in(deleteOrdersIn, count);
    }

    private static String in(String head, int count) {
        StringBuilder sql = new StringBuilder(head.length() + 3 * count).append(head).append('?');
        for (int i = 1; i < count; i++) {
            sql.append(", ?");
        }
        return sql.append(')').toString();
    }

    /** Selects the presence rows of {@code count} restaurants, one bind parameter each ({@code count} at least 1). */
    public String presenceOf(int count) {
        return in(presenceOfOpen, count);
    }

    /** Deletes the stuck-order claims of {@code count} orders (bind parameters). */
    public String deleteStuck(int count) {
        return in(deleteStuckIn, count);
    }

    private String active(String column) {
        return "SELECT " + ORDER_COLUMNS + " FROM " + orders + " WHERE " + column + " = ? AND " + ACTIVE
                + " ORDER BY created_at, order_id";
    }

    /** Selects the orders whose id is one of {@code count} bind parameters ({@code count} at least 1). */
    public String selectOrders(int count) {
        return in(selectOrdersIn, count);
    }
}
