package org.ordertracking.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.TrackedOrder;
import org.ordertracking.core.TransitionRequest;

/** The repository on an H2 file database under {@code target/h2-it}, deleted afterwards. */
class H2FileOrderRepositoryIT extends AbstractJdbcRepositoryIT {
    private final Path base = TestDatabases.h2FileBase();

    @Override
    protected HikariDataSource openPool() {
        return TestDatabases.pool(TestDatabases.h2FileUrl(base), "H2 file database " + base);
    }

    @Override
    protected void cleanUp() throws Exception {
        TestDatabases.deleteH2Files(base);
    }

    @Test
    void build_tornHistoriesAfterACrash_reconcilesEachOrderWithItsTrail() throws Exception {
        JdbcConfig own = newPrefix();
        JdbcSchema.migrate(pool, own);
        String events = own.tablePrefix() + "order_events";
        JdbcOrderRepository before = JdbcOrderRepository.builder(pool).config(own).build();
        String ahead = register(before, "ahead");    // row at 2, its event 2 lost
        move(before, ahead, OrderStatus.ACCEPTED);
        execute("DELETE FROM " + events + " WHERE order_id = '" + ahead + "' AND seq = 2");
        String behind = register(before, "behind");  // event 2 kept, the row still at 1
        execute("INSERT INTO " + events + " (order_id, seq, status, previous_status, occurred_at, published) VALUES ('"
                + behind + "', 2, 'accepted', 'received', " + T0.plusSeconds(5).toEpochMilli() + ", FALSE)");
        String noTrail = register(before, "notrail"); // a registration whose event was lost
        execute("DELETE FROM " + events + " WHERE order_id = '" + noTrail + "'");
        String noRow = register(before, "norow");    // a registration whose row was lost
        execute("SET REFERENTIAL_INTEGRITY FALSE");
        try {
            execute("DELETE FROM " + own.tablePrefix() + "orders WHERE order_id = '" + noRow + "'");
        } finally {
            execute("SET REFERENTIAL_INTEGRITY TRUE");
        }
        String whole = register(before, "whole");
        move(before, whole, OrderStatus.ACCEPTED);

        JdbcOrderRepository after = JdbcOrderRepository.builder(pool).config(own).build(); // the restart

        TrackedOrder back = after.find(ahead).orElseThrow();
        assertEquals(List.of(1L, OrderStatus.RECEIVED), List.of(back.seq(), back.status()), "back to its newest event");
        TrackedOrder forward = after.find(behind).orElseThrow();
        assertEquals(List.of(2L, OrderStatus.ACCEPTED), List.of(forward.seq(), forward.status()),
                "forward to its newest event");
        assertEquals(T0.plusSeconds(5), forward.updatedAt());
        assertTrue(after.find(noTrail).isEmpty(), "a row without events is a registration that never completed");
        assertEquals(List.of(), after.events(noRow, 0), "events without a row are dropped");
        TrackedOrder untouched = after.find(whole).orElseThrow();
        assertEquals(2, untouched.seq());

        // and every one of them works again
        OrderEvent again = move(after, ahead, OrderStatus.ACCEPTED);
        assertEquals(2, again.seq());
        assertEquals(List.of(1L, 2L), after.events(ahead, 0).stream().map(OrderEvent::seq).toList());
        assertEquals(3, move(after, behind, OrderStatus.PREPARING).seq());
        register(after, noTrail);
        assertEquals(1, after.events(noTrail, 0).size());
        register(after, noRow);
        assertEquals(1, after.events(noRow, 0).size());
        assertNoConnectionCheckedOut();
    }

    private String register(JdbcOrderRepository repository, String name) {
        String id = name.startsWith("torn-") ? name : newId("torn-" + name);
        repository.create(new NewOrder(id, "r-1", "c-1", new GeoPoint(33.9, 35.5)), T0, "test");
        return id;
    }

    private static OrderEvent move(JdbcOrderRepository repository, String id, OrderStatus status) {
        return repository.transition(TransitionRequest.of(id, status, null, "test", T0.plusSeconds(10)), MACHINE)
                .event();
    }
}
