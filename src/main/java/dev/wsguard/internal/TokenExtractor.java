package dev.wsguard.internal;

import dev.wsguard.GuardConfig;
import dev.wsguard.Rejection;
import dev.wsguard.TokenSource;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Finds the one bearer token of a handshake on the enabled sources. A token on a source that is not enabled is a
 * refusal, not something to skip over (a cookie excepted: browsers attach those unasked); two different tokens are
 * a refusal; the cookie source counts only when the request's {@code Origin} passed the allowlist. Immutable and
 * thread-safe.
 */
final class TokenExtractor {

    /** The subprotocol name that announces a token as the next offered subprotocol. */
    static final String BEARER_SUBPROTOCOL = "bearer";

    /** The outcome: a token and whether it came through the subprotocol carrier, or a refusal. */
    record Found(String token, boolean viaSubprotocol, Rejection rejection) {
        static Found refused(Rejection r) {
            return new Found(null, false, r);
        }
    }

    private final Set<TokenSource> sources;
    private final String header;
    private final boolean headerIsAuthorization;
    private final String queryParameter;
    private final String cookie;

    TokenExtractor(GuardConfig config) {
        this.sources = config.tokenSources();
        this.header = config.tokenHeader();
        this.headerIsAuthorization = header.equalsIgnoreCase("Authorization");
        this.queryParameter = config.queryParameter();
        this.cookie = config.tokenCookie();
    }

    /**
     * @param originVerified whether an {@code Origin} header was present and matched the allowlist
     */
    Found extract(HandshakeView request, boolean originVerified) {
        Candidates tokens = new Candidates();
        boolean viaSubprotocol = false;

        if (sources.contains(TokenSource.HEADER) && !header.equalsIgnoreCase("Cookie")) {
            List<String> values = request.header(header);
            if (headerIsAuthorization && values.size() > 1) {
                // One Authorization header carries one credential (RFC 9110). Tyrus splits a value on commas, so
                // "Bearer <a>,<b>" arrives as two values of which only the first looks like a bearer token: refused
                // rather than read as <a>.
                return Found.refused(Rejection.TOKEN_AMBIGUOUS);
            }
            for (String value : values) {
                String token = headerIsAuthorization ? bearerCredentials(value) : stripBearer(value.trim());
                if (token != null && !token.isEmpty()) {
                    tokens.add(token);
                }
            }
        }

        List<String> offered = subprotocols(request);
        int bearerAt = offered.indexOf(BEARER_SUBPROTOCOL);
        if (bearerAt >= 0 && offered.lastIndexOf(BEARER_SUBPROTOCOL) != bearerAt) {
            // "bearer, <a>, bearer, <b>": only one token may ride in the subprotocol list.
            return Found.refused(Rejection.TOKEN_AMBIGUOUS);
        }
        if (bearerAt >= 0) {
            if (!sources.contains(TokenSource.SUBPROTOCOL)) {
                return Found.refused(Rejection.TOKEN_SOURCE_NOT_ALLOWED);
            }
            if (bearerAt + 1 >= offered.size()) {
                return Found.refused(Rejection.TOKEN_MALFORMED);
            }
            tokens.add(offered.get(bearerAt + 1));
            viaSubprotocol = true;
        }

        List<String> query = request.parameters().getOrDefault(queryParameter, List.of());
        if (!query.isEmpty()) {
            if (!sources.contains(TokenSource.QUERY)) {
                return Found.refused(Rejection.TOKEN_SOURCE_NOT_ALLOWED);
            }
            for (String value : query) {
                if (value != null && !value.isEmpty()) {
                    tokens.add(value);
                }
            }
        }

        if (sources.contains(TokenSource.COOKIE) && originVerified) {
            for (String line : request.header("Cookie")) {
                for (String pair : line.split(";")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0 && pair.substring(0, eq).trim().equals(cookie)) {
                        String value = pair.substring(eq + 1).trim();
                        if (!value.isEmpty()) {
                            tokens.add(value);
                        }
                    }
                }
            }
        }

        if (tokens.first == null) {
            return Found.refused(Rejection.TOKEN_MISSING);
        }
        if (tokens.ambiguous) {
            return Found.refused(Rejection.TOKEN_AMBIGUOUS);
        }
        String token = tokens.first;
        // The carrier is only "used" when the token that won came from it; the answer must then be "bearer".
        return new Found(token, viaSubprotocol, null);
    }

    /** The credentials of an {@code Authorization: Bearer x} value, null for any other scheme. */
    private static String bearerCredentials(String value) {
        String v = value.trim();
        if (v.length() > 7 && v.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return v.substring(7).trim();
        }
        return null;
    }

    private static String stripBearer(String v) {
        String b = bearerCredentials(v);
        return b != null ? b : v;
    }

    private static List<String> subprotocols(HandshakeView request) {
        List<String> all = new java.util.ArrayList<>();
        for (String line : request.header("Sec-WebSocket-Protocol")) {
            for (String p : line.split(",")) {
                String t = p.trim();
                if (!t.isEmpty()) {
                    all.add(t);
                }
            }
        }
        return all;
    }

    /**
     * The tokens a request carries, compared as they are added: the same token twice (say, header and cookie) is one
     * token; two different ones make the request ambiguous. No set: hashing a long token costs more than comparing.
     */
    private static final class Candidates {
        private String first;
        private boolean ambiguous;

        void add(String token) {
            if (first == null) {
                first = token;
            } else if (!first.equals(token)) {
                ambiguous = true;
            }
        }
    }
}
