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
        lastEventSeq = "SELECT MAX(seq) FROM " + events + " WHERE order_id = ?";
        String trail = "(SELECT MAX(e.seq) FROM " + events + " e WHERE e.order_id = o.order_id)";
        tornOrders = "SELECT o.order_id, o.seq, " + trail + " FROM " + orders + " o WHERE o.seq <> COALESCE(" + trail
                + ", 0) ORDER BY o.order_id";
        orphanEventOrders = "SELECT DISTINCT e.order_id FROM " + events + " e WHERE NOT EXISTS (SELECT 1 FROM " + orders
                + " o WHERE o.order_id = e.order_id) ORDER BY e.order_id";
        deleteOrder = "DELETE FROM " + orders + " WHERE order_id = ?";
        deleteEventsOfOrder = "DELETE FROM " + events + " WHERE order_id = ?";
    }

    private String active(String column) {
        return "SELECT " + ORDER_COLUMNS + " FROM " + orders + " WHERE " + column + " = ? AND " + ACTIVE
                + " ORDER BY created_at, order_id";
    }

    /** Selects the orders whose id is one of {@code count} bind parameters ({@code count} at least 1). */
    public String selectOrders(int count) {
        StringBuilder sql = new StringBuilder(selectOrdersIn.length() + 3 * count).append(selectOrdersIn).append('?');
        for (int i = 1; i < count; i++) {
            sql.append(", ?");
        }
        return sql.append(')').toString();
    }
}
