/**
 * The contract suite of a guarded endpoint and its runners: {@code TyrusContractIT} (embedded Tyrus),
 * {@code ContractIT} (managed WildFly or Payara Micro, chosen by the failsafe execution) and {@code ContainerJwtIT}
 * (the servers' own MP-JWT in front of wsguard). Clients are the JDK's and raw sockets.
 */
package dev.wsguard.contract;
