/**
 * Implementation classes of tracking-redis. Not API: anything here may change or disappear in any
 * release without notice. Use {@code RedisEventBus} and {@code RedisLocationStore}.
 */
package org.ordertracking.redis.internal;
