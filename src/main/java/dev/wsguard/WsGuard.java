package dev.wsguard;

import dev.wsguard.internal.jwt.VerifiedToken;
import jakarta.websocket.Session;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Set;

/**
 * The one call an endpoint makes to learn who is on the other end: {@code WsGuard.identity(session)}.
 *
 * <p>The identity is the verified token's claims as a MicroProfile {@link JsonWebToken}, kept in the session's own
 * user properties (never in the shared endpoint configuration, which would leak it into other connections). The raw
 * token is not kept: {@link JsonWebToken#getRawToken()} returns null.
 */
public final class WsGuard {

    /** The session user-property key under which the verified identity is stored. */
    public static final String IDENTITY = "dev.wsguard.identity";
    /** The session user-property key of the connection id that the security events carry. */
    public static final String CONNECTION_ID = "dev.wsguard.connection";
    /** The session user-property key of the client address seen at the handshake (absent where unknown). */
    public static final String CLIENT_ADDRESS = "dev.wsguard.client-address";
    /** The session user-property key of the guard's shared context (configuration, events); internal. */
    public static final String CONTEXT = "dev.wsguard.context";

    private WsGuard() {
    }

    /**
     * @return the verified identity of the session's client
     * @throws IllegalStateException when the session did not pass a wsguard handshake (a configuration error:
     *                               the endpoint does not name {@link WsGuardConfigurator})
     */
    public static JsonWebToken identity(Session session) {
        Object identity = session.getUserProperties().get(IDENTITY);
        if (identity instanceof JsonWebToken jwt) {
            return jwt;
        }
        throw new IllegalStateException("this session was not opened through WsGuardConfigurator: the endpoint is"
                + " not guarded");
    }

    /**
     * The OAuth scopes of the session's token: the space-separated {@code scope} claim, else {@code scp}.
     *
     * @throws IllegalStateException when the session did not pass a wsguard handshake
     */
    public static Set<String> scopes(Session session) {
        return scopes(identity(session));
    }

    /** The OAuth scopes of an identity obtained from {@link #identity(Session)}. */
    public static Set<String> scopes(JsonWebToken identity) {
        if (identity instanceof VerifiedToken verified) {
            return verified.scopes();
        }
        // A token the container verified (MP-JWT on Payara or WildFly): the space-separated "scope" string. Any
        // other shape counts as no scope, so scope rules fail closed.
        Object scope = identity == null ? null : identity.getClaim("scope");
        if (scope instanceof String s && !s.isBlank()) {
            return Set.copyOf(java.util.Arrays.asList(s.trim().split("\\s+")));
        }
        return Set.of();
    }

    /** The connection id used in this session's security events, or null for an unguarded session. */
    public static String connectionId(Session session) {
        Object id = session.getUserProperties().get(CONNECTION_ID);
        return id instanceof String s ? s : null;
    }
}
