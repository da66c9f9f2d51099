package org.ordertracking.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void isValid_acceptsUuidsAndPlatformIds_upToMaxLength() {
        assertTrue(Ids.isValid("3f2c9a4e-1b2d-4c5e-8f90-123456789abc"));
        assertTrue(Ids.isValid("order_1042.v2"));
        assertTrue(Ids.isValid("x"));
        assertTrue(Ids.isValid("a".repeat(Ids.MAX_LENGTH)));
    }

    @Test
    void isValid_rejectsEmptyTooLongNullAndEscapingCharacters() {
        assertFalse(Ids.isValid(null));
        assertFalse(Ids.isValid(""));
        assertFalse(Ids.isValid("a".repeat(Ids.MAX_LENGTH + 1)));
        for (String bad : new String[] {"a/b", "a b", "a:b", "a%2F", "é", "a\nb", "a*"}) {
            assertFalse(Ids.isValid(bad), bad);
        }
    }

    @Test
    void isValid_agreesWithWhatTheValueTypesEnforce() {
        String bad = "r/1";
        assertFalse(Ids.isValid(bad));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Topic.restaurant(bad));
        assertTrue(e.getMessage().contains("'r/1'"), e.getMessage());
        assertEquals("r-1", Topic.restaurant("r-1").id());
    }
}
