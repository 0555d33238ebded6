package dev.wsguard;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One security-relevant fact about a connection: accepted, refused and why, closed, banned, or (opt-in) an action
 * performed. The {@linkplain Kind kinds} and {@linkplain Rejection reasons} are closed sets.
 *
 * <p>Carries no token, no claim value other than the verified subject, and no message content. The token appears
 * only as a {@linkplain #tokenFingerprint() fingerprint} (a truncated SHA-256) so that repeated use of one token can
 * be correlated. Values that come from the request ({@link #origin()}, {@link #endpoint()}) are attacker-controlled:
 * sinks must encode them, as {@link #toJson()} does. Immutable and thread-safe.
 *
 * @param time             when it happened
 * @param kind             what happened
 * @param phase            where in the connection's life
 * @param reason           why it was refused (or, for {@link Kind#BANNED}, the violation that caused the ban);
 *                         {@code null} otherwise
 * @param connectionId     an opaque id of the connection, unique within the process; null for ban events
 * @param endpoint         the endpoint path as requested
 * @param clientAddress    the client address (after trusted proxies); null when the runtime does not expose it. In
 *                         ban events, what is banned: an IPv4 address, or an IPv6 network written
 *                         {@code 2001:db8:0:0:0:0:0:0/64} ({@code wsguard.address.ipv6-prefix-length})
 * @param origin           the {@code Origin} header as sent (truncated); handshake events only; may be null
 * @param tokenFingerprint first 16 hex digits of the token's SHA-256; null when there was no token
 * @param subject          the verified subject; null before a token is verified
 * @param messageType      the message type alias, when known; null otherwise
 * @param channel          the channel of an {@link Kind#ACTION} event (a name that matched its {@link Channel}
 *                         pattern); null otherwise
 * @param closeCode        the close code of {@link Kind#SESSION_CLOSED} and {@link Kind#CONNECTION_CLOSED}; null
 *                         otherwise
 * @param duration         how long the session was open ({@link Kind#CONNECTION_CLOSED}) or how long the ban lasts
 *                         ({@link Kind#BANNED}); null otherwise
 */
public record SecurityEvent(Instant time, Kind kind, Phase phase, Rejection reason, String connectionId,
                            String endpoint, String clientAddress, String origin, String tokenFingerprint,
                            String subject, String messageType, String channel, Integer closeCode,
                            Duration duration) {

    /** A handshake event (no message type). */
    public SecurityEvent(Instant time, Kind kind, Phase phase, Rejection reason, String connectionId,
                         String endpoint, String clientAddress, String origin, String tokenFingerprint,
                         String subject) {
        this(time, kind, phase, reason, connectionId, endpoint, clientAddress, origin, tokenFingerprint, subject,
                null);
    }

    /** A handshake or message event (no channel, close code or duration). */
    public SecurityEvent(Instant time, Kind kind, Phase phase, Rejection reason, String connectionId,
                         String endpoint, String clientAddress, String origin, String tokenFingerprint,
                         String subject, String messageType) {
        this(time, kind, phase, reason, connectionId, endpoint, clientAddress, origin, tokenFingerprint, subject,
                messageType, null, null, null);
    }

    /**
     * What happened. Every refusal is exactly one event of {@link #HANDSHAKE_REJECTED}, {@link #MESSAGE_REJECTED},
     * {@link #AUTHORIZATION_DENIED}, {@link #RATE_LIMITED} or {@link #SESSION_CLOSED}; {@link #CONNECTION_CLOSED}
     * records the end of every guarded session whoever ended it.
     */
    public enum Kind {
        /** A handshake passed every check; the session opens. Logged at INFO. */
        HANDSHAKE_ACCEPTED,
        /** A handshake was refused before the 101 (origin, token, rate, quota, ban). */
        HANDSHAKE_REJECTED,
        /** A message was refused as input: malformed, invalid, a refused in-band token; the session stays. */
        MESSAGE_REJECTED,
        /** A well-formed message was refused by an authorization rule (role, scope, channel, type, handler). */
        AUTHORIZATION_DENIED,
        /** A message was dropped by a rate limit; the session stays. */
        RATE_LIMITED,
        /**
         * The guard closed the session, with {@link #closeCode()}: token expired ({@link Rejection#TOKEN_EXPIRED}),
         * revoked ({@link Rejection#TOKEN_REVOKED}), lifetime over, malformed or oversized input, repeated
         * violations or repeated rate-limit excess.
         */
        SESSION_CLOSED,
        /** The session's token was replaced in-band by a fresh one for the same subject. Logged at INFO. */
        TOKEN_REFRESHED,
        /**
         * A guarded session ended, for whatever reason, with the close code the server saw and its duration. No
         * reason: when the guard closed it, a {@link #SESSION_CLOSED} came first. Logged at INFO.
         */
        CONNECTION_CLOSED,
        /**
         * A message of an {@link Audited} type was accepted and handed to its handler: who did what (type, channel),
         * never the content. Logged at INFO.
         */
        ACTION,
        /**
         * A client address ({@link #clientAddress()} set) or a user ({@link #subject()} set) is refused at the
         * handshake for {@link #duration()} after repeated violations; {@link #reason()} is the last violation.
         */
        BANNED,
        /** A ban ended; the address or user may connect again. Logged at INFO. */
        UNBANNED,
        /**
         * The store the cluster's nodes share ({@code wsguard.cluster.store}) cannot be reached; handshakes are
         * refused or limits kept per node, by {@code wsguard.cluster.on-store-failure}.
         */
        CLUSTER_STORE_UNAVAILABLE,
        /** The shared store answers again; limits are shared again. Logged at INFO. */
        CLUSTER_STORE_RECOVERED
    }

    /** Where in a connection's life the event happened. */
    public enum Phase {
        HANDSHAKE,
        MESSAGE,
        SESSION
    }

    public SecurityEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(phase, "phase");
    }

    /** The reason, when the event is a refusal. */
    public Optional<Rejection> rejection() {
        return Optional.ofNullable(reason);
    }

    /**
     * One JSON object on one line. Every string is escaped, including all C0 and C1 control characters (NEL, U+0085,
     * breaks lines in some viewers), the Unicode line separators and lone surrogates, so no value can split or forge
     * a log line.
     */
    public String toJson() {
        StringBuilder out = new StringBuilder(256).append('{');
        field(out, "time", time.toString());
        field(out, "kind", kind.name());
        field(out, "phase", phase.name());
        field(out, "reason", reason == null ? null : reason.name());
        field(out, "connection", connectionId);
        field(out, "endpoint", endpoint);
        field(out, "client", clientAddress);
        field(out, "origin", origin);
        field(out, "token", tokenFingerprint);
        field(out, "subject", subject);
        field(out, "type", messageType);
        field(out, "channel", channel);
        if (closeCode != null) {
            out.append("\"close\":").append(closeCode.intValue()).append(',');
        }
        if (duration != null) {
            out.append("\"duration_ms\":").append(duration.toMillis()).append(',');
        }
        out.setLength(out.length() - 1);
        return out.append('}').toString();
    }

    private static void field(StringBuilder out, String name, String value) {
        if (value == null) {
            return;
        }
        out.append('"').append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7f && c <= 0x9f || c == '\u2028' || c == '\u2029'
                    || Character.isSurrogate(c)
                    && !validSurrogateAt(value, i)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append("\",");
    }

    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
