package dev.wsguard.metrics;

import java.util.Map;

/**
 * The JMX view of one guarded endpoint, registered in the platform MBean server as
 * {@code dev.wsguard:type=Guard,endpoint="/path"} when its first handshake arrives, whether or not Micrometer is
 * present. Counters count since the guard started; the maps are keyed by {@link dev.wsguard.Rejection} name, so
 * they have at most one entry per reason.
 */
public interface GuardMXBean {

    /** Guarded sessions open now. */
    long getOpenConnections();

    /** Handshakes that passed every check. */
    long getHandshakesAccepted();

    /** Handshakes refused before the 101, all reasons. */
    long getHandshakesRejected();

    /** Messages that reached their handler. */
    long getMessagesAccepted();

    /** Messages refused as input or by authorization ({@code MESSAGE_REJECTED}, {@code AUTHORIZATION_DENIED}). */
    long getMessagesRejected();

    /** Messages dropped by a rate limit. */
    long getMessagesRateLimited();

    /** Sessions the guard closed (expiry, revocation, violations, size, malformed input). */
    long getSessionsClosedByGuard();

    /** Bans in force now. */
    long getActiveBans();

    /** Bans made since the start. */
    long getBansTotal();

    /**
     * Bans due but not made because {@code wsguard.rate-limit.max-keys} bans of that kind were in force: a ban is
     * never lifted early to make room, so the offender was refused and rate limited as usual, not banned.
     */
    long getBansSkipped();

    /**
     * Connections from a banned address closed at accept, before their request was read, once the address had had
     * its {@code 429} answers ({@code GuardedServer} only).
     */
    long getConnectionsDroppedWhileBanned();

    /**
     * Users or addresses whose limiter was evicted from a full table ({@code wsguard.rate-limit.max-keys}) to track a
     * new one; an evicted key that comes back starts with a fresh limiter. A steady climb means the table is too
     * small for the traffic, or someone is spreading requests over many addresses.
     */
    long getRateLimitKeysEvicted();

    /** Refused handshakes by reason. */
    Map<String, Long> getHandshakeRejectionsByReason();

    /** Refused messages and guard closes by reason. */
    Map<String, Long> getMessageRejectionsByReason();
}
