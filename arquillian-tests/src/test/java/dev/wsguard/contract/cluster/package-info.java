/** The WAR of {@code ClusterWarIT}: one guarded endpoint whose node shares its state through Redis. */
package dev.wsguard.contract.cluster;
