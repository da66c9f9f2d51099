package org.ordertracking.core;

import java.util.Objects;

/**
 * A message on its way through the {@link EventBus}, with its JSON form computed at most once
 * however many subscribers receive it: a publish encodes once, never once per subscriber.
 *
 * <p>Thread-safe: {@link #json()} may be called from many listener threads at once; they all get
 * the same string (racing first callers may each encode, which is harmless).
 *
 * @since 0.1.0
 */
public final class Envelope {
    private final Topic topic;
    private final TrackingMessage message;
    private final Encoding encoding;

    /** The memoized JSON, shared by the envelopes of one message on several topics. */
    private static final class Encoding {
        volatile String json;

        Encoding(String json) {
            this.json = json;
        }
    }

    private Envelope(Topic topic, TrackingMessage message, Encoding encoding) {
        this.topic = Objects.requireNonNull(topic, "topic must not be null");
        this.message = Objects.requireNonNull(message, "message must not be null");
        this.encoding = encoding;
    }

    /** Wraps a message to publish on {@code topic}. */
    public static Envelope of(Topic topic, TrackingMessage message) {
        return new Envelope(topic, message, new Encoding(null));
    }

    /**
     * Returns the same message on another topic, sharing this envelope's JSON: however many topics
     * and subscribers it reaches, it is encoded once (on first read, not when published).
     */
    public Envelope withTopic(Topic other) {
        return new Envelope(other, message, encoding);
    }

    /**
     * Wraps a message whose JSON form is already known, e.g. one a bus received over the network,
     * so that it is never encoded again. {@code json} must be {@code WireCodec.toJson(message)}.
     */
    public static Envelope ofEncoded(Topic topic, TrackingMessage message, String json) {
        return new Envelope(topic, message, new Encoding(Objects.requireNonNull(json, "json must not be null")));
    }

    public Topic topic() {
        return topic;
    }

    public TrackingMessage message() {
        return message;
    }

    /** Returns the message's type, which is also its SSE event name. */
    public String type() {
        return message.type();
    }

    /** Returns the message's JSON form ({@link WireCodec#toJson(TrackingMessage)}), computed once. */
    public String json() {
        String result = encoding.json;
        if (result == null) {
            result = WireCodec.toJson(message);
            encoding.json = result;
        }
        return result;
    }

    @Override
    public String toString() {
        return "Envelope[" + topic + ", " + message + "]";
    }
}
