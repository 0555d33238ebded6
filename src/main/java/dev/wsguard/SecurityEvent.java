package dev.wsguard;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One security-relevant fact about a connection: it was accepted, or refused and why.
 *
 * <p>Carries no token, no claim value other than the subject of an accepted connection, and no message content.
 * The token appears only as a {@linkplain #tokenFingerprint() fingerprint} (a truncated SHA-256) so that repeated
 * use of one token can be correlated. Values that come from the request ({@link #origin()}, {@link #endpoint()})
 * are attacker-controlled: sinks must encode them, as {@link #toJson()} does. Immutable and thread-safe.
 *
 * @param time             when it happened
 * @param kind             what happened
 * @param phase            where in the connection's life
 * @param reason           why it was refused; {@code null} for an accepted connection
 * @param connectionId     an opaque id of the connection, unique within the process
 * @param endpoint         the endpoint path as requested
 * @param clientAddress    the peer address as seen by the server; may be null when the runtime does not expose it
 * @param origin           the {@code Origin} header as sent (truncated); may be null
 * @param tokenFingerprint first 16 hex digits of the token's SHA-256; null when there was no token
 * @param subject          the verified subject of an accepted connection or of an open session; null otherwise
 * @param messageType      the message type alias of a refused message, when known; null otherwise
 */
public record SecurityEvent(Instant time, Kind kind, Phase phase, Rejection reason, String connectionId,
                            String endpoint, String clientAddress, String origin, String tokenFingerprint,
                            String subject, String messageType) {

    /** A handshake event (no message type). */
    public SecurityEvent(Instant time, Kind kind, Phase phase, Rejection reason, String connectionId,
                         String endpoint, String clientAddress, String origin, String tokenFingerprint,
                         String subject) {
        this(time, kind, phase, reason, connectionId, endpoint, clientAddress, origin, tokenFingerprint, subject,
                null);
    }

    /** What happened. */
    public enum Kind {
        /** A handshake passed every check; the session opens. */
        HANDSHAKE_ACCEPTED,
        /** A handshake was refused before the 101. */
        HANDSHAKE_REJECTED,
        /** A message was refused (dropped with an error frame, or the session closed). */
        MESSAGE_REJECTED,
        /** The guard closed the session (repeated violations, malformed input, size, token expiry). */
        SESSION_CLOSED,
        /** The session's token was replaced in-band by a fresh one for the same subject. */
        TOKEN_REFRESHED
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
     * One JSON object on one line. Every string is escaped, including all control characters and the Unicode line
     * separators, so no value can split or forge a log line.
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
            } else if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)
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
