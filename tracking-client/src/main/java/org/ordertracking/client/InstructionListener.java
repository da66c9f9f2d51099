package org.ordertracking.client;

/**
 * Receives the dispatcher's {@link Instruction}s. Called on the client's own thread, one call at a
 * time and in the order the server sent them; it must not block (hand work to the app's own thread).
 * An exception it throws is logged and ignored.
 *
 * <p>Instructions travel only on the live WebSocket: while the client is offline or in batch mode none
 * arrive. The server re-sends the driver's current assignments when a socket opens, so an app that
 * was offline learns its orders when the socket is back — and the same instruction may arrive more
 * than once: treat it as the order's current state for this driver, not as an event to count.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface InstructionListener {
    /** One instruction. */
    void onInstruction(Instruction instruction);
}
