package dev.wsguard;

import java.util.Optional;

/**
 * The closed set of reasons wsguard refuses a connection or a message.
 *
 * <p>Each reason has the HTTP status it is answered with before the 101 and the close code used once the socket is
 * open. Clients can read a {@code 44xx} close code as 4000 plus the HTTP status. Several reasons share one wire
 * answer on purpose: the client learns that it was refused and which class of problem to fix, never which rule or
 * which claim failed. The exact reason goes to the {@linkplain SecurityEvent security event} only.
 */
public enum Rejection {
    /** Too many handshakes from one client address; answered with {@code Retry-After}, before any other check. */
    HANDSHAKE_RATE_LIMITED(429, 4429, "too many requests", null),
    /** A connection quota (per address, per user, per endpoint or in total) is full; {@code Retry-After} is sent. */
    CONNECTION_QUOTA_EXCEEDED(429, 4429, "too many connections", null),
    /**
     * {@code wsguard.cluster.on-store-failure=fail-closed}: the store shared by the cluster's nodes (connection counts,
     * bans) cannot be reached, so the handshake is refused rather than let past limits nobody can check.
     */
    CLUSTER_STORE_UNAVAILABLE(503, 1013, "try again later", null),
    /**
     * The client address is banned for a while after repeated violations ({@code wsguard.bans.*}); checked first,
     * answered with {@code Retry-After} (seconds left).
     */
    ADDRESS_BANNED(429, 4429, "too many requests", null),
    /**
     * The token's subject is banned for a while after repeated violations; checked once the token is verified,
     * answered with {@code Retry-After} (seconds left). 429 rather than 403: the refusal is temporary and says when
     * to come back.
     */
    USER_BANNED(429, 4429, "too many requests", null),
    /** The request carried no {@code Origin} header and missing origins are not allowed. */
    ORIGIN_MISSING(403, 4403, "origin not allowed", null),
    /** {@code Origin: null}, a malformed origin, or one that matches no allowlist entry. */
    ORIGIN_NOT_ALLOWED(403, 4403, "origin not allowed", null),

    /** No bearer token on any enabled source. */
    TOKEN_MISSING(401, 4401, "authentication required", null),
    /** A token arrived through a source that is not enabled (for example a query parameter). */
    TOKEN_SOURCE_NOT_ALLOWED(401, 4401, "authentication required", "invalid_request"),
    /** Two different tokens on one request. */
    TOKEN_AMBIGUOUS(401, 4401, "authentication required", "invalid_request"),
    /** Not a compact JWS, not parseable, oversized, or encrypted. */
    TOKEN_MALFORMED(401, 4401, "invalid token", "invalid_token"),
    /** {@code alg=none}, an HMAC algorithm, or any algorithm not in the allowlist. */
    TOKEN_ALGORITHM_NOT_ALLOWED(401, 4401, "invalid token", "invalid_token"),
    /** No configured key matches the token (unknown {@code kid}, unknown key type). */
    TOKEN_KEY_UNKNOWN(401, 4401, "invalid token", "invalid_token"),
    /** The only candidate keys are too weak (RSA below 2048 bits). */
    TOKEN_KEY_TOO_WEAK(401, 4401, "invalid token", "invalid_token"),
    /** The signature does not verify with the selected key. */
    TOKEN_SIGNATURE_INVALID(401, 4401, "invalid token", "invalid_token"),
    /** A required claim ({@code exp}, {@code iat}, {@code sub}, {@code iss}, {@code aud}) is absent or mistyped. */
    TOKEN_CLAIM_MISSING(401, 4401, "invalid token", "invalid_token"),
    /** {@code exp} is in the past (beyond the clock skew). */
    TOKEN_EXPIRED(401, 4401, "token expired", "invalid_token"),
    /** {@code nbf} is in the future (beyond the clock skew). */
    TOKEN_NOT_YET_VALID(401, 4401, "invalid token", "invalid_token"),
    /** {@code iat} is in the future (beyond the clock skew). */
    TOKEN_ISSUED_IN_FUTURE(401, 4401, "invalid token", "invalid_token"),
    /** {@code exp - iat} exceeds the configured maximum token lifetime. */
    TOKEN_LIFETIME_TOO_LONG(401, 4401, "invalid token", "invalid_token"),
    /** The token, or every token of its subject issued until then, was revoked. */
    TOKEN_REVOKED(401, 4401, "token revoked", "invalid_token"),
    /** The session reached {@code wsguard.session.max-lifetime}; refreshing the token does not extend it. */
    SESSION_LIFETIME_EXCEEDED(401, 4401, "session expired", null),
    /**
     * First-message mode: no valid {@code {"type":"auth"}} message arrived within {@code wsguard.auth.deadline}, or
     * another message came first.
     */
    AUTH_TIMEOUT(401, 4401, "authentication required", null),
    /** A token refreshed in-band names another subject than the session's. */
    TOKEN_SUBJECT_CHANGED(401, 4401, "invalid token", "invalid_token"),
    /** {@code iss} is not the configured issuer. */
    TOKEN_ISSUER_MISMATCH(401, 4401, "invalid token", "invalid_token"),
    /** None of the token's audiences is a configured audience. */
    TOKEN_AUDIENCE_MISMATCH(401, 4401, "invalid token", "invalid_token"),

    /** Not JSON, not one object, unknown or missing type, unknown field, duplicate key, too deep, out of range. */
    MESSAGE_MALFORMED(400, 1007, "malformed", null),
    /** Well-formed, but a constraint on the message type failed (for example text too long). */
    MESSAGE_INVALID(400, 1007, "invalid", null),
    /** Over the endpoint's maximum message size. */
    MESSAGE_TOO_BIG(413, 1009, "message too big", null),
    /**
     * One message sent in more frames than its size justifies (at least 16, one per KiB of the cap): refused on the
     * transport where wsguard reads the frames ({@code GuardedServer}).
     */
    MESSAGE_TOO_FRAGMENTED(400, 1008, "too many frames", null),
    /**
     * A binary message to an endpoint without a binary {@code @OnMessage}, or a text message to one without a text
     * {@code @OnMessage}: close code 1003 "cannot accept", as Jakarta WebSocket prescribes.
     */
    MESSAGE_KIND_NOT_ACCEPTED(415, 1003, "unsupported data", null),
    /** The message type has no handler or no authorization rule, or is {@code @DenyAll}. */
    MESSAGE_TYPE_NOT_ALLOWED(403, 1008, "forbidden", null),
    /** The caller lacks a role that {@code @RolesAllowed} requires. */
    ROLE_MISSING(403, 1008, "forbidden", null),
    /** The caller's token lacks a scope that {@code @RequiresScope} requires. */
    SCOPE_MISSING(403, 1008, "forbidden", null),
    /** The channel does not match its pattern, or its variables do not match the caller's claims. */
    CHANNEL_FORBIDDEN(403, 1008, "forbidden", null),
    /** The handler refused the message ({@code MessageRejectedException}). */
    HANDLER_REFUSED(403, 1008, "forbidden", null),
    /** A rate limit was exceeded; the message was dropped. */
    RATE_LIMITED(429, 4429, "rate_limited", null),
    /**
     * More was queued for the session than {@code wsguard.outbound.max-bytes} or {@code .max-messages}: the client
     * reads too slowly or not at all. Close code 1013 "try again later" (the server sheds a client it cannot
     * serve; the client did nothing forbidden and may reconnect and catch up), and what was queued is dropped.
     */
    OUTBOUND_OVERFLOW(503, 1013, "try again later", null),
    /**
     * Keep-alive: the client answered no ping (and sent nothing else) within the session's idle timeout; close
     * code 1001 "going away" (the peer is presumed gone) and the connection is dropped.
     */
    KEEPALIVE_TIMEOUT(408, 1001, "no pong", null),
    /** Too many refused messages in the violation window; the session is closed. */
    TOO_MANY_VIOLATIONS(403, 1008, "too many violations", null),
    /**
     * The handshake reached an endpoint whose messages wsguard would not see (a standard endpoint deployed by a
     * runtime that did not let wsguard wrap it): refused, never opened unchecked. A deployment error, logged once.
     */
    ENDPOINT_NOT_GUARDED(500, 1011, "server error", null);

    private final int httpStatus;
    private final int closeCode;
    private final String phrase;
    private final String bearerError;

    Rejection(int httpStatus, int closeCode, String phrase, String bearerError) {
        this.httpStatus = httpStatus;
        this.closeCode = closeCode;
        this.phrase = phrase;
        this.bearerError = bearerError;
    }

    /** HTTP status when refused before the upgrade. */
    public int httpStatus() {
        return httpStatus;
    }

    /** WebSocket close code when refused on an open session. */
    public int closeCode() {
        return closeCode;
    }

    /**
     * The {@code code} of the error frame {@code {"type":"error","code":...}} sent for a refused message: one of
     * {@code malformed}, {@code invalid}, {@code too_big}, {@code forbidden}, {@code rate_limited}.
     */
    public String errorCode() {
        return switch (this) {
            case MESSAGE_MALFORMED -> "malformed";
            case MESSAGE_INVALID -> "invalid";
            case MESSAGE_TOO_BIG -> "too_big";
            case RATE_LIMITED -> "rate_limited";
            default -> httpStatus == 401 ? "unauthorized" : "forbidden";
        };
    }

    /** Short fixed text for the wire (close reason). Never contains request data. */
    public String phrase() {
        return phrase;
    }

    /** The RFC 6750 {@code error} attribute for {@code WWW-Authenticate}, where one applies. */
    public Optional<String> bearerError() {
        return Optional.ofNullable(bearerError);
    }

    /** Whether the answer must carry {@code WWW-Authenticate: Bearer}. */
    public boolean isAuthentication() {
        return httpStatus == 401;
    }

    /** The {@code WWW-Authenticate} value for this rejection; empty unless {@link #isAuthentication()}. */
    public Optional<String> wwwAuthenticate() {
        if (!isAuthentication()) {
            return Optional.empty();
        }
        return Optional.of(bearerError == null ? "Bearer" : "Bearer error=\"" + bearerError + "\"");
    }
}
