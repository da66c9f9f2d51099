package org.ordertracking.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChecksTest {

    @Test
    void isValidId_everyCharacter_matchesTheDocumentedClass() {
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            boolean expected = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '-';
            String one = String.valueOf((char) c);
            assertEquals(expected, Checks.isValidId(one), "character " + c);
            assertEquals(expected, Checks.isValidId("o-" + one + "x"), "character " + c + " inside an id");
        }
    }

    @Test
    void isValidId_length_isOneTo128() {
        assertFalse(Checks.isValidId(""));
        assertFalse(Checks.isValidId(null));
        assertTrue(Checks.isValidId("a".repeat(128)));
        assertFalse(Checks.isValidId("a".repeat(129)));
    }

    @Test
    void requireId_invalid_throwsNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checks.requireId("o 1", "orderId"));
        assertTrue(e.getMessage().contains("'o 1'"), e.getMessage());
    }
}
