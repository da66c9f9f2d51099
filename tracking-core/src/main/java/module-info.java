/**
 * The tracking core: order state machine and audit trail, the {@code EventBus}, {@code LocationStore}
 * and {@code OrderRepository} SPIs with their in-memory implementations, the location pipeline and
 * the wire format.
 *
 * <p>Exports the API package only. {@code org.ordertracking.core.internal} holds the implementations
 * and may change in any release; it is exported solely to the SDK's own adapter modules, which are
 * released together with core and share its id checks, its fan-out and delivery threads, and its
 * Jackson writers.
 *
 * @since 0.1.0
 */
@SuppressWarnings("module") // the adapters named below are compiled after core
module org.ordertracking.core {
    requires org.slf4j;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;

    exports org.ordertracking.core;
    exports org.ordertracking.core.internal to
            org.ordertracking.jdbc,
            org.ordertracking.redis,
            org.ordertracking.servlet;
}
