package org.ordertracking.redis.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The Lua script behind {@code RedisLocationStore.putIfNewer}: compare and write in one atomic step,
 * so concurrent writers never leave an older fix in place. One call carries one or many fixes (group
 * commit); they are applied in order, each with its own comparison.
 *
 * <p>Per fix, two keys sharing the hash tag {@code {driverId}} (one Cluster slot): the position, a
 * string starting with its stamp ({@link StoredFix}) with the TTL, and the last-seen key, a string {@code stamp} (the newest
 * recordedAt ever written) with the last-seen retention. A <em>stamp</em> is recordedAt as
 * {@value #STAMP_LENGTH} decimal digits, epoch seconds shifted to be non-negative (17 digits) then
 * nanos (9 digits): equal-length digit strings, so Lua's string comparison orders them as instants
 * (digits collate in numeric order in the C locale and the usual ones).
 *
 * <p>KEYS: position₁, last-seen₁, position₂, last-seen₂, …; ARGV: ttl ms, retention ms, then stamp₁,
 * value₁ (starting with stamp₁), stamp₂, value₂, …. Returns an array with 1 for each fix stored and 0 for
 * each refused because the stored position is newer.
 *
 * <p>The stored position is never newer than the last-seen stamp (both are written together, and the
 * position expires first), so a fix not older than the last-seen stamp is newer than any stored
 * position: in the common case (fixes arriving in order) a fix costs two commands, {@code SET … PX …
 * GET} of the last-seen stamp and {@code SET … PX} of the position. Only a fix older than the
 * last-seen stamp — or one finding no last-seen key, e.g. the first of a driver or after an eviction —
 * puts the newest stamp back and compares with the position itself ({@code GET}). Putting the stamp
 * back restarts its retention, so an older fix, even a refused one, keeps the last-seen instant
 * (unchanged) for another retention period. Needs Redis 6.2+ ({@code SET … GET}).
 */
public final class PutIfNewerScript {
    private PutIfNewerScript() {
    }

    public static final String SOURCE = """
            local ttl = ARGV[1]
            local keep = ARGV[2]
            local out = {}
            for i = 1, #KEYS / 2 do
              local pos = KEYS[2 * i - 1]
              local seen = KEYS[2 * i]
              local stamp = ARGV[2 * i + 1]
              local newest = redis.call('SET', seen, stamp, 'PX', keep, 'GET')
              if newest and newest <= stamp then
                redis.call('SET', pos, ARGV[2 * i + 2], 'PX', ttl)
                out[i] = 1
              else
                if newest then
                  redis.call('SET', seen, newest, 'PX', keep)
                end
                local cur = redis.call('GET', pos)
                if cur and string.sub(cur, 1, 26) > stamp then
                  if not newest then
                    redis.call('SET', seen, string.sub(cur, 1, 26), 'PX', keep)
                  end
                  out[i] = 0
                else
                  redis.call('SET', pos, ARGV[2 * i + 2], 'PX', ttl)
                  out[i] = 1
                end
              end
            end
            return out
            """;

    /** SHA-1 of {@link #SOURCE}, as {@code EVALSHA} wants it. */
    public static final String SHA = sha1(SOURCE);

    /** Length of a stamp: 17 digits of shifted epoch seconds, 9 of nanos. */
    public static final int STAMP_LENGTH = 26;

    /** Added to epoch seconds so that every {@link Instant} (down to {@link Instant#MIN}) is non-negative. */
    private static final long SECONDS_SHIFT = -Instant.MIN.getEpochSecond();

    /** Returns the fixed-width, order-preserving decimal stamp of {@code instant}. */
    public static String stamp(Instant instant) {
        char[] digits = new char[STAMP_LENGTH];
        long nanos = instant.getNano();
        for (int i = STAMP_LENGTH - 1; i >= 17; i--) {
            digits[i] = (char) ('0' + nanos % 10);
            nanos /= 10;
        }
        long seconds = instant.getEpochSecond() + SECONDS_SHIFT;
        for (int i = 16; i >= 0; i--) {
            digits[i] = (char) ('0' + seconds % 10);
            seconds /= 10;
        }
        return new String(digits);
    }

    /** Returns the instant of a stamp (or of a position value, which starts with its stamp). */
    public static Instant instantOf(String stamped) {
        if (stamped.length() < STAMP_LENGTH) {
            throw new IllegalArgumentException("not a stamp: " + stamped);
        }
        long seconds = Long.parseLong(stamped, 0, 17, 10) - SECONDS_SHIFT;
        int nanos = Integer.parseInt(stamped, 17, STAMP_LENGTH, 10);
        return Instant.ofEpochSecond(seconds, nanos);
    }

    private static String sha1(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-1");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }
}
