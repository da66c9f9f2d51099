/**
 * Implementation classes of tracking-jdbc (dialects, SQL text, script runner). Not API: anything
 * here may change or disappear in any release without notice.
 */
package org.ordertracking.jdbc.internal;
