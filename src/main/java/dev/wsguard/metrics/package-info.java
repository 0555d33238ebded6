/**
 * Numbers for operators: the Micrometer binding (loaded only when Micrometer is on the class path; meters named
 * {@code wsguard.*} with bounded tags) and the JMX view {@link dev.wsguard.metrics.GuardMXBean}, kept whether or not
 * Micrometer is present. See {@code docs/operations.md} for every meter and what to alert on.
 */
package dev.wsguard.metrics;
