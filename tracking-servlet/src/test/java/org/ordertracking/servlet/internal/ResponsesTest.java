package org.ordertracking.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ResponsesTest {
    private static final String TAG = Responses.etag("[]");

    @Test
    void etag_isTheQuotedHexOfTheFirst12BytesOfTheSha256() {
        // SHA-256("[]") = 4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
        assertEquals("\"4f53cda18c2baa0c0354bb5f\"", TAG);
        assertNotEquals(TAG, Responses.etag("[ ]"));
    }

    @Test
    void ifNoneMatch_exactTag_matches() {
        assertTrue(Responses.ifNoneMatch(TAG, TAG));
    }

    @Test
    void ifNoneMatch_weakTag_matchesByWeakComparison() {
        assertTrue(Responses.ifNoneMatch("W/" + TAG, TAG));
    }

    @Test
    void ifNoneMatch_listWithTheTagAnywhere_matches() {
        assertTrue(Responses.ifNoneMatch("\"aaa\", W/\"bbb\"," + TAG, TAG));
        assertTrue(Responses.ifNoneMatch(" " + TAG + " ,\"aaa\"", TAG));
    }

    @Test
    void ifNoneMatch_star_matchesAnyTag() {
        assertTrue(Responses.ifNoneMatch("*", TAG));
        assertTrue(Responses.ifNoneMatch("\"aaa\", *", TAG));
    }

    @Test
    void ifNoneMatch_otherTagsOrNoHeader_doNotMatch() {
        assertFalse(Responses.ifNoneMatch(null, TAG));
        assertFalse(Responses.ifNoneMatch("", TAG));
        assertFalse(Responses.ifNoneMatch("\"aaa\", W/\"bbb\"", TAG));
        assertFalse(Responses.ifNoneMatch(TAG.substring(1, TAG.length() - 1), TAG), "an unquoted tag is another tag");
    }
}
