package org.ordertracking.spring.autoconfigure;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.util.Arrays;
import java.util.List;
import org.ordertracking.core.EventBus;
import org.ordertracking.core.LocationStore;
import org.ordertracking.redis.RedisEventBus;
import org.ordertracking.redis.RedisEventBusConfig;
import org.ordertracking.redis.RedisLocationStore;
import org.ordertracking.redis.RedisLocationStoreConfig;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Events and driver positions in Redis ({@code tracking-redis}, Lettuce): a {@link RedisEventBus}
 * and a {@link RedisLocationStore} when {@code tracking.redis.url} is set or the application has a
 * Lettuce {@link RedisClient} or {@link RedisClusterClient} bean. A client created here from the URL
 * is shut down with the context; the application's client is used and never shut down here.
 *
 * @since 0.1.0
 */
@AutoConfiguration
@ConditionalOnClass({RedisEventBus.class, RedisClient.class})
@Conditional(TrackingRedisAutoConfiguration.RedisConfigured.class)
@EnableConfigurationProperties(TrackingProperties.class)
public class TrackingRedisAutoConfiguration {

    /** A standalone client on {@code tracking.redis.url}, unless the application has a Lettuce client. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "tracking.redis", name = "cluster", havingValue = "false", matchIfMissing = true)
    @ConditionalOnMissingBean({RedisClient.class, RedisClusterClient.class})
    static class StandaloneClient {
        @Bean(destroyMethod = "shutdown")
        RedisClient trackingRedisClient(TrackingProperties properties) {
            return RedisClient.create(properties.getRedis().getUrl());
        }
    }

    /** A cluster client on the node URIs of {@code tracking.redis.url}, when {@code tracking.redis.cluster=true}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "tracking.redis", name = "cluster", havingValue = "true")
    @ConditionalOnMissingBean({RedisClient.class, RedisClusterClient.class})
    static class ClusterClient {
        @Bean(destroyMethod = "shutdown")
        RedisClusterClient trackingRedisClusterClient(TrackingProperties properties) {
            List<RedisURI> nodes = Arrays.stream(properties.getRedis().getUrl().split(","))
                    .map(String::strip).filter(uri -> !uri.isEmpty()).map(RedisURI::create).toList();
            return RedisClusterClient.create(nodes);
        }
    }

    /** Bus and store on a cluster client: sharded Pub/Sub, hash-tagged keys. A cluster client wins over a standalone one. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(RedisClusterClient.class)
    static class OnCluster {
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        EventBus trackingRedisEventBus(RedisClusterClient client, TrackingProperties properties) {
            return RedisEventBus.create(client, busConfig(properties));
        }

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        LocationStore trackingRedisLocationStore(RedisClusterClient client, TrackingProperties properties) {
            return RedisLocationStore.create(client, storeConfig(properties));
        }

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        BusProbe trackingRedisProbe(RedisClusterClient client) {
            return new BusProbe() {
                private StatefulRedisClusterConnection<String, String> connection;

                @Override
                public synchronized String check() {
                    if (connection == null) {
                        connection = client.connect();
                    }
                    return connection.sync().ping();
                }

                @Override
                public synchronized void close() {
                    if (connection != null) {
                        connection.close();
                    }
                }
            };
        }
    }

    /** Bus and store on a standalone client. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(RedisClusterClient.class)
    @ConditionalOnBean(RedisClient.class)
    static class OnStandalone {
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        EventBus trackingRedisEventBus(RedisClient client, TrackingProperties properties) {
            return RedisEventBus.create(client, busConfig(properties));
        }

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        LocationStore trackingRedisLocationStore(RedisClient client, TrackingProperties properties) {
            return RedisLocationStore.create(client, storeConfig(properties));
        }

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        BusProbe trackingRedisProbe(RedisClient client) {
            return new BusProbe() {
                private StatefulRedisConnection<String, String> connection;

                @Override
                public synchronized String check() {
                    if (connection == null) {
                        connection = client.connect();
                    }
                    return connection.sync().ping();
                }

                @Override
                public synchronized void close() {
                    if (connection != null) {
                        connection.close();
                    }
                }
            };
        }
    }

    private static RedisEventBusConfig busConfig(TrackingProperties properties) {
        return RedisEventBusConfig.builder().channelPrefix(properties.getRedis().getChannelPrefix()).build();
    }

    private static RedisLocationStoreConfig storeConfig(TrackingProperties properties) {
        return RedisLocationStoreConfig.builder().keyPrefix(properties.getRedis().getKeyPrefix()).build();
    }

    /** {@code tracking.redis.url} is set, or there is a Lettuce client bean. */
    static class RedisConfigured extends AnyNestedCondition {
        RedisConfigured() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty(prefix = "tracking.redis", name = "url")
        static class UrlSet {
        }

        @ConditionalOnBean(RedisClient.class)
        static class StandaloneClientBean {
        }

        @ConditionalOnBean(RedisClusterClient.class)
        static class ClusterClientBean {
        }
    }
}
