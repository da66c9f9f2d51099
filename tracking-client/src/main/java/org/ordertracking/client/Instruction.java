package org.ordertracking.client;

import java.util.Objects;

/**
 * An instruction of the dispatcher to this driver, received on the live WebSocket as
 * {@code {"type":"assignment"|"unassigned"|"cancelled","order_id":"…"}}.
 *
 * @param type what happened
 * @param orderId the order it concerns, never null or blank
 * @since 0.1.0
 */
public record Instruction(Type type, String orderId) {

    /** The kinds of instruction. */
    public enum Type {
        /** The driver was assigned the order ({@code assignment}). */
        ASSIGNMENT("assignment"),
        /** The order was taken from the driver, e.g. reassigned to another driver ({@code unassigned}). */
        UNASSIGNED("unassigned"),
        /** The order was cancelled or failed; stop delivering it ({@code cancelled}). */
        CANCELLED("cancelled");

        private final String wireName;

        Type(String wireName) {
            this.wireName = wireName;
        }

        /** The frame's {@code type}. */
        public String wireName() {
            return wireName;
        }

        /** The type of a frame's {@code type}, or {@code null} if it is not an instruction. */
        public static Type fromWire(String name) {
            for (Type t : values()) {
                if (t.wireName.equals(name)) {
                    return t;
                }
            }
            return null;
        }
    }

    public Instruction {
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(orderId, "orderId must not be null");
        if (orderId.isBlank()) {
            throw new IllegalArgumentException("orderId must not be blank, but was '" + orderId + "'");
        }
    }
}
