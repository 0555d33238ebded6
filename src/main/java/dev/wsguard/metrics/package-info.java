/**
 * Numbers for operators: the JMX view {@link dev.wsguard.metrics.GuardMXBean} of each guarded endpoint, kept whether
 * or not Micrometer is present. Micrometer meters ({@code wsguard.*}) are bound by each guard itself when Micrometer
 * is on the class path; choose their registry with {@code GuardConfig.Builder.meterRegistry}. See
 * {@code docs/operations.md} for every meter and what to alert on.
 */
package dev.wsguard.metrics;
