/**
 * Cluster mode: where the state that several nodes must share lives. The default store keeps it in this process and
 * adds nothing to the message path; the Redis and JCache stores share it, loaded by name only when configured so that
 * their clients stay optional, and answer an unreachable service by the configured failure policy.
 */
package dev.wsguard.internal.cluster;
