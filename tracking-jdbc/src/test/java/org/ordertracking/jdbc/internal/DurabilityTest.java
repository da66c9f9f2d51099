package org.ordertracking.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DurabilityTest {

    @Test
    void h2_inMemory_isReportedAsLosingEverythingOnRestart() {
        List<String> risks = Durability.risks(Dialect.H2, Map.of("url", "jdbc:h2:mem:x", "WRITE_DELAY", "0"));
        assertEquals(1, risks.size(), risks.toString());
        assertTrue(risks.get(0).contains("orders do not survive a restart"), risks.get(0));
    }

    @Test
    void h2_fileWithWriteDelay_isReported_andWithoutIt_isNot() {
        List<String> delayed = Durability.risks(Dialect.H2, Map.of("url", "jdbc:h2:file:/d/t", "WRITE_DELAY", "500"));
        assertEquals(1, delayed.size(), delayed.toString());
        assertTrue(delayed.get(0).contains("WRITE_DELAY=0"), delayed.get(0));
        assertEquals(List.of(), Durability.risks(Dialect.H2, Map.of("url", "jdbc:h2:file:/d/t", "WRITE_DELAY", "0")));
    }

    @Test
    void postgres_synchronousCommitOff_orFsyncOff_isReported() {
        assertEquals(List.of(), Durability.risks(Dialect.POSTGRESQL, Map.of("synchronous_commit", "on", "fsync", "on")));
        assertEquals(List.of(), Durability.risks(Dialect.POSTGRESQL,
                Map.of("synchronous_commit", "local", "fsync", "on")));
        assertEquals(1, Durability.risks(Dialect.POSTGRESQL, Map.of("synchronous_commit", "off", "fsync", "on")).size());
        assertEquals(2, Durability.risks(Dialect.POSTGRESQL, Map.of("synchronous_commit", "OFF", "fsync", "off")).size());
    }

    @Test
    void mariadb_flushLogAtTrxCommitOtherThanOne_isReported() {
        assertEquals(List.of(), Durability.risks(Dialect.MARIADB, Map.of("innodb_flush_log_at_trx_commit", "1")));
        assertTrue(Durability.risks(Dialect.MARIADB, Map.of("innodb_flush_log_at_trx_commit", "2")).get(0)
                .contains("machine loses power"));
        assertTrue(Durability.risks(Dialect.MARIADB, Map.of("innodb_flush_log_at_trx_commit", "0")).get(0)
                .contains("server crashes"));
    }
}
