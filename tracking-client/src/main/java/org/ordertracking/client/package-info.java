/**
 * The driver client: {@link org.ordertracking.client.DriverClient} records {@link org.ordertracking.client.Fix}es
 * into a durable on-disk journal and delivers them to the tracking server in batches or over the live
 * WebSocket; instructions from the dispatcher arrive at an {@link org.ordertracking.client.InstructionListener}.
 * Implementations live in {@code org.ordertracking.client.internal}, which may change without notice.
 *
 * @since 0.1.0
 */
package org.ordertracking.client;
