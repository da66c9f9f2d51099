package org.ordertracking.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class JdbcConfigTest {

    @Test
    void defaults_tablePrefix_isTracking() {
        assertEquals("tracking_", JdbcConfig.defaults().tablePrefix());
        assertEquals(JdbcConfig.DEFAULT_TABLE_PREFIX, JdbcConfig.builder().build().tablePrefix());
    }

    @Test
    void tablePrefix_safeIdentifierPart_isKept() {
        JdbcConfig config = JdbcConfig.builder().tablePrefix("shop1_t_").build();
        assertEquals("shop1_t_", config.tablePrefix());
        assertEquals(config, config.toBuilder().build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1abc_", "Tracking_", "a-b_", "a b", "x;drop table y", "t\"_", "abcdefghijklmnopqrstuvwxyz_12345"})
    void tablePrefix_unsafe_isRejectedShowingTheValue(String prefix) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JdbcConfig.builder().tablePrefix(prefix));
        assertTrue(e.getMessage().contains("but was '" + prefix + "'"), e.getMessage());
    }

    @Test
    void tablePrefix_null_isRejected() {
        assertThrows(NullPointerException.class, () -> JdbcConfig.builder().tablePrefix(null));
    }
}
