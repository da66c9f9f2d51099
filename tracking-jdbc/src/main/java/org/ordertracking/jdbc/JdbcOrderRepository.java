package org.ordertracking.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.ordertracking.core.DriverChange;
import org.ordertracking.core.DuplicateOrderException;
import org.ordertracking.core.EventRef;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.IllegalTransitionException;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.NotificationMoment;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStateMachine;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OutboxBacklog;
import org.ordertracking.core.PurgeResult;
import org.ordertracking.core.RestaurantPresence;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.TransitionRequest;
import org.ordertracking.core.TransitionResult;
import org.ordertracking.core.UnknownOrderException;
import org.ordertracking.core.internal.Checks;
import org.ordertracking.jdbc.internal.Dialect;
import org.ordertracking.jdbc.internal.Durability;
import org.ordertracking.jdbc.internal.H2Writes;
import org.ordertracking.jdbc.internal.Millis;
import org.ordertracking.jdbc.internal.Sql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link OrderRepository} on PostgreSQL, MariaDB/MySQL or H2, through a {@link DataSource} the caller
 * owns (and pools, and closes: this class never closes it). The tables must exist: apply the
 * migrations with Flyway or {@link JdbcSchema#migrate(DataSource, JdbcConfig)} first.
 *
 * <p>Every write is one short transaction on one connection, returned to the data source before the
 * method returns, on every path. A transition locks only its order's row ({@code SELECT … FOR UPDATE}),
 * so transitions of different orders never wait for each other; it costs three statements and the
 * commit. Instants are stored as epoch milliseconds: sub-millisecond parts are truncated, and the
 * returned orders and events carry the truncated instants, exactly as they are read back later.
 *
 * <p>The outbox relay locks the events it hands out with {@code FOR UPDATE SKIP LOCKED}, so relays on
 * several nodes never publish the same event at once.
 *
 * <p>Retention is off by default here ({@link #defaultRetention()} is disabled): the audit trail in the
 * database may be needed to settle a dispute. When it is turned on, {@link #purgeTerminal} deletes
 * finished orders batch by batch, each batch one transaction under a row lock of {@code <prefix>locks}
 * (schema version 5), so one node at a time purges.
 *
 * <p>Building one logs a WARN (once per JVM) when the database is configured to lose commits it
 * acknowledged (see {@link JdbcSchema}): a transition answered 200 and published could otherwise
 * come back at its previous status after a crash.
 *
 * <p>On an H2 file database, whose commits are not atomic against a process kill when several
 * sessions commit at once, the repository's writes run one at a time (per database, in this JVM)
 * and each is synced to disk before it returns; reads are not held up. Building one on an H2 file
 * database also reconciles any order whose row and audit trail disagree (a crash in the middle of
 * a commit made by another writer to the same database), logging each at ERROR. On every database,
 * a transition that finds such an order throws {@link TornHistoryException} and changes nothing.
 * See docs/jdbc.md, "Durability per store" and "A torn history".
 *
 * <p>Thread-safe; holds no connection between calls.
 *
 * @since 0.1.0
 */
public final class JdbcOrderRepository implements OrderRepository {

    /** Most ids in one {@code IN (…)} of {@link #findAll} and of a purge's deletes. */
    private static final int FIND_ALL_CHUNK = 500;

    /** The row of {@code <prefix>locks} that a purge batch locks: one purger at a time across nodes. */
    static final String RETENTION_LOCK = "retention";
    /** A purge that found its lock row missing (a schema applied by hand without it). */
    private static final PurgeResult LOCK_ROW_MISSING = new PurgeResult(0, true);

    private static final Comparator<EventRef> REF_ORDER =
            Comparator.comparing(EventRef::orderId).thenComparingLong(EventRef::seq);

    private static final Logger TORN = LoggerFactory.getLogger("org.ordertracking.jdbc.TornHistory");
    /** Orders already reported torn by this repository: one ERROR each, not one per retry. */
    private static final int MAX_REPORTED = 10_000;

    private final DataSource dataSource;
    private final JdbcConfig config;
    private final Dialect dialect;
    private final Sql sql;
    private final H2Writes writes;
    private final Set<String> reportedTorn = ConcurrentHashMap.newKeySet();

    private JdbcOrderRepository(Builder builder) {
        this.dataSource = builder.dataSource;
        this.config = builder.config;
        try (Connection connection = dataSource.getConnection()) {
            this.dialect = Dialect.of(connection);
            Durability.warnIfLossy(connection, dialect);
            this.writes = H2Writes.of(connection, dialect);
        } catch (SQLException e) {
            throw new JdbcStoreException("could not connect to detect the database dialect", e);
        }
        this.sql = new Sql(config.tablePrefix(), dialect);
        if (writes.active()) {
            reconcileTornHistories();
        }
    }

    /** Returns a repository on {@code dataSource} with the default {@link JdbcConfig}. */
    public static JdbcOrderRepository create(DataSource dataSource) {
        return builder(dataSource).build();
    }

    /** Returns a builder for a repository on {@code dataSource}. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** Returns the settings. */
    public JdbcConfig config() {
        return config;
    }

    @Override
    public TransitionResult create(NewOrder newOrder, Instant at, String actor) {
        Objects.requireNonNull(newOrder, "order must not be null");
        Objects.requireNonNull(at, "at must not be null");
        Checks.requireText(actor, OrderEvent.MAX_ACTOR_LENGTH, "actor");   // before any SQL: PostgreSQL refuses NUL
        Instant when = Millis.truncate(at, "at");
        TrackedOrder order = new TrackedOrder(newOrder.orderId(), newOrder.restaurantId(), newOrder.customerId(),
                null, newOrder.destination(), OrderStatus.RECEIVED, 1, when, when);
        OrderEvent event = new OrderEvent(order.orderId(), 1, OrderStatus.RECEIVED, null, null, actor, when);
        try {
            inTransaction(connection -> {
                try (PreparedStatement insert = connection.prepareStatement(sql.insertOrder)) {
                    insert.setString(1, order.orderId());
                    insert.setString(2, order.restaurantId());
                    insert.setString(3, order.customerId());
                    insert.setNull(4, Types.VARCHAR);
                    insert.setDouble(5, order.destination().lat());
                    insert.setDouble(6, order.destination().lon());
                    insert.setString(7, order.status().wireName());
                    insert.setLong(8, order.seq());
                    insert.setLong(9, when.toEpochMilli());
                    insert.setLong(10, when.toEpochMilli());
                    insert.executeUpdate();
                }
                insertEvent(connection, event);
                return null;
            });
        } catch (SQLException e) {
            if (Dialect.isConstraintViolation(e)) {
                throw new DuplicateOrderException(order.orderId());
            }
            throw failure("could not create order '" + order.orderId() + "'", e);
        }
        return new TransitionResult(order, event, true);
    }

    @Override
    public TransitionResult transition(TransitionRequest request, OrderStateMachine machine) {
        Objects.requireNonNull(request, "request must not be null");
        Objects.requireNonNull(machine, "machine must not be null");
        String orderId = request.orderId();
        Instant at = Millis.truncate(request.at(), "at");
        try {
            return inTransaction(connection -> {
                TrackedOrder order = lock(connection, orderId);
                OrderStatus current = order.status();
                if (current == request.target()) {
                    return new TransitionResult(order, eventOfRow(connection, order), false);
                }
                if (request.expectedCurrent() != null && request.expectedCurrent() != current) {
                    throw new IllegalTransitionException(orderId, current, request.target(),
                            machine.allowedFrom(current));
                }
                machine.check(orderId, current, request.target());
                long seq = order.seq() + 1;
                try (PreparedStatement update = connection.prepareStatement(sql.updateStatus)) {
                    update.setString(1, request.target().wireName());
                    update.setLong(2, seq);
                    update.setLong(3, at.toEpochMilli());
                    update.setString(4, orderId);
                    update.executeUpdate();
                }
                OrderEvent event = new OrderEvent(orderId, seq, request.target(), current, request.reason(),
                        request.actor(), at);
                try {
                    insertEvent(connection, event);
                } catch (SQLException e) {
                    if (Dialect.isConstraintViolation(e)) { // the order is locked and exists: only the trail's key can clash
                        throw torn(order, seq, "its audit trail already holds seq " + seq, e);
                    }
                    throw e;
                }
                return new TransitionResult(order.withStatus(request.target(), seq, at), event, true);
            });
        } catch (SQLException e) {
            throw failure("could not move order '" + orderId + "' to " + request.target(), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>One transaction: {@code SELECT … FOR UPDATE} of the order row, then, if the driver differs,
     * {@code UPDATE driver_id}; the previous driver is the one read under the lock.
     */
    @Override
    public DriverChange changeDriver(String orderId, String driverId, Instant at) {
        Objects.requireNonNull(orderId, "orderId must not be null");
        Objects.requireNonNull(at, "at must not be null");
        if (driverId != null) {
            Checks.requireId(driverId, "driverId");
        }
        try {
            return inTransaction(connection -> {
                TrackedOrder order = lock(connection, orderId);
                if (order.status().isTerminal()) {
                    throw new IllegalTransitionException(orderId, order.status(), order.status(), Set.of());
                }
                String previous = order.driverId();
                if (Objects.equals(previous, driverId)) {
                    return new DriverChange(order, previous);
                }
                try (PreparedStatement update = connection.prepareStatement(sql.updateDriver)) {
                    setNullable(update, 1, driverId);
                    update.setString(2, orderId);
                    update.executeUpdate();
                }
                return new DriverChange(order.withDriver(driverId), previous);
            });
        } catch (SQLException e) {
            throw failure(driverId == null ? "could not unassign the driver of order '" + orderId + "'"
                    : "could not assign driver '" + driverId + "' to order '" + orderId + "'", e);
        }
    }

    @Override
    public Optional<TrackedOrder> find(String orderId) {
        Objects.requireNonNull(orderId, "orderId must not be null");
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(sql.selectOrder)) {
            select.setString(1, orderId);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(order(rows)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("could not read order '" + orderId + "'", e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>One {@code SELECT … WHERE order_id IN (…)} per {@value #FIND_ALL_CHUNK} distinct ids, on one
     * connection.
     */
    @Override
    public Map<String, TrackedOrder> findAll(Collection<String> orderIds) {
        Objects.requireNonNull(orderIds, "orderIds must not be null");
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(orderIds));
        for (String id : ids) {
            Objects.requireNonNull(id, "an order id must not be null");
        }
        Map<String, TrackedOrder> result = new HashMap<>();
        if (ids.isEmpty()) {
            return result;
        }
        try (Connection connection = dataSource.getConnection()) {
            for (int from = 0; from < ids.size(); from += FIND_ALL_CHUNK) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + FIND_ALL_CHUNK));
                try (PreparedStatement select = connection.prepareStatement(sql.selectOrders(chunk.size()))) {
                    for (int i = 0; i < chunk.size(); i++) {
                        select.setString(i + 1, chunk.get(i));
                    }
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            TrackedOrder order = order(rows);
                            result.put(order.orderId(), order);
                        }
                    }
                }
            }
            return result;
        } catch (SQLException e) {
            throw failure("could not read " + ids.size() + " orders", e);
        }
    }

    @Override
    public List<OrderEvent> events(String orderId, long afterSeq) {
        Objects.requireNonNull(orderId, "orderId must not be null");
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(sql.selectEventsAfter)) {
            select.setString(1, orderId);
            select.setLong(2, afterSeq);
            return events(select);
        } catch (SQLException e) {
            throw failure("could not read the events of order '" + orderId + "'", e);
        }
    }

    @Override
    public List<TrackedOrder> activeOrdersOfRestaurant(String restaurantId) {
        Objects.requireNonNull(restaurantId, "restaurantId must not be null");
        return orders(sql.activeOfRestaurant, restaurantId, "restaurant");
    }

    @Override
    public List<TrackedOrder> activeOrdersOfCustomer(String customerId) {
        Objects.requireNonNull(customerId, "customerId must not be null");
        return orders(sql.activeOfCustomer, customerId, "customer");
    }

    @Override
    public List<TrackedOrder> activeOrdersOfDriver(String driverId) {
        Objects.requireNonNull(driverId, "driverId must not be null");
        return orders(sql.activeOfDriver, driverId, "driver");
    }

    @Override
    public List<TrackedOrder> findByStatus(OrderStatus status, Instant changedBefore, int limit) {
        Objects.requireNonNull(status, "status must not be null");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, but was " + limit);
        }
        long cutoff = changedBefore == null ? Long.MAX_VALUE : Millis.exclusiveCutoff(changedBefore);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(sql.byStatus)) {
            select.setString(1, status.wireName());
            select.setLong(2, cutoff);
            select.setInt(3, limit);
            List<TrackedOrder> result = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    result.add(order(rows));
                }
            }
            return result;
        } catch (SQLException e) {
            throw failure("could not find orders in " + status, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>One transaction: selects up to {@code max} unpublished events committed before the cutoff,
     * oldest first, locking them with {@code FOR UPDATE SKIP LOCKED} (rows another relay holds are
     * skipped), hands them to {@code publisher} one by one, marks those it accepted in one batch and
     * commits. The locks are held while {@code publisher} runs. If {@code publisher} throws, the events
     * it accepted before are still marked and committed, the failed one and the rest stay unpublished,
     * and the exception propagates. If the commit itself fails after publishing, the events are
     * published again by a later relay (at least once).
     */
    @Override
    public int relayUnpublished(Instant committedBefore, int max, Consumer<OrderEvent> publisher) {
        Objects.requireNonNull(committedBefore, "committedBefore must not be null");
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive, but was " + max);
        }
        Objects.requireNonNull(publisher, "publisher must not be null");
        long cutoff = Millis.exclusiveCutoff(committedBefore);
        RuntimeException[] publisherFailure = new RuntimeException[1];
        int published;
        try {
            published = inTransaction(connection -> {
                List<OrderEvent> batch;
                try (PreparedStatement select = connection.prepareStatement(sql.relay)) {
                    select.setLong(1, cutoff);
                    select.setInt(2, max);
                    batch = events(select);
                }
                List<EventRef> done = new ArrayList<>(batch.size());
                for (OrderEvent event : batch) {
                    try {
                        publisher.accept(event);
                    } catch (RuntimeException e) {
                        publisherFailure[0] = e;
                        break;
                    }
                    done.add(EventRef.of(event));
                }
                mark(connection, done);
                return done.size();
            }, dialect == Dialect.MARIADB);
        } catch (SQLException e) {
            throw failure("could not relay unpublished events", e);
        }
        if (publisherFailure[0] != null) {
            throw publisherFailure[0];
        }
        return published;
    }

    @Override
    public void markPublished(Collection<EventRef> events) {
        Objects.requireNonNull(events, "events must not be null");
        if (events.isEmpty()) {
            return;
        }
        // one lock order for every caller, so concurrent marks cannot deadlock
        TreeSet<EventRef> sorted = new TreeSet<>(REF_ORDER);
        sorted.addAll(events);
        try {
            inTransaction(connection -> {
                mark(connection, sorted);
                return null;
            });
        } catch (SQLException e) {
            throw failure("could not mark " + sorted.size() + " event(s) published", e);
        }
    }

    @Override
    public boolean claimNotification(String orderId, NotificationMoment moment, Instant at) {
        Objects.requireNonNull(orderId, "orderId must not be null");
        Objects.requireNonNull(moment, "moment must not be null");
        Objects.requireNonNull(at, "at must not be null");
        long when = Millis.of(at, "at");
        try {
            return autoCommitWrite(connection -> {
                try (PreparedStatement insert = connection.prepareStatement(sql.claimNotification)) {
                    insert.setString(1, orderId);
                    insert.setString(2, moment.wireName());
                    insert.setLong(3, when);
                    // PostgreSQL and MariaDB skip the duplicate without an error (count 0); H2 raises one
                    return insert.executeUpdate() == 1;
                }
            });
        } catch (SQLException e) {
            if (Dialect.isConstraintViolation(e)) {
                return false;
            }
            throw failure("could not claim notification " + moment.wireName() + " of order '" + orderId + "'", e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>One transaction: locks the {@code retention} row of {@code <prefix>locks} with
     * {@code FOR UPDATE SKIP LOCKED} (no row: another node holds it, and the call returns busy at once),
     * selects up to {@code max} terminal orders finished before the cut-off that have no unpublished event,
     * locks their rows and checks again that they are terminal ({@code SELECT … FOR UPDATE}, as a
     * transition locks its order), then deletes their notification claims, their stuck-order claims, their events and the orders
     * themselves, 500 ids per statement, and commits. A crash midway rolls everything back.
     * On MariaDB the transaction runs at READ COMMITTED, so InnoDB takes no gap locks that would hold up
     * the inserts of live orders' events.
     */
    @Override
    public PurgeResult purgeTerminal(Instant finishedBefore, int max) {
        Objects.requireNonNull(finishedBefore, "finishedBefore must not be null");
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive, but was " + max);
        }
        long cutoff = Millis.exclusiveCutoff(finishedBefore);
        try {
            PurgeResult result = purgeBatch(cutoff, max);
            if (result == LOCK_ROW_MISSING) {
                insertLockRow(RETENTION_LOCK);
                result = purgeBatch(cutoff, max);
            }
            return result == LOCK_ROW_MISSING ? PurgeResult.busyElsewhere() : result;
        } catch (SQLException e) {
            throw failure("could not purge terminal orders finished before " + finishedBefore, e);
        }
    }

    private PurgeResult purgeBatch(long cutoff, int max) throws SQLException {
        return inTransaction(connection -> {
            if (!lockNamed(connection, RETENTION_LOCK)) {
                return exists(connection, RETENTION_LOCK) ? PurgeResult.busyElsewhere() : LOCK_ROW_MISSING;
            }
            List<String> ids = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(sql.purgeable)) {
                select.setLong(1, cutoff);
                select.setInt(2, max);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getString(1));
                    }
                }
            }
            int purged = 0;
            for (int from = 0; from < ids.size(); from += FIND_ALL_CHUNK) {
                List<String> chunk = lockTerminal(connection,
                        ids.subList(from, Math.min(ids.size(), from + FIND_ALL_CHUNK)));
                if (chunk.isEmpty()) {
                    continue;
                }
                deleteIn(connection, sql.deleteNotifications(chunk.size()), chunk);
                deleteIn(connection, sql.deleteStuck(chunk.size()), chunk);
                deleteIn(connection, sql.deleteEvents(chunk.size()), chunk);
                purged += deleteIn(connection, sql.deleteOrders(chunk.size()), chunk);
            }
            return PurgeResult.purged(purged);
        }, dialect == Dialect.MARIADB);
    }

    /** Locks the rows of those orders that are terminal, as a transition would, and returns their ids. */
    private List<String> lockTerminal(Connection connection, List<String> ids) throws SQLException {
        List<String> locked = new ArrayList<>(ids.size());
        try (PreparedStatement select = connection.prepareStatement(sql.lockTerminal(ids.size()))) {
            for (int i = 0; i < ids.size(); i++) {
                select.setString(i + 1, ids.get(i));
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    locked.add(rows.getString(1));
                }
            }
        }
        return locked;
    }

    /** Locks the named row for the rest of the transaction; false if another transaction holds it or it is missing. */
    private boolean lockNamed(Connection connection, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql.lockNamed)) {
            select.setString(1, name);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    private boolean exists(Connection connection, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql.selectNamed)) {
            select.setString(1, name);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    /** Puts back a lock row the migration inserts, in case it was removed; a row already there is kept. */
    private void insertLockRow(String name) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(sql.insertNamed)) {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            insert.setString(1, name);
            insert.executeUpdate();
        } catch (SQLException e) {
            if (!Dialect.isConstraintViolation(e)) { // H2: another node inserted it first
                throw e;
            }
        }
    }

    private static int deleteIn(Connection connection, String query, List<String> ids) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(query)) {
            for (int i = 0; i < ids.size(); i++) {
                delete.setString(i + 1, ids.get(i));
            }
            return delete.executeUpdate();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code UPDATE … SET last_seen_at = ? WHERE … last_seen_at < ?}; if no row changed, an insert that
     * skips an existing row; if that inserted nothing either (a row appeared meanwhile), the update again.
     * Each statement commits on its own.
     */
    @Override
    public void restaurantSeen(String restaurantId, Instant at) {
        Checks.requireId(restaurantId, "restaurantId");
        Objects.requireNonNull(at, "at must not be null");
        long when = Millis.of(at, "at");
        try {
            autoCommitWrite(connection -> {
                if (seenUpdate(connection, restaurantId, when) == 0
                        && insertIgnoringDuplicate(connection, sql.seenInsert, restaurantId, when) == 0) {
                    seenUpdate(connection, restaurantId, when);
                }
                return null;
            });
        } catch (SQLException e) {
            throw failure("could not record that restaurant '" + restaurantId + "' was seen", e);
        }
    }

    private int seenUpdate(Connection connection, String restaurantId, long when) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(sql.seenUpdate)) {
            update.setLong(1, when);
            update.setString(2, restaurantId);
            update.setLong(3, when);
            return update.executeUpdate();
        }
    }

    /** Runs an insert of (restaurant id, instant) that skips an existing row; returns the rows inserted. */
    private int insertIgnoringDuplicate(Connection connection, String insert, String restaurantId, long when)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(insert)) {
            statement.setString(1, restaurantId);
            statement.setLong(2, when);
            return statement.executeUpdate();
        } catch (SQLException e) {
            if (Dialect.isConstraintViolation(e)) { // H2 has no insert-or-skip for this table
                return 0;
            }
            throw e;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Three reads on one connection: the waiting orders grouped by restaurant (the status index), the
     * presence rows of those restaurants ({@code IN (…)} per 500), and the rows counted offline.
     */
    @Override
    public List<RestaurantPresence> restaurantPresence() {
        try (Connection connection = dataSource.getConnection()) {
            Map<String, long[]> waiting = new HashMap<>();
            try (PreparedStatement select = connection.prepareStatement(sql.waitingByRestaurant);
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    waiting.put(rows.getString(1), new long[] {rows.getLong(2), rows.getLong(3)});
                }
            }
            Map<String, Object[]> stored = new HashMap<>();
            List<String> ids = new ArrayList<>(waiting.keySet());
            for (int from = 0; from < ids.size(); from += FIND_ALL_CHUNK) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + FIND_ALL_CHUNK));
                try (PreparedStatement select = connection.prepareStatement(sql.presenceOf(chunk.size()))) {
                    for (int i = 0; i < chunk.size(); i++) {
                        select.setString(i + 1, chunk.get(i));
                    }
                    readPresence(select, stored);
                }
            }
            try (PreparedStatement select = connection.prepareStatement(sql.offlineRestaurants)) {
                readPresence(select, stored);
            }
            TreeMap<String, RestaurantPresence> result = new TreeMap<>();
            for (Map.Entry<String, long[]> e : waiting.entrySet()) {
                Object[] p = stored.get(e.getKey());
                result.put(e.getKey(), new RestaurantPresence(e.getKey(), p == null ? null : (Instant) p[0],
                        (int) e.getValue()[0], Millis.toInstant(e.getValue()[1]), p != null && (Boolean) p[1],
                        p == null ? null : (Instant) p[2]));
            }
            for (Map.Entry<String, Object[]> e : stored.entrySet()) {
                Object[] p = e.getValue();
                if ((Boolean) p[1] && !result.containsKey(e.getKey())) {
                    result.put(e.getKey(), new RestaurantPresence(e.getKey(), (Instant) p[0], 0, null, true,
                            (Instant) p[2]));
                }
            }
            return List.copyOf(result.values());
        } catch (SQLException e) {
            throw failure("could not read the restaurants' presence from " + sql.presence, e);
        }
    }

    /** Reads presence rows into {@code into}: id to {last seen, offline, changed at}. */
    private static void readPresence(PreparedStatement select, Map<String, Object[]> into) throws SQLException {
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                long seen = rows.getLong(2);
                Instant lastSeen = rows.wasNull() ? null : Millis.toInstant(seen);
                boolean offline = rows.getBoolean(3);
                long changed = rows.getLong(4);
                Instant changedAt = rows.wasNull() ? null : Millis.toInstant(changed);
                into.put(rows.getString(1), new Object[] {lastSeen, offline, changedAt});
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code UPDATE … SET offline = TRUE WHERE offline = FALSE AND (last_seen_at IS NULL OR last_seen_at <= ?)};
     * for a restaurant without a row, an insert that skips an existing one. Of two nodes claiming at
     * once, the database lets exactly one change the row.
     */
    @Override
    public boolean claimRestaurantOffline(String restaurantId, Instant notSeenSince, Instant at) {
        Checks.requireId(restaurantId, "restaurantId");
        Objects.requireNonNull(notSeenSince, "notSeenSince must not be null");
        Objects.requireNonNull(at, "at must not be null");
        long when = Millis.of(at, "at");
        long cutoff = Millis.of(notSeenSince, "notSeenSince");
        try {
            return autoCommitWrite(connection -> {
                try (PreparedStatement update = connection.prepareStatement(sql.offlineUpdate)) {
                    update.setLong(1, when);
                    update.setString(2, restaurantId);
                    update.setLong(3, cutoff);
                    if (update.executeUpdate() == 1) {
                        return true;
                    }
                }
                return insertIgnoringDuplicate(connection, sql.offlineInsert, restaurantId, when) == 1;
            });
        } catch (SQLException e) {
            throw failure("could not count restaurant '" + restaurantId + "' offline", e);
        }
    }

    @Override
    public boolean claimRestaurantOnline(String restaurantId, Instant at) {
        Checks.requireId(restaurantId, "restaurantId");
        Objects.requireNonNull(at, "at must not be null");
        long when = Millis.of(at, "at");
        try {
            return autoCommitWrite(connection -> {
                try (PreparedStatement update = connection.prepareStatement(sql.onlineUpdate)) {
                    update.setLong(1, when);
                    update.setString(2, restaurantId);
                    return update.executeUpdate() == 1;
                }
            });
        } catch (SQLException e) {
            throw failure("could not count restaurant '" + restaurantId + "' online", e);
        }
    }

    @Override
    public boolean claimStuck(String orderId, OrderStatus status, Instant at) {
        Checks.requireId(orderId, "orderId");
        Objects.requireNonNull(status, "status must not be null");
        Objects.requireNonNull(at, "at must not be null");
        long when = Millis.of(at, "at");
        try {
            return autoCommitWrite(connection -> {
                try (PreparedStatement insert = connection.prepareStatement(sql.claimStuck)) {
                    insert.setString(1, orderId);
                    insert.setString(2, status.wireName());
                    insert.setLong(3, when);
                    return insert.executeUpdate() == 1;
                }
            });
        } catch (SQLException e) {
            if (Dialect.isConstraintViolation(e)) {
                return false;
            }
            throw failure("could not claim the stuck announcement of order '" + orderId + "' in " + status.wireName(),
                    e);
        }
    }

    /** {@inheritDoc} <p>One {@code SELECT COUNT(*), MIN(occurred_at)} over the outbox index. */
    @Override
    public OutboxBacklog outboxBacklog() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(sql.outboxBacklog);
                ResultSet rows = select.executeQuery()) {
            rows.next();
            long events = rows.getLong(1);
            long oldest = rows.getLong(2);
            boolean none = rows.wasNull();
            return events == 0 || none ? OutboxBacklog.EMPTY : new OutboxBacklog(events, Millis.toInstant(oldest));
        } catch (SQLException e) {
            throw failure("could not read the outbox backlog", e);
        }
    }

    /** Puts a borrowed connection in auto-commit (a pool may hand one out without), for one-statement writes. */
    private static Connection autoCommit(Connection connection) throws SQLException {
        try {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            return connection;
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    @Override
    public String toString() {
        return "JdbcOrderRepository[" + dialect + ", tablePrefix=" + config.tablePrefix() + "]";
    }

    // ---- steps -----------------------------------------------------------------------------------

    /** Locks the order's row for the rest of the transaction and returns it. */
    private TrackedOrder lock(Connection connection, String orderId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql.selectOrderForUpdate)) {
            select.setString(1, orderId);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    throw new UnknownOrderException(orderId);
                }
                return order(rows);
            }
        }
    }

    /** The event that produced the order's current status: the row's seq in its audit trail. */
    private OrderEvent eventOfRow(Connection connection, TrackedOrder order) throws SQLException {
        Optional<OrderEvent> event = event(connection, order.orderId(), order.seq());
        if (event.isEmpty()) {
            long trail = lastEventSeq(connection, order.orderId());
            throw torn(order, trail, trail == 0 ? "it has no events at all"
                    : "its audit trail ends at seq " + trail, null);
        }
        return event.get();
    }

    private Optional<OrderEvent> event(Connection connection, String orderId, long seq) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql.selectEvent)) {
            select.setString(1, orderId);
            select.setLong(2, seq);
            List<OrderEvent> found = events(select);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    /** The highest seq in the order's audit trail, 0 when it has none. */
    private long lastEventSeq(Connection connection, String orderId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql.lastEventSeq)) {
            select.setString(1, orderId);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getLong(1) : 0; // MAX of nothing is NULL, read as 0
            }
        }
    }

    /**
     * The error for an order whose row and audit trail disagree, logged at ERROR once per order:
     * nothing is changed, and which side is right is left to a person (or, on H2, to the next start).
     */
    private TornHistoryException torn(TrackedOrder order, long trailSeq, String what, SQLException cause) {
        TornHistoryException e = new TornHistoryException("order '" + order.orderId() + "' is at seq " + order.seq()
                + " (" + order.status().wireName() + ") in " + sql.orders + " but " + what + " in " + sql.events
                + ": its row and its audit trail disagree (half a transaction lost in a crash, or rows changed by"
                + " hand), so nothing was changed; see docs/jdbc.md, \"A torn history\"", order.orderId(), order.seq(),
                trailSeq);
        if (cause != null) {
            e.addSuppressed(cause);
        }
        if (reportedTorn.size() < MAX_REPORTED ? reportedTorn.add(order.orderId()) : true) {
            TORN.error("TORN HISTORY ({}): {}", dialect, e.getMessage());
        }
        return e;
    }

    /**
     * On an H2 file database, where a crash in the middle of another writer's commit can keep half a
     * transaction (see {@link H2Writes}): brings every order whose row disagrees with its audit trail
     * back in line with the trail, which is what was (or will be, by the outbox relay) published. A row
     * ahead of its trail goes back to its newest event; a row behind its trail goes forward to it; a
     * row without any event, and events without an order row, are the halves of a registration that
     * never completed and are deleted. Each repair is logged at ERROR. Runs once, when the repository
     * is built (that is, after the restart that follows a crash); a failure to check is logged and
     * does not stop the build.
     */
    private void reconcileTornHistories() {
        List<String> torn = new ArrayList<>();
        List<String> orphans = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement select = connection.prepareStatement(sql.tornOrders);
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    torn.add(rows.getString(1));
                }
            }
            try (PreparedStatement select = connection.prepareStatement(sql.orphanEventOrders);
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    orphans.add(rows.getString(1));
                }
            }
        } catch (SQLException e) {
            // e.g. the tables do not exist yet: every operation will say so in its own words
            TORN.debug("could not look for torn histories in {}/{}: {}", sql.orders, sql.events, e.toString());
            return;
        }
        for (String orderId : torn) {
            try {
                inTransaction(connection -> {
                    reconcile(connection, orderId);
                    return null;
                });
            } catch (SQLException | RuntimeException e) {
                TORN.error("TORN HISTORY (H2): could not reconcile order '{}'", orderId, e);
            }
        }
        for (String orderId : orphans) {
            try {
                inTransaction(connection -> {
                    int deleted;
                    try (PreparedStatement delete = connection.prepareStatement(sql.deleteEventsOfOrder)) {
                        delete.setString(1, orderId);
                        deleted = delete.executeUpdate();
                    }
                    TORN.error("TORN HISTORY (H2): {} held {} event(s) of order '{}', which has no row in {}: the"
                            + " halves of a registration that never completed; deleted them", sql.events, deleted,
                            orderId, sql.orders);
                    return null;
                });
            } catch (SQLException | RuntimeException e) {
                TORN.error("TORN HISTORY (H2): could not delete the orphan events of order '{}'", orderId, e);
            }
        }
    }

    private void reconcile(Connection connection, String orderId) throws SQLException {
        TrackedOrder order = lock(connection, orderId);
        long trail = lastEventSeq(connection, orderId);
        if (trail == order.seq()) {
            return; // reconciled meanwhile
        }
        if (trail == 0) {
            try (PreparedStatement delete = connection.prepareStatement(sql.deleteOrder)) {
                delete.setString(1, orderId);
                delete.executeUpdate();
            }
            TORN.error("TORN HISTORY (H2): order '{}' was at seq {} ({}) in {} but has no events in {}: the half of"
                    + " a registration that never completed; deleted the row, so registering it again works",
                    orderId, order.seq(), order.status().wireName(), sql.orders, sql.events);
            return;
        }
        OrderEvent newest = event(connection, orderId, trail).orElseThrow();
        try (PreparedStatement update = connection.prepareStatement(sql.updateStatus)) {
            update.setString(1, newest.status().wireName());
            update.setLong(2, newest.seq());
            update.setLong(3, newest.at().toEpochMilli());
            update.setString(4, orderId);
            update.executeUpdate();
        }
        TORN.error("TORN HISTORY (H2): order '{}' was at seq {} ({}) in {} but its audit trail in {} ends at seq {}"
                + " ({}); moved the row {} to its newest event, which is what was published", orderId, order.seq(),
                order.status().wireName(), sql.orders, sql.events, trail, newest.status().wireName(),
                trail < order.seq() ? "back" : "forward");
    }

    private void insertEvent(Connection connection, OrderEvent event) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(sql.insertEvent)) {
            insert.setString(1, event.orderId());
            insert.setLong(2, event.seq());
            insert.setString(3, event.status().wireName());
            setNullable(insert, 4, event.previous() == null ? null : event.previous().wireName());
            setNullable(insert, 5, event.reason());
            setNullable(insert, 6, event.actor());
            insert.setLong(7, event.at().toEpochMilli());
            insert.executeUpdate();
        }
    }

    private void mark(Connection connection, Collection<EventRef> refs) throws SQLException {
        if (refs.isEmpty()) {
            return;
        }
        try (PreparedStatement update = connection.prepareStatement(sql.markPublished)) {
            for (EventRef ref : refs) {
                update.setString(1, ref.orderId());
                update.setLong(2, ref.seq());
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    private List<TrackedOrder> orders(String query, String id, String what) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(query)) {
            select.setString(1, id);
            List<TrackedOrder> result = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    result.add(order(rows));
                }
            }
            return result;
        } catch (SQLException e) {
            throw failure("could not read the active orders of " + what + " '" + id + "'", e);
        }
    }

    private static TrackedOrder order(ResultSet rows) throws SQLException {
        return new TrackedOrder(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                new GeoPoint(rows.getDouble(5), rows.getDouble(6)), OrderStatus.fromWireName(rows.getString(7)),
                rows.getLong(8), Millis.toInstant(rows.getLong(9)), Millis.toInstant(rows.getLong(10)));
    }

    private static List<OrderEvent> events(PreparedStatement select) throws SQLException {
        List<OrderEvent> result = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                String previous = rows.getString(4);
                result.add(new OrderEvent(rows.getString(1), rows.getLong(2), OrderStatus.fromWireName(rows.getString(3)),
                        previous == null ? null : OrderStatus.fromWireName(previous), rows.getString(5),
                        rows.getString(6), Millis.toInstant(rows.getLong(7))));
            }
        }
        return result;
    }

    private static void setNullable(PreparedStatement statement, int index, String value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else {
            statement.setString(index, value);
        }
    }

    // ---- transactions ----------------------------------------------------------------------------

    /** Work inside one transaction; may throw SQLException or any unchecked exception. */
    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} in auto-commit (each statement its own transaction) on a connection of its own,
     * under the H2 file writer lock and synced before it returns, as {@link #inTransaction} does for a
     * transaction: for the single-row claims and signs of life.
     */
    private <T> T autoCommitWrite(Work<T> work) throws SQLException {
        writes.lock(); // before borrowing, so that writers waiting their turn hold no connection
        try (Connection connection = autoCommit(dataSource.getConnection())) {
            T result = work.run(connection);
            writes.sync(connection);
            return result;
        } finally {
            writes.unlock();
        }
    }

    private <T> T inTransaction(Work<T> work) throws SQLException {
        return inTransaction(work, false);
    }

    /**
     * Runs {@code work} in a transaction on a connection of its own: commits if it returns, rolls back
     * if it throws anything, restores the connection's auto-commit (and isolation) and returns the
     * connection to the data source on every path.
     *
     * @param readCommitted run at READ COMMITTED (for the relay on InnoDB, whose REPEATABLE READ would
     *     take gap locks on the outbox index and hold up concurrent inserts)
     */
    private <T> T inTransaction(Work<T> work, boolean readCommitted) throws SQLException {
        writes.lock(); // before borrowing, so that writers waiting their turn hold no connection
        try (Connection connection = dataSource.getConnection()) {
            // asked only when needed: some drivers (pgjdbc) answer it with a round trip
            int isolation = readCommitted ? connection.getTransactionIsolation() : Connection.TRANSACTION_NONE;
            boolean changeIsolation = readCommitted && isolation != Connection.TRANSACTION_READ_COMMITTED;
            boolean autoCommit = connection.getAutoCommit();
            if (changeIsolation) {
                connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
            if (autoCommit) {
                connection.setAutoCommit(false);
            }
            Throwable failure = null;
            try {
                T result = work.run(connection);
                connection.commit();
                writes.sync(connection); // acknowledged only once it is on the device (H2 file; else nothing)
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                failure = e;
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            } finally {
                try {
                    if (autoCommit) {
                        connection.setAutoCommit(true);
                    }
                    if (changeIsolation) {
                        connection.setTransactionIsolation(isolation);
                    }
                } catch (SQLException restoreFailure) {
                    // never hide the exception that ended the transaction behind one about the connection
                    if (failure == null) {
                        throw restoreFailure;
                    }
                    failure.addSuppressed(restoreFailure);
                }
            }
        } finally {
            writes.unlock();
        }
    }

    private JdbcStoreException failure(String what, SQLException e) {
        return new JdbcStoreException(what + " in " + sql.orders + "/" + sql.events + " (" + dialect + ", SQLState "
                + e.getSQLState() + "): " + e.getMessage(), e);
    }

    /**
     * Builds a {@link JdbcOrderRepository}. Not thread-safe.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private final DataSource dataSource;
        private JdbcConfig config = JdbcConfig.defaults();

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
        }

        /** Sets the settings; default {@link JdbcConfig#defaults()}. */
        public Builder config(JdbcConfig config) {
            this.config = Objects.requireNonNull(config, "config must not be null");
            return this;
        }

        /**
         * Builds the repository. Borrows one connection to detect the dialect and check its durability settings, and
         * returns it at once. On an H2 file database it then brings every order whose row and audit trail disagree in
         * line with the trail, logging each at ERROR (docs/jdbc.md, "A torn history").
         *
         * @throws JdbcStoreException if no connection can be had
         * @throws IllegalStateException if the database is not PostgreSQL, MariaDB/MySQL or H2
         */
        public JdbcOrderRepository build() {
            return new JdbcOrderRepository(this);
        }
    }
}
