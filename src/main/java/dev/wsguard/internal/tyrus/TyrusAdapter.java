package dev.wsguard.internal.tyrus;

import dev.wsguard.Rejection;
import dev.wsguard.internal.Classes;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;

import java.util.List;
import java.util.Map;

/**
 * Renders a refusal on the runtime at hand. On Tyrus the only safe way is to throw its {@code HandshakeException}
 * from {@code modifyHandshake}: setting a status on the response still opens the session behind it. Elsewhere
 * (Undertow) a {@link HandshakeRejectedException} aborts the upgrade; the Servlet filter of the EE integration
 * answers before that point with the exact status.
 */
public final class TyrusAdapter {

    private static final boolean TYRUS = Classes.present("org.glassfish.tyrus.core.HandshakeException");

    private TyrusAdapter() {
    }

    /** The peer address Tyrus recorded for the request, or null on other runtimes. */
    public static String clientAddress(HandshakeRequest request) {
        return TYRUS ? TyrusOnly.remoteAddr(request) : null;
    }

    /**
     * Whether the request's header map matches names case-insensitively itself: Tyrus keeps the headers in a map
     * ordered by {@link String#CASE_INSENSITIVE_ORDER}, so a name sent in two spellings is one entry there.
     */
    public static boolean foldsHeaderNames(HandshakeRequest request) {
        return TYRUS && TyrusOnly.isTyrusRequest(request);
    }

    /** Never returns normally: aborts the handshake with {@code reason}'s status and headers. */
    public static void reject(Rejection reason, long retryAfterSeconds, HandshakeResponse response) {
        Map<String, List<String>> headers = response.getHeaders();
        // Tyrus has already written the 101 headers into the response; a refusal must not carry them.
        headers.keySet().removeIf(name -> name.equalsIgnoreCase("Upgrade") || name.equalsIgnoreCase("Connection")
                || name.regionMatches(true, 0, "Sec-WebSocket-", 0, 14));
        reason.wwwAuthenticate().ifPresent(value -> headers.put("WWW-Authenticate", List.of(value)));
        headers.put("Cache-Control", List.of("no-store"));
        if (retryAfterSeconds > 0) {
            headers.put("Retry-After", List.of(Long.toString(retryAfterSeconds)));
        }
        if (TYRUS) {
            TyrusOnly.fail(reason.httpStatus(), reason.phrase());
        }
        throw new HandshakeRejectedException(reason);
    }


    /** Loaded only when Tyrus is on the class path. */
    private static final class TyrusOnly {
        static boolean isTyrusRequest(HandshakeRequest request) {
            return request instanceof org.glassfish.tyrus.core.RequestContext;
        }

        static String remoteAddr(HandshakeRequest request) {
            return request instanceof org.glassfish.tyrus.core.RequestContext rc ? rc.getRemoteAddr() : null;
        }

        static void fail(int status, String phrase) {
            TyrusOnly.<RuntimeException>sneakyThrow(new org.glassfish.tyrus.core.HandshakeException(status, phrase));
        }

        @SuppressWarnings("unchecked")
        private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
            throw (T) t;
        }
    }
}
