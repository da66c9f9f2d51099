package org.ordertracking.spring.autoconfigure;

/** Checks that a networked bus's server answers, for the health indicator. Thread-safe. */
interface BusProbe extends AutoCloseable {
    /** Returns the server's answer; throws if it cannot be reached. */
    String check() throws Exception;

    @Override
    void close();
}
