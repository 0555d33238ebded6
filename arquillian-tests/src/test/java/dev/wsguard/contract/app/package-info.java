/**
 * The application deployed by the contract suite, unchanged on every runtime: one guarded endpoint, its message
 * family, and a CDI observer of security events. Nothing here checks anything itself: every refusal the suite sees
 * comes from wsguard.
 */
package dev.wsguard.contract.app;
