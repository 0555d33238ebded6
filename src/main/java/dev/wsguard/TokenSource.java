package dev.wsguard;

import java.util.Locale;

/**
 * Where a bearer token may be read from during the handshake. Only the sources listed in
 * {@code wsguard.token.sources} are read; a token found on a source that is not enabled is refused with
 * {@link Rejection#TOKEN_SOURCE_NOT_ALLOWED} rather than silently ignored (cookies excepted: browsers send them
 * unasked).
 */
public enum TokenSource {
    /** {@code Authorization: Bearer <token>}, or the header named by {@code mp.jwt.token.header}. The default. */
    HEADER,
    /**
     * {@code Sec-WebSocket-Protocol: bearer, <token>}: the only way page script in a browser can send a token. The
     * server answers {@code Sec-WebSocket-Protocol: bearer}, never the token.
     */
    SUBPROTOCOL,
    /** A query parameter ({@code wsguard.token.query-parameter}, default {@code access_token}). Off by default. */
    QUERY,
    /**
     * The cookie named by {@code mp.jwt.token.cookie} (default {@code Bearer}). Accepted only from a request whose
     * {@code Origin} passed the allowlist: a cookie-authenticated socket without an origin check is what
     * cross-site WebSocket hijacking exploits.
     */
    COOKIE;

    /** The configuration spelling: {@code header}, {@code subprotocol}, {@code query}, {@code cookie}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    static TokenSource fromKey(String key) {
        for (TokenSource source : values()) {
            if (source.key().equals(key.trim().toLowerCase(Locale.ROOT))) {
                return source;
            }
        }
        throw new GuardConfigException("wsguard.token.sources: unknown source '" + key.trim()
                + "' (expected header, subprotocol, query or cookie)");
    }
}
