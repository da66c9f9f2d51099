/**
 * Redis adapters of the Order Tracking SDK, on Lettuce: {@link org.ordertracking.redis.RedisEventBus}
 * carries events between nodes over Pub/Sub (sharded Pub/Sub on Redis Cluster) and
 * {@link org.ordertracking.redis.RedisLocationStore} holds every driver's current position.
 * Both take a caller-owned {@code RedisClient} or {@code RedisClusterClient}, which they never shut
 * down, or a URI, in which case they create the client and release it on {@code close()}.
 *
 * @since 0.1.0
 */
package org.ordertracking.redis;
