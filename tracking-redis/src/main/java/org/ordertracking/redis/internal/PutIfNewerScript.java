package org.ordertracking.redis.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The Lua script behind {@code RedisLocationStore.putIfNewer}: compare and write in one atomic step,
 * so concurrent writers never leave an older fix in place.
 *
 * <p>KEYS[1] is the position (a string holding the stored JSON, with the TTL); KEYS[2] the driver's
 * "seen" hash, kept for the last-seen retention, with fields {@code cur_s}/{@code cur_n} (recordedAt
 * of the stored position, epoch seconds and nanos), {@code new_s}/{@code new_n} and {@code at}
 * (recordedAt of the newest fix ever written, numeric and ISO-8601). Both keys share the hash tag
 * {@code {driverId}}, so they live in one Cluster slot. ARGV: json, seconds, nanos, ISO instant,
 * ttl ms, retention ms. Returns 1 if the fix was stored, 0 if the stored one is newer.
 */
public final class PutIfNewerScript {
    private PutIfNewerScript() {
    }

    public static final String SOURCE = """
            local s = tonumber(ARGV[2])
            local n = tonumber(ARGV[3])
            if redis.call('EXISTS', KEYS[1]) == 1 then
              local cs = tonumber(redis.call('HGET', KEYS[2], 'cur_s'))
              local cn = tonumber(redis.call('HGET', KEYS[2], 'cur_n'))
              if cs and (cs > s or (cs == s and cn > n)) then
                return 0
              end
            end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[5])
            local ns = tonumber(redis.call('HGET', KEYS[2], 'new_s'))
            local nn = tonumber(redis.call('HGET', KEYS[2], 'new_n'))
            if not ns or ns < s or (ns == s and nn <= n) then
              redis.call('HSET', KEYS[2], 'new_s', ARGV[2], 'new_n', ARGV[3], 'at', ARGV[4])
            end
            redis.call('HSET', KEYS[2], 'cur_s', ARGV[2], 'cur_n', ARGV[3])
            redis.call('PEXPIRE', KEYS[2], ARGV[6])
            return 1
            """;

    /** SHA-1 of {@link #SOURCE}, as {@code EVALSHA} wants it. */
    public static final String SHA = sha1(SOURCE);

    /** The hash field holding the ISO-8601 recordedAt of the newest fix. */
    public static final String LAST_SEEN_FIELD = "at";

    /** Returns the script arguments for a fix. */
    public static String[] args(String json, Instant recordedAt, long ttlMillis, long retentionMillis) {
        return new String[] {json, Long.toString(recordedAt.getEpochSecond()), Integer.toString(recordedAt.getNano()),
                recordedAt.toString(), Long.toString(ttlMillis), Long.toString(retentionMillis)};
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
