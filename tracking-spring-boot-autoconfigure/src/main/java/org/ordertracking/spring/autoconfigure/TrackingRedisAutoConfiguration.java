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
import org.ordertracking.core.TrackingResources;
import org.ordertracking.redis.RedisEventBus;
import org.ordertracking.redis.RedisEventBusConfig;
import org.ordertracking.redis.RedisLocationStore;
import org.ordertracking.redis.RedisLocationStoreConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * Events and driver positions in Redis ({@code tracking-redis}, Lettuce): a {@link RedisEventBus}
 * and a {@link RedisLocationStore} when {@code tracking.redis.url} is set or the application has a
 * Lettuce {@link RedisClient} or {@link RedisClusterClient} bean (a cluster client wins). A client
 * created here from the URL is shut down with the context; the application's client is used and never
 * shut down here. The bus delivers on the shared {@link TrackingResources} (see
 * {@link TrackingAutoConfiguration}).
 *
 * @since 0.1.0
 */
@AutoConfiguration
@ConditionalOnClass({RedisEventBus.class, RedisClient.class})
@Conditional(TrackingRedisAutoConfiguration.RedisConfigured.class)
@EnableConfigurationProperties(TrackingProperties.class)
public class TrackingRedisAutoConfiguration {

    /**
     * The client the bus and store run on: the application's cluster client, else its standalone
     * client, else one created from {@code tracking.redis.url} (and shut down with the context).
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    RedisClients trackingRedisClients(ObjectProvider<RedisClusterClient> clusterClients,
            ObjectProvider<RedisClient> clients, TrackingProperties properties) {
        RedisClusterClient cluster = clusterClients.getIfUnique();
        if (cluster != null) {
            return new RedisClients(null, cluster, false);
        }
        RedisClient client = clients.getIfUnique();
        if (client != null) {
            return new RedisClients(client, null, false);
        }
        String url = properties.getRedis().getUrl();
        if (url == null) {
            throw new IllegalStateException("tracking.redis.url is not set and there is no single Lettuce RedisClient or"
                    + " RedisClusterClient bean");
        }
        if (properties.getRedis().isCluster()) {
            List<RedisURI> nodes = Arrays.stream(url.split(",")).map(String::strip).filter(uri -> !uri.isEmpty())
                    .map(RedisURI::create).toList();
            return new RedisClients(null, RedisClusterClient.create(nodes), true);
        }
        return new RedisClients(RedisClient.create(RedisURI.create(url.strip())), null, true);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    EventBus trackingRedisEventBus(RedisClients clients, TrackingResources resources, TrackingProperties properties) {
        RedisEventBusConfig config = RedisEventBusConfig.builder()
                .resources(resources)
                .channelPrefix(properties.getRedis().getChannelPrefix()).build();
        return clients.cluster() != null ? RedisEventBus.create(clients.cluster(), config)
                : RedisEventBus.create(clients.standalone(), config);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    LocationStore trackingRedisLocationStore(RedisClients clients, TrackingProperties properties) {
        RedisLocationStoreConfig config = RedisLocationStoreConfig.builder()
                .keyPrefix(properties.getRedis().getKeyPrefix()).build();
        return clients.cluster() != null ? RedisLocationStore.create(clients.cluster(), config)
                : RedisLocationStore.create(clients.standalone(), config);
    }

    /**
     * The Lettuce client of the tracking beans and whether it was created here; {@link #close()}
     * shuts down only a client created here. Its ping connection serves the health indicator.
     */
    static final class RedisClients implements BusProbe {
        private final RedisClient standalone;
        private final RedisClusterClient cluster;
        private final boolean owned;
        private StatefulRedisConnection<String, String> connection;
        private StatefulRedisClusterConnection<String, String> clusterConnection;

        RedisClients(RedisClient standalone, RedisClusterClient cluster, boolean owned) {
            this.standalone = standalone;
            this.cluster = cluster;
            this.owned = owned;
        }

        RedisClient standalone() {
            return standalone;
        }

        RedisClusterClient cluster() {
            return cluster;
        }

        @Override
        public synchronized String check() {
            if (cluster != null) {
                if (clusterConnection == null) {
                    clusterConnection = cluster.connect();
                }
                return clusterConnection.sync().ping();
            }
            if (connection == null) {
                connection = standalone.connect();
            }
            return connection.sync().ping();
        }

        @Override
        public synchronized void close() {
            if (connection != null) {
                connection.close();
            }
            if (clusterConnection != null) {
                clusterConnection.close();
            }
            if (owned) {
                if (cluster != null) {
                    cluster.shutdown();
                } else {
                    standalone.shutdown();
                }
            }
        }
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
