package org.ordertracking.client;

/**
 * How the client reaches the server right now.
 *
 * @since 0.1.0
 */
public enum Connectivity {
    /** Not known yet: nothing was tried since the client started. */
    CONNECTING,
    /** The live WebSocket is open: fixes go over it as they are recorded, instructions arrive. */
    LIVE,
    /** The last batch request succeeded but the socket is not open: fixes are flushed in batches. */
    ONLINE,
    /** The last attempt failed; fixes wait in the journal and the client retries with backoff. */
    OFFLINE,
    /** {@link DriverClient#close()} was called. */
    CLOSED
}
