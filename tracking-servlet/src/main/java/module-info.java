/**
 * The HTTP surface on Jakarta Servlet 6 and WebSocket 2.1: order and restaurant SSE streams, the
 * REST endpoints, the driver location socket, JWT authorisation.
 *
 * <p>Exports the API package only. The Jakarta APIs are provided by the container; Micrometer is
 * optional ({@code requires static}): meters are bound only when the host passes a registry, and
 * a host that does so has Micrometer in its module graph.
 *
 * @since 0.1.0
 */
@SuppressWarnings("requires-automatic") // Micrometer ships an Automatic-Module-Name, no descriptor
module org.ordertracking.servlet {
    requires transitive org.ordertracking.core;
    requires transitive jakarta.servlet;
    requires transitive jakarta.websocket;
    requires org.slf4j;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires static micrometer.core;

    exports org.ordertracking.servlet;
}
