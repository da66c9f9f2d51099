package org.ordertracking.servlet.internal;

import org.ordertracking.core.Envelope;

/**
 * The SSE frames of recently delivered messages, so the streams of one order (or restaurant) that
 * receive the same {@link Envelope} share one frame — one byte array — instead of each building and
 * encoding its own. A small direct-mapped table keyed by the envelope's identity and the frame's
 * form: a miss (first stream, or an entry overwritten by another message) just builds the frame, so
 * it is never wrong, only sometimes redundant. Holds at most {@value #SIZE} envelopes.
 *
 * <p>Thread-safe without locks: entries are immutable and replaced whole; racing builders each
 * build the same bytes.
 */
final class SharedFrames {
    static final int SIZE = 512;

    /** The form a stream writes a message in. */
    enum Form {
        /** A customer stream's status event: {@code id: <seq>}. */
        ORDER_STATUS,
        /** A location or signal event: no id, dropped first on overflow. */
        STALE_OK,
        /** A restaurant stream's status event: no id. */
        RESTAURANT_STATUS
    }

    private record Entry(Envelope envelope, Form form, Frame frame) {
    }

    private final Entry[] table = new Entry[SIZE];

    /** Returns the frame of {@code envelope} in {@code form}; {@code seq} is the status seq for {@link Form#ORDER_STATUS}. */
    Frame frame(Envelope envelope, Form form, long seq) {
        int slot = (System.identityHashCode(envelope) * 31 + form.ordinal()) & (SIZE - 1);
        Entry entry = table[slot];
        if (entry != null && entry.envelope == envelope && entry.form == form) {
            return entry.frame;
        }
        Frame frame = switch (form) {
            case ORDER_STATUS -> Frame.event(Frame.Kind.STATUS, Long.toString(seq), "status", envelope.json());
            case STALE_OK -> Frame.event(Frame.Kind.STALE_OK, null, envelope.type(), envelope.json());
            case RESTAURANT_STATUS -> Frame.event(Frame.Kind.STATUS, null, "status", envelope.json());
        };
        table[slot] = new Entry(envelope, form, frame);
        return frame;
    }
}
