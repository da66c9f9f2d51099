/**
 * The end-to-end load harness: {@link org.ordertracking.benchmarks.load.LoadHarness} drives a tracking
 * server (or nchan, for the side-by-side figures) over real loopback sockets from separate client
 * processes ({@link org.ordertracking.benchmarks.load.LoadClient}). Everything it sends goes to
 * 127.0.0.0/8 only, bounded in count and time; it stops by itself.
 */
package org.ordertracking.benchmarks.load;
