package org.ordertracking.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The config records and builders: defaults, and bad values rejected with the value shown. */
class RedisConfigTest {

    @Test
    void eventBusConfig_defaults_areTheDocumentedConstants() {
        RedisEventBusConfig config = RedisEventBusConfig.defaults();
        assertEquals("tracking:", config.channelPrefix());
        assertEquals(RedisEventBusConfig.DEFAULT_BUFFER_SIZE, config.bufferSize());
        assertEquals(Duration.ofSeconds(5), config.subscribeTimeout());
        assertNull(config.executor());
        assertEquals(config, config.toBuilder().build());
    }

    @Test
    void eventBusConfig_withResources_takesTheirDeliveryExecutor_unlessOneIsSet() {
        try (org.ordertracking.core.TrackingResources resources =
                org.ordertracking.core.TrackingResources.builder().deliveryThreads(3).build()) {
            RedisEventBusConfig onResources = RedisEventBusConfig.builder().resources(resources).build();
            assertSame(resources.deliveryExecutor(), onResources.executor());
            assertEquals(3, onResources.deliveryThreads());

            java.util.concurrent.Executor own = Runnable::run;
            RedisEventBusConfig overridden = RedisEventBusConfig.builder().executor(own).deliveryThreads(5)
                    .resources(resources).build();
            assertSame(own, overridden.executor());
            assertEquals(5, overridden.deliveryThreads());
        }
    }

    @Test
    void eventBusConfig_closedResources_areRefused() {
        org.ordertracking.core.TrackingResources resources = org.ordertracking.core.TrackingResources.create();
        resources.close();
        assertThrows(IllegalStateException.class, () -> RedisEventBusConfig.builder().resources(resources));
    }

    @Test
    void eventBusConfig_badValues_areRejectedShowingTheValue() {
        assertEquals("subscribeTimeout must be positive, but was PT-1S", assertThrows(IllegalArgumentException.class,
                () -> RedisEventBusConfig.builder().subscribeTimeout(Duration.ofSeconds(-1))).getMessage());
        assertEquals("bufferSize must be positive, but was 0", assertThrows(IllegalArgumentException.class,
                () -> RedisEventBusConfig.builder().bufferSize(0)).getMessage());
        assertEquals("channelPrefix must be at most 64 printable ASCII characters without spaces or braces, but was '{x}:'",
                assertThrows(IllegalArgumentException.class, () -> RedisEventBusConfig.builder().channelPrefix("{x}:"))
                        .getMessage());
        assertThrows(NullPointerException.class, () -> RedisEventBusConfig.builder().executor(null));
    }

    @Test
    void locationStoreConfig_defaults_areTheDocumentedConstants() {
        RedisLocationStoreConfig config = RedisLocationStoreConfig.defaults();
        assertEquals("tracking:", config.keyPrefix());
        assertEquals(Duration.ofSeconds(30), config.ttl());
        assertEquals(Duration.ofMinutes(10), config.lastSeenRetention());
        assertFalse(config.geoIndex());
    }

    @Test
    void locationStoreConfig_badValues_areRejectedShowingTheValue() {
        assertEquals("ttl must be positive, but was PT-3S", assertThrows(IllegalArgumentException.class,
                () -> RedisLocationStoreConfig.builder().ttl(Duration.ofSeconds(-3))).getMessage());
        assertEquals("lastSeenRetention must be longer than ttl (PT5M), but was PT1M",
                assertThrows(IllegalArgumentException.class, () -> RedisLocationStoreConfig.builder()
                        .ttl(Duration.ofMinutes(5)).lastSeenRetention(Duration.ofMinutes(1)).build()).getMessage());
        assertEquals("ttl must be at least 1 ms (Redis expiry precision), but was PT0.0000005S",
                assertThrows(IllegalArgumentException.class,
                        () -> RedisLocationStoreConfig.builder().ttl(Duration.ofNanos(500)).build()).getMessage());
        assertEquals("keyPrefix must be at most 64 printable ASCII characters without spaces or braces, but was 'a b'",
                assertThrows(IllegalArgumentException.class, () -> RedisLocationStoreConfig.builder().keyPrefix("a b"))
                        .getMessage());
    }
}
