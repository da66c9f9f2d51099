/**
 * JMH micro-benchmarks of the Order Tracking SDK. Build the runnable jar with
 * {@code ./mvnw -B -pl benchmarks -am package -DskipTests}, then run one class, e.g.
 * {@code java -jar benchmarks/target/benchmarks.jar TransitionBenchmark -f 1 -wi 3 -i 5}. The
 * figures and the exact commands that produced them are in {@code BENCHMARKS.md} at the repository
 * root. Nothing here runs in the test suite.
 */
package org.ordertracking.benchmarks;
