/**
 * Implementation of the servlet adapters. Everything here may change without notice between
 * releases; depend only on {@code org.ordertracking.servlet}.
 */
package org.ordertracking.servlet.internal;
