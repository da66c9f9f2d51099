package org.ordertracking.client;

import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot of the client, for the app to show (for example "offline, 42 positions waiting").
 *
 * @param connectivity how the client reaches the server
 * @param backlog fixes recorded and not yet acknowledged by the server (nor rejected, nor compacted)
 * @param lastAcknowledged the {@code up_to} of the last acknowledgement: the {@code recordedAt} of the
 *     newest fix the server applied, or {@code null} if none since the client started
 * @param lastContact when the server last answered (client clock), or {@code null}
 * @since 0.1.0
 */
public record ClientState(Connectivity connectivity, long backlog, Instant lastAcknowledged, Instant lastContact) {
    public ClientState {
        Objects.requireNonNull(connectivity, "connectivity must not be null");
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog must not be negative, but was " + backlog);
        }
    }

    /** Whether the server was reached by the last attempt ({@link Connectivity#LIVE} or {@link Connectivity#ONLINE}). */
    public boolean online() {
        return connectivity == Connectivity.LIVE || connectivity == Connectivity.ONLINE;
    }
}
