/**
 * Redis {@code EventBus} (Pub/Sub) and {@code LocationStore} on Lettuce, for standalone Redis and
 * Redis Cluster.
 *
 * <p>Exports the API package only.
 *
 * @since 0.1.0
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // Lettuce ships an Automatic-Module-Name, no descriptor
module org.ordertracking.redis {
    requires transitive org.ordertracking.core;
    requires transitive lettuce.core;
    requires org.slf4j;

    exports org.ordertracking.redis;
}
