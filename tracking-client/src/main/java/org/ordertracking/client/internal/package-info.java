/**
 * Implementation of the driver client: the journal, the sender, the JDK transport and the wire frames.
 * Not API: it may change in any release without notice.
 */
package org.ordertracking.client.internal;
