package org.ordertracking.servlet.internal;

import java.nio.charset.StandardCharsets;

/** One encoded SSE frame waiting in a connection's buffer. Immutable. */
public final class Frame {
    public enum Kind {
        /** A status event: never dropped; overflow of these disconnects the client. */
        STATUS,
        /** A location or signal event: the first to go on overflow. */
        STALE_OK,
        /** Anything else (retry, snapshot, keep-alive). */
        CONTROL
    }

    private static final byte[] KEEP_ALIVE_BYTES = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
    public static final Frame KEEP_ALIVE = new Frame(Kind.CONTROL, "keep-alive", KEEP_ALIVE_BYTES);

    final Kind kind;
    final String type;
    final byte[] bytes;

    private Frame(Kind kind, String type, byte[] bytes) {
        this.kind = kind;
        this.type = type;
        this.bytes = bytes;
    }

    /** An event frame; {@code id} is written when not {@code null}. {@code json} must be one line (it is: compact JSON). */
    public static Frame event(Kind kind, String id, String type, String json) {
        StringBuilder sb = new StringBuilder(json.length() + 40);
        if (id != null) {
            sb.append("id: ").append(id).append('\n');
        }
        sb.append("event: ").append(type).append('\n');
        sb.append("data: ").append(json).append("\n\n");
        return new Frame(kind, type, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    public static Frame retry(long millis) {
        return new Frame(Kind.CONTROL, "retry", ("retry: " + millis + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    public String type() {
        return type;
    }
}
