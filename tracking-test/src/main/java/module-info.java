/**
 * Test kit: the contract suites every {@code OrderRepository}, {@code EventBus} and
 * {@code LocationStore} implementation runs by subclassing, and test fixtures.
 *
 * <p>The suites are JUnit Jupiter tests, so the package is open to JUnit, which calls their
 * methods reflectively.
 *
 * @since 0.1.0
 */
module org.ordertracking.testkit {
    requires transitive org.ordertracking.core;
    requires transitive org.junit.jupiter.api;
    requires org.junit.jupiter.params;

    exports org.ordertracking.test;

    opens org.ordertracking.test to org.junit.platform.commons;

    // GPS traces shipped with the kit, read through a class loader (GpsTrace.fromResource)
    opens org.ordertracking.test.traces;
}
