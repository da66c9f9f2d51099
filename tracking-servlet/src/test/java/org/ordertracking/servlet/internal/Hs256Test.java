package org.ordertracking.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class Hs256Test {
    private static final byte[] SECRET = "an-hs256-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);

    @Test
    void decode_canonicalSpellingOfEveryLength_roundTrips() {
        for (int length = 0; length <= 40; length++) {
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++) {
                bytes[i] = (byte) (i * 37 + 255);
            }
            String text = Hs256.encode(bytes);
            assertArrayEquals(bytes, Hs256.decode(text), text);
        }
    }

    @Test
    void decode_everyByteValueAndBothUrlCharacters_decodes() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        String text = Hs256.encode(bytes);
        assertTrue(text.indexOf('-') >= 0 && text.indexOf('_') >= 0, text);
        assertArrayEquals(bytes, Hs256.decode(text));
    }

    @Test
    void decode_padding_isRefused() {
        // "a" is YQ (2 characters), "ab" is YWI (3 characters): both have a padded spelling
        assertArrayEquals("a".getBytes(StandardCharsets.US_ASCII), Base64.getUrlDecoder().decode("YQ=="));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hs256.decode("YQ=="));
        assertTrue(e.getMessage().contains("padding"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Hs256.decode("YWI="));
        assertThrows(IllegalArgumentException.class, () -> Hs256.decode("YQ="));
    }

    @Test
    void decode_unusedLowBitsSet_isRefused() {
        // YQ decodes to 'a'; YR..YZ and Yf differ only in the 4 unused bits of Q and the JDK accepts them
        assertArrayEquals("a".getBytes(StandardCharsets.US_ASCII), Base64.getUrlDecoder().decode("YR"));
        for (char c : "RSTUVWXYZabcdef".toCharArray()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hs256.decode("Y" + c));
            assertTrue(e.getMessage().contains("low bits"), e.getMessage());
        }
        // YWI decodes to "ab"; J, K, L differ only in the 2 unused bits of I
        assertArrayEquals("ab".getBytes(StandardCharsets.US_ASCII), Base64.getUrlDecoder().decode("YWJ"));
        for (char c : "JKL".toCharArray()) {
            assertThrows(IllegalArgumentException.class, () -> Hs256.decode("YW" + c));
        }
    }

    @Test
    void decode_standardAlphabetWhitespaceAndStrayLength_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> Hs256.decode("+/8A"));
        assertThrows(IllegalArgumentException.class, () -> Hs256.decode("YW I"));
        assertThrows(IllegalArgumentException.class, () -> Hs256.decode("YWI\n"));
        assertThrows(IllegalArgumentException.class, () -> Hs256.decode("YWJjZ"));
        assertThrows(IllegalArgumentException.class, () -> Hs256.decode("Y"));
        assertThrows(IllegalArgumentException.class, () -> Hs256.decode("YWJj\u00e9"));
    }

    @Test
    void verify_onlyTheCanonicalSpellingOfTheSignature_matches() {
        Hs256 hs256 = new Hs256(SECRET);
        String input = "header.payload";
        byte[] mac = hs256.sign(input);
        String canonical = Hs256.encode(mac); // 32 bytes: 43 characters, the last carries 2 unused bits
        assertEquals(43, canonical.length());
        assertTrue(hs256.verify(input, canonical));
        assertFalse(hs256.verify(input, canonical + "="));
        char last = canonical.charAt(canonical.length() - 1);
        String flipped = canonical.substring(0, 42) + flipLowBit(last);
        assertArrayEquals(mac, Base64.getUrlDecoder().decode(flipped), "the JDK reads the same bytes");
        assertFalse(hs256.verify(input, flipped));
        assertFalse(hs256.verify(input, canonical + "\n"));
    }

    /** The character whose 6-bit value differs from {@code c}'s only in the lowest bit. */
    static char flipLowBit(char c) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return alphabet.charAt(alphabet.indexOf(c) ^ 1);
    }
}
