package org.ordertracking.spring.autoconfigure;

import java.util.concurrent.atomic.LongAdder;
import org.ordertracking.core.PushNotifier;

/**
 * Counts the calls of the application's {@link PushNotifier} and those that threw (each retry
 * counts), for the {@code tracking.push.*} meters. Thread-safe.
 */
final class PushOutcomes {
    private final LongAdder attempts = new LongAdder();
    private final LongAdder failures = new LongAdder();

    PushNotifier wrap(PushNotifier notifier) {
        return (order, moment, eta) -> {
            attempts.increment();
            try {
                notifier.send(order, moment, eta);
            } catch (RuntimeException | Error e) {
                failures.increment();
                throw e;
            }
        };
    }

    long attempts() {
        return attempts.sum();
    }

    long failures() {
        return failures.sum();
    }
}
