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
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.WireCodec;
import org.ordertracking.core.internal.Checks;
import org.ordertracking.redis.internal.PutIfNewerScript;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LocationStore} on Redis, shared by every node: each node sees every driver's current position.
 *
 * <p><b>Keys</b> (prefix {@code tracking:} by default): {@code tracking:driver:{d-1}:location} holds
 * the fix as {@link WireCodec#toStoredJson} with the position TTL; {@code tracking:driver:{d-1}:seen}
 * is a small hash kept for the last-seen retention (the newest fix's recordedAt, and the stored
 * position's, for the comparison). The braces are a Redis Cluster hash tag: both keys of a driver live
 * in the same slot, so the script touching them runs on one node, while different drivers spread over
 * the cluster.
 *
 * <p><b>Writes</b> run a Lua script ({@code EVALSHA}, falling back to {@code EVAL} once per node when
 * the script cache is empty) that compares recordedAt and writes in one atomic step, so concurrent
 * writers never leave an older fix in place. {@link #putIfNewer} never blocks: the command goes out on
 * Lettuce's asynchronous API and concurrent writes are pipelined on the one connection. <b>Reads</b>
 * ({@link #get}, {@link #getAll}, {@link #lastSeen}) wait for their reply up to the connection's
 * command timeout, throwing Lettuce's {@link RedisException} when Redis fails or does not answer in
 * time; {@link #getAll} is one {@code MGET} (on a cluster, Lettuce splits it by slot and
 * sends the parts in parallel).
 *
 * <p>Thread-safe. The stages {@link #putIfNewer} returns complete on a Lettuce I/O thread: callbacks
 * attached to them must not block (hand slow work to an executor with the {@code *Async} variants).
 *
 * @since 0.1.0
 */
public final class RedisLocationStore implements LocationStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisLocationStore.class);

    private final RedisLocationStoreConfig config;
    private final StatefulConnection<String, String> connection;
    private final RedisClusterAsyncCommands<String, String> commands;
    private final AbstractRedisClient ownedClient;
    private final long ttlMillis;
    private final long retentionMillis;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RedisLocationStore(RedisLocationStoreConfig config, StatefulConnection<String, String> connection,
            RedisClusterAsyncCommands<String, String> commands, AbstractRedisClient ownedClient) {
        this.config = config;
        this.connection = connection;
        this.commands = commands;
        this.ownedClient = ownedClient;
        this.ttlMillis = config.ttl().toMillis();
        this.retentionMillis = config.lastSeenRetention().toMillis();
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
        return new RedisLocationStore(config, connection, connection.async(), owned);
    }

    private static RedisLocationStore cluster(RedisClusterClient client, RedisLocationStoreConfig config,
            AbstractRedisClient owned) {
        StatefulRedisClusterConnection<String, String> connection = client.connect(StringCodec.UTF8);
        return new RedisLocationStore(config, connection, connection.async(), owned);
    }

    /** Returns the settings. */
    public RedisLocationStoreConfig config() {
        return config;
    }

    /** Returns the key holding the position of {@code driverId}, e.g. {@code tracking:driver:{d-1}:location}. */
    public String locationKey(String driverId) {
        return config.keyPrefix() + "driver:{" + driverId + "}:location";
    }

    /** Returns the key of the last-seen hash of {@code driverId}, e.g. {@code tracking:driver:{d-1}:seen}. */
    public String seenKey(String driverId) {
        return config.keyPrefix() + "driver:{" + driverId + "}:seen";
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
        String[] keys = {locationKey(driverId), seenKey(driverId)};
        String[] args = PutIfNewerScript.args(WireCodec.toStoredJson(fix), fix.recordedAt(), ttlMillis, retentionMillis);
        try {
            CompletionStage<Long> sha = commands.<Long>evalsha(PutIfNewerScript.SHA, ScriptOutputType.INTEGER, keys, args);
            return sha.handle((result, error) -> {
                if (error == null) {
                    return CompletableFuture.completedFuture(result);
                }
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause instanceof RedisNoScriptException
                        || (cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT"))) {
                    // First write on this node (or after a restart): EVAL runs and caches the script.
                    return commands.<Long>eval(PutIfNewerScript.SOURCE, ScriptOutputType.INTEGER, keys, args);
                }
                return CompletableFuture.<Long>failedFuture(cause);
            }).thenCompose(stage -> stage).thenCompose(result -> {
                boolean stored = result != null && result == 1L;
                if (!stored || !config.geoIndex()) {
                    return CompletableFuture.completedFuture(stored);
                }
                // A separate command: the index key lives in another Cluster slot than the driver's keys.
                return commands.geoadd(geoKey(), fix.lon(), fix.lat(), driverId).thenApply(added -> true);
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public Optional<LocationFix> get(String driverId) {
        Checks.requireId(driverId, "driverId");
        String json = await(commands.get(locationKey(driverId)), "GET");
        return json == null ? Optional.empty() : Optional.of(WireCodec.readStoredFix(json));
    }

    @Override
    public Map<String, LocationFix> getAll(Collection<String> driverIds) {
        Objects.requireNonNull(driverIds, "driverIds must not be null");
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(driverIds));
        if (ids.isEmpty()) {
            return Map.of();
        }
        String[] keys = new String[ids.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = locationKey(Checks.requireId(ids.get(i), "driverId"));
        }
        List<KeyValue<String, String>> values = await(commands.mget(keys), "MGET");
        Map<String, LocationFix> result = new LinkedHashMap<>();
        for (int i = 0; i < values.size() && i < ids.size(); i++) {
            KeyValue<String, String> value = values.get(i);
            if (value.hasValue()) {
                result.put(ids.get(i), WireCodec.readStoredFix(value.getValue()));
            }
        }
        return result;
    }

    @Override
    public Optional<Instant> lastSeen(String driverId) {
        Checks.requireId(driverId, "driverId");
        String at = await(commands.hget(seenKey(driverId), PutIfNewerScript.LAST_SEEN_FIELD), "HGET");
        return at == null ? Optional.empty() : Optional.of(Instant.parse(at));
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
