package org.ordertracking.client;

import java.util.List;

/**
 * What the client tells the app besides instructions. Every method has a do-nothing default.
 *
 * <p>Called on the client's own thread, one call at a time; implementations must not block. An
 * exception thrown is logged and ignored.
 *
 * @since 0.1.0
 */
public interface DriverClientListener {

    /**
     * The connectivity changed, or the backlog changed after an acknowledgement or a compaction. Not
     * called for every {@code record} (read {@link DriverClient#state()} for a live count).
     */
    default void onStateChanged(ClientState state) {
    }

    /**
     * The server refused a fix for good (it is dropped from the journal and never sent again).
     *
     * @param fix the fix
     * @param reason the server's rejection code, e.g. {@code too_old}, {@code gps_jump},
     *     {@code recorded_in_future}
     * @param message the server's explanation, possibly empty
     */
    default void onRejected(Fix fix, String reason, String message) {
    }

    /**
     * Fixes that were never acknowledged were dropped to keep the journal bounded (oldest first).
     *
     * @param dropped how many
     * @param reason why
     */
    default void onCompacted(long dropped, CompactionReason reason) {
    }

    /**
     * Recovery found records it could not read (a torn tail after a power cut, a corrupt block) and
     * skipped them. The client keeps working.
     *
     * @param problems one line per problem, naming the file and offset
     */
    default void onJournalRecovered(List<String> problems) {
    }

    /** A write to the journal failed; the {@code record} call that failed also threw it. */
    default void onJournalError(JournalException error) {
    }

    /**
     * The server refused the token twice in a row (the second time after
     * {@link TokenSupplier#token(boolean) a refresh}). The client retries later with backoff.
     *
     * @param detail the server's explanation
     */
    default void onAuthenticationFailed(String detail) {
    }

    /**
     * The server refused a request for a reason other than a token or a fix (for example 403: the
     * token is of another driver, or 404: wrong base URI). Fixes are kept; the client retries later.
     *
     * @param status the HTTP status, or 0 for a WebSocket refusal
     * @param detail the server's explanation
     */
    default void onRequestRefused(int status, String detail) {
    }
}
