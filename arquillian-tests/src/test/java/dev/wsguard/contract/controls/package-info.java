/**
 * The application of {@code ControlsIT}: guarded endpoints that keep wsguard's defaults or set one control low in
 * code (a {@code WsGuardConfigurator} subclass each), an unguarded endpoint beside them, and an inspector that reads
 * what the server saw (security events through CDI, the audit log's lines, the JMX view and Micrometer meters).
 * Nothing here checks anything itself: every refusal the tests see comes from wsguard.
 */
package dev.wsguard.contract.controls;
