package org.ordertracking.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import org.ordertracking.core.internal.InMemoryPowerSchedule;

/**
 * Where the scheduled power cuts live: the {@link PowerPlan} of every area (recurring daily windows
 * in a time zone plus one-off windows) and the area of each restaurant. The {@link OrderTracker}
 * reads it to tell which orders are {@linkplain PowerRisk at risk} of a cut, and records here that an
 * order's risk was announced, so that it is announced once.
 *
 * <p>Implementations: {@link #inMemory(PowerPlan)} (one node, or a plan every node loads from the
 * same file) and {@code JdbcPowerSchedule} (module tracking-jdbc), one plan in the database that
 * every node sees. Implementations are thread-safe.
 *
 * @since 0.1.0
 */
public interface PowerSchedule {

    /**
     * Returns the current plan. Called for every risk assessment (each snapshot that shows risk, each
     * sweep), so implementations answer from memory and refresh in the background or on an interval.
     * Must not return {@code null}.
     */
    PowerPlan plan();

    /**
     * Replaces the whole plan.
     *
     * @throws UnsupportedOperationException if this schedule is read-only (the default)
     */
    default void replace(PowerPlan plan) {
        throw new UnsupportedOperationException(getClass().getName() + " is read-only");
    }

    /**
     * Records that the at-risk announcement ({@code order_at_risk}) of an order is being made, unless
     * it already was.
     *
     * @param orderId the order
     * @param at server time of the announcement
     * @return {@code true} if this call recorded it (the caller announces), {@code false} if an earlier
     *     call did (on any node sharing this schedule's store)
     */
    boolean claimAnnouncement(String orderId, Instant at);

    /**
     * Returns a thread-safe schedule holding {@code plan} in memory; {@link #replace} swaps it
     * atomically. Announcement claims are kept in memory for 24 hours, so with several nodes each
     * node's in-memory schedule announces on its own: share a {@code JdbcPowerSchedule} instead.
     */
    static PowerSchedule inMemory(PowerPlan plan) {
        return new InMemoryPowerSchedule(Objects.requireNonNull(plan, "plan must not be null"));
    }

    /**
     * Reads a plan from its JSON document ({@link PowerPlan#fromJson}) into an in-memory schedule.
     *
     * @throws IllegalArgumentException naming the bad field
     */
    static PowerSchedule fromJson(String json) {
        return inMemory(PowerPlan.fromJson(json));
    }

    /**
     * Reads a plan from a JSON file (UTF-8) into an in-memory schedule.
     *
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException naming the file and the bad field
     */
    static PowerSchedule fromJson(Path file) {
        Objects.requireNonNull(file, "file must not be null");
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the power schedule " + file, e);
        }
        try {
            return fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
