package org.ordertracking.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.GeoArgs;
import io.lettuce.core.GeoSearch;
import io.lettuce.core.GeoWithin;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValueScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.internal.Checks;
import org.ordertracking.redis.internal.GroupCommit;
import org.ordertracking.redis.internal.PutIfNewerScript;
import org.ordertracking.redis.internal.StoredFix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LocationStore} on Redis, shared by every node: each node sees every driver's current position.
 *
 * <p><b>Keys</b> (prefix {@code tracking:} by default): {@code tracking:driver:{d-1}:pos} is a string,
 * the fix's recordedAt as a 26-digit stamp followed by {@code lat,lon,accuracy,heading,speed,} and the
 * receivedAt stamp, with the position TTL; {@code tracking:driver:{d-1}:seen_at} is a string holding
 * the stamp of the newest fix ever written, kept for the last-seen retention. The braces are a Redis
 * Cluster hash tag: both keys of a driver live in the same slot, so the script touching them runs on
 * one node, while different drivers spread over the cluster.
 *
 * <p><b>Writes</b> run a Lua script ({@code EVALSHA}, falling back to {@code EVAL} once per node when
 * the script cache is empty) that compares recordedAt and writes in one atomic step, so concurrent
 * writers never leave an older fix in place; a fix arriving in order costs two commands (see
 * docs/redis.md). {@link #putIfNewer} never blocks. Writes are
 * <em>group-committed</em>: while a script call is in flight, further writes (from any thread, or
 * pipelined by one caller) queue up and go out together as the next script call, up to 256 fixes per
 * call, each fix still compared and applied on its own and each returned stage completing with its own
 * result. On Redis Cluster a script call carries the writes of one hash slot only (the batches are
 * formed per slot). <b>Reads</b> ({@link #get}, {@link #getAll}, {@link #lastSeen},
 * {@link #lastSeenAll}) wait for their reply up to the connection's command timeout, throwing
 * Lettuce's {@link RedisException} when Redis fails or does not answer in time; {@link #getAll} and
 * {@link #lastSeenAll} are one {@code MGET} each (on a cluster, Lettuce splits it by slot and sends the
 * parts in parallel). Needs Redis 6.2 or later.
 *
 * <p>Thread-safe. The stages {@link #putIfNewer} returns complete on a Lettuce I/O thread: callbacks
 * attached to them must not block (hand slow work to an executor with the {@code *Async} variants).
 *
 * @since 0.1.0
 */
public final class RedisLocationStore implements LocationStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisLocationStore.class);
    /** Largest number of fixes one script call carries (bounds how long one call holds Redis). */
    private static final int MAX_BATCH = 256;
    /** Script calls of one slot in flight before further writes queue up for the next batch. */
    private static final int MAX_IN_FLIGHT = 1;

    private final RedisLocationStoreConfig config;
    private final StatefulConnection<String, String> connection;
    private final RedisClusterAsyncCommands<String, String> commands;
    private final AbstractRedisClient ownedClient;
    private final boolean cluster;
    private final String ttlArg;
    private final String retentionArg;
    private final GroupCommit<Write> writes;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RedisLocationStore(RedisLocationStoreConfig config, StatefulConnection<String, String> connection,
            RedisClusterAsyncCommands<String, String> commands, AbstractRedisClient client, AbstractRedisClient ownedClient) {
        this.config = config;
        this.connection = connection;
        this.commands = commands;
        this.ownedClient = ownedClient;
        this.cluster = connection instanceof StatefulRedisClusterConnection;
        this.ttlArg = Long.toString(config.ttl().toMillis());
        this.retentionArg = Long.toString(config.lastSeenRetention().toMillis());
        // the client's computation threads (not its I/O threads) send the batches formed when a reply arrives
        this.writes = new GroupCommit<>(MAX_BATCH, MAX_IN_FLIGHT, this::send, Write::result,
                client.getResources().eventExecutorGroup());
    }

    /** Returns a store on the caller's standalone client with the default settings; the client is never shut down by the store. */
    public static RedisLocationStore create(RedisClient client) {
        return create(client, RedisLocationStoreConfig.defaults());
    }

    /** Returns a store on the caller's standalone client; the client is never shut down by the store. */
    public static RedisLocationStore create(RedisClient client, RedisLocationStoreConfig config) {
        Objects.requireNonNull(client, "client must not be null");
        Objects.requireNonNull(config, "config must not be null");
        return standalone(client, config, null);
    }

    /** Returns a store on the caller's cluster client with the default settings; the client is never shut down by the store. */
    public static RedisLocationStore create(RedisClusterClient client) {
        return create(client, RedisLocationStoreConfig.defaults());
    }

    /** Returns a store on the caller's cluster client; the client is never shut down by the store. */
    public static RedisLocationStore create(RedisClusterClient client, RedisLocationStoreConfig config) {
        Objects.requireNonNull(client, "client must not be null");
        Objects.requireNonNull(config, "config must not be null");
        return cluster(client, config, null);
    }

    /**
     * Returns a store on a standalone Redis at {@code uri} (e.g. {@code redis://127.0.0.1:6379}) with
     * a client it creates and shuts down on {@link #close()}.
     */
    public static RedisLocationStore create(String uri, RedisLocationStoreConfig config) {
        Objects.requireNonNull(uri, "uri must not be null");
        Objects.requireNonNull(config, "config must not be null");
        RedisClient client = RedisClient.create(uri);
        try {
            return standalone(client, config, client);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    /** Returns a store on a standalone Redis at {@code uri} with the default settings; see {@link #create(String, RedisLocationStoreConfig)}. */
    public static RedisLocationStore create(String uri) {
        return create(uri, RedisLocationStoreConfig.defaults());
    }

    /** Returns a store on the Redis Cluster reachable at {@code uri} with a cluster client it creates and shuts down on {@link #close()}. */
    public static RedisLocationStore createCluster(String uri, RedisLocationStoreConfig config) {
        Objects.requireNonNull(uri, "uri must not be null");
        Objects.requireNonNull(config, "config must not be null");
        RedisClusterClient client = RedisClusterClient.create(uri);
        try {
            return cluster(client, config, client);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    private static RedisLocationStore standalone(RedisClient client, RedisLocationStoreConfig config,
            AbstractRedisClient owned) {
        StatefulRedisConnection<String, String> connection = client.connect(StringCodec.UTF8);
        return new RedisLocationStore(config, connection, connection.async(), client, owned);
    }

    private static RedisLocationStore cluster(RedisClusterClient client, RedisLocationStoreConfig config,
            AbstractRedisClient owned) {
        StatefulRedisClusterConnection<String, String> connection = client.connect(StringCodec.UTF8);
        return new RedisLocationStore(config, connection, connection.async(), client, owned);
    }

    /** Returns the settings. */
    public RedisLocationStoreConfig config() {
        return config;
    }

    /** Returns the key holding the position of {@code driverId}, e.g. {@code tracking:driver:{d-1}:pos}. */
    public String locationKey(String driverId) {
        return config.keyPrefix() + "driver:{" + driverId + "}:pos";
    }

    /** Returns the key holding the last-seen instant of {@code driverId}, e.g. {@code tracking:driver:{d-1}:seen_at}. */
    public String seenKey(String driverId) {
        return config.keyPrefix() + "driver:{" + driverId + "}:seen_at";
    }

    /** Returns the key of the GEO index of drivers, e.g. {@code tracking:drivers:geo}. */
    public String geoKey() {
        return config.keyPrefix() + "drivers:geo";
    }

    /**
     * Returns the current positions of up to {@code limit} drivers within {@code radiusMeters} of
     * {@code center}, nearest first. Needs {@link RedisLocationStoreConfig#geoIndex()}.
     *
     * <p>GEO members have no TTL of their own: a driver whose position expired is left out and swept
     * from the index by this call (see also {@link #sweepGeoIndex()}). The index position is written right after the fix, so under
     * concurrent writes for one driver it may briefly lag the stored fix; the returned fixes are
     * always the stored ones.
     *
     * @throws IllegalStateException if the store was built without the GEO index
     */
    public Map<String, LocationFix> driversNear(GeoPoint center, double radiusMeters, int limit) {
        Objects.requireNonNull(center, "center must not be null");
        if (!(radiusMeters > 0) || Double.isInfinite(radiusMeters)) {
            throw new IllegalArgumentException("radiusMeters must be positive and finite, but was " + radiusMeters);
        }
        Checks.requirePositive(limit, "limit");
        if (!config.geoIndex()) {
            throw new IllegalStateException("driversNear needs a store built with geoIndex(true)");
        }
        Map<String, LocationFix> result = new LinkedHashMap<>();
        for (int round = 0; round < 3; round++) {
            List<GeoWithin<String>> near = await(commands.geosearch(geoKey(), GeoSearch.fromCoordinates(center.lon(), center.lat()),
                    GeoSearch.byRadius(radiusMeters, GeoArgs.Unit.m), new GeoArgs().asc().withCount(limit)), "GEOSEARCH");
            if (near.isEmpty()) {
                return result;
            }
            List<String> ids = new ArrayList<>(near.size());
            near.forEach(within -> ids.add(within.getMember()));
            Map<String, LocationFix> found = getAll(ids);
            List<String> expired = new ArrayList<>();
            for (String id : ids) {
                if (!found.containsKey(id)) {
                    expired.add(id);
                }
            }
            result.clear();
            result.putAll(found);
            if (expired.isEmpty() || near.size() < limit) {
                sweep(expired);
                return result;
            }
            sweep(expired);
        }
        return result;
    }

    /**
     * Removes from the GEO index every driver whose position expired; a host with many drivers may
     * call it on a schedule. Returns how many were removed. A no-op without the index.
     */
    public long sweepGeoIndex() {
        if (!config.geoIndex()) {
            return 0;
        }
        long removed = 0;
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            ScoredValueScanCursor<String> page = await(commands.zscan(geoKey(), cursor, ScanArgs.Builder.limit(500)), "ZSCAN");
            List<String> ids = new ArrayList<>();
            page.getValues().forEach(value -> ids.add(value.getValue()));
            if (!ids.isEmpty()) {
                Map<String, LocationFix> alive = getAll(ids);
                List<String> expired = new ArrayList<>();
                for (String id : ids) {
                    if (!alive.containsKey(id)) {
                        expired.add(id);
                    }
                }
                removed += sweep(expired);
            }
            cursor = page;
        } while (!cursor.isFinished());
        return removed;
    }

    private long sweep(List<String> expired) {
        if (expired.isEmpty()) {
            return 0;
        }
        // Not atomic with the read (the index and the positions live in different Cluster slots): a
        // driver that wrote in between drops out of the index until its next fix, seconds later.
        Long removed = await(commands.zrem(geoKey(), expired.toArray(String[]::new)), "ZREM");
        return removed == null ? 0 : removed;
    }

    @Override
    public CompletionStage<Boolean> putIfNewer(String driverId, LocationFix fix) {
        Checks.requireId(driverId, "driverId");
        Objects.requireNonNull(fix, "fix must not be null");
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("the location store is closed"));
        }
        String stamp = PutIfNewerScript.stamp(fix.recordedAt());
        String location = locationKey(driverId);
        Write write = new Write(location, seenKey(driverId), stamp, StoredFix.encode(stamp, fix),
                new CompletableFuture<>());
        writes.submit(cluster ? SlotHash.getSlot(location) : 0, write);
        if (!config.geoIndex()) {
            return write.result;
        }
        return write.result.thenCompose(stored -> stored
                // a separate command: the index key lives in another Cluster slot than the driver's keys
                ? commands.geoadd(geoKey(), fix.lon(), fix.lat(), driverId).thenApply(added -> true)
                : CompletableFuture.completedFuture(false));
    }

    /** One fix waiting for, or carried by, a script call. */
    private record Write(String locationKey, String seenKey, String stamp, String value, CompletableFuture<Boolean> result) {
    }

    /** Sends one batch of writes (all in one slot) as one script call: EVALSHA, or EVAL if the script is not cached. */
    private CompletionStage<List<Object>> send(List<Write> batch) {
        String[] keys = new String[batch.size() * 2];
        String[] args = new String[2 + batch.size() * 2];
        args[0] = ttlArg;
        args[1] = retentionArg;
        for (int i = 0; i < batch.size(); i++) {
            Write write = batch.get(i);
            keys[2 * i] = write.locationKey;
            keys[2 * i + 1] = write.seenKey;
            args[2 + 2 * i] = write.stamp;
            args[3 + 2 * i] = write.value;
        }
        CompletionStage<List<Object>> sha = commands.<List<Object>>evalsha(PutIfNewerScript.SHA, ScriptOutputType.MULTI, keys, args);
        return sha.handle((result, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(result);
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof RedisNoScriptException
                    || (cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT"))) {
                // First write on this node (or after a restart): EVAL runs and caches the script.
                return commands.<List<Object>>eval(PutIfNewerScript.SOURCE, ScriptOutputType.MULTI, keys, args);
            }
            return CompletableFuture.<List<Object>>failedFuture(cause);
        }).thenCompose(stage -> stage);
    }

    @Override
    public Optional<LocationFix> get(String driverId) {
        Checks.requireId(driverId, "driverId");
        String value = await(commands.get(locationKey(driverId)), "GET");
        return value == null ? Optional.empty() : Optional.of(StoredFix.decode(value));
    }

    @Override
    public Map<String, LocationFix> getAll(Collection<String> driverIds) {
        return mgetByDriver(driverIds, this::locationKey, StoredFix::decode);
    }

    @Override
    public Optional<Instant> lastSeen(String driverId) {
        Checks.requireId(driverId, "driverId");
        String stamp = await(commands.get(seenKey(driverId)), "GET");
        return stamp == null ? Optional.empty() : Optional.of(PutIfNewerScript.instantOf(stamp));
    }

    /**
     * {@inheritDoc}
     *
     * <p>One {@code MGET} of the last-seen keys (on a cluster, Lettuce splits it by slot and sends the
     * parts in parallel).
     */
    @Override
    public Map<String, Instant> lastSeenAll(Collection<String> driverIds) {
        return mgetByDriver(driverIds, this::seenKey, PutIfNewerScript::instantOf);
    }

    /** One {@code MGET} of one key per distinct driver; drivers whose key is absent are left out. */
    private <T> Map<String, T> mgetByDriver(Collection<String> driverIds, Function<String, String> keyOf,
            Function<String, T> decode) {
        Objects.requireNonNull(driverIds, "driverIds must not be null");
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(driverIds));
        if (ids.isEmpty()) {
            return Map.of();
        }
        String[] keys = new String[ids.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = keyOf.apply(Checks.requireId(ids.get(i), "driverId"));
        }
        List<KeyValue<String, String>> values = await(commands.mget(keys), "MGET");
        Map<String, T> result = new LinkedHashMap<>();
        for (int i = 0; i < values.size() && i < ids.size(); i++) {
            KeyValue<String, String> value = values.get(i);
            if (value.hasValue()) {
                result.put(ids.get(i), decode.apply(value.getValue()));
            }
        }
        return result;
    }

    @Override
    public Duration lastSeenRetention() {
        return config.lastSeenRetention();
    }

    @Override
    public Duration ttl() {
        return config.ttl();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        writes.close();
        try {
            connection.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the Redis connection failed", e);
        } finally {
            if (ownedClient != null) {
                ownedClient.shutdown();
            }
        }
    }

    private <T> T await(Future<T> future, String command) {
        if (closed.get()) {
            throw new IllegalStateException("the location store is closed");
        }
        Duration timeout = connection.getTimeout();
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisException("interrupted while waiting for Redis " + command, e);
        } catch (ExecutionException e) {
            throw new RedisException("Redis " + command + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new RedisException("Redis " + command + " got no reply within " + timeout, e);
        }
    }
}
