/**
 * Implementation classes of tracking-core. Not API: anything here may change or disappear in any
 * release without notice. Use the factories of the {@code org.ordertracking.core} interfaces.
 */
package org.ordertracking.core.internal;
