package dev.wsguard.internal.message;

import dev.wsguard.GuardConfig;
import dev.wsguard.Rejection;
import dev.wsguard.internal.jwt.Verification;
import org.eclipse.microprofile.jwt.JsonWebToken;
import dev.wsguard.internal.EventSink;
import dev.wsguard.internal.jwt.TokenVerifier;

import java.util.concurrent.ConcurrentHashMap;

/**
 * What one configurator hands to the sessions it opens: its configuration, its event sink, and the message guards
 * built from them (one per endpoint class, built on first use). Shared by all sessions of the configurator; holds no
 * per-connection state. Thread-safe.
 */
public final class GuardContext {

    private final GuardConfig config;
    private final EventSink events;
    private final TokenVerifier verifier;
    private final ConcurrentHashMap<Class<?>, SessionGuard> guards = new ConcurrentHashMap<>();

    public GuardContext(GuardConfig config, EventSink events, TokenVerifier verifier) {
        this.config = config;
        this.events = events;
        this.verifier = verifier;
    }

    /** The handshake's verifier, for tokens refreshed in-band. */
    public TokenVerifier verifier() {
        return verifier;
    }

    public GuardConfig config() {
        return config;
    }

    public EventSink events() {
        return events;
    }

    SessionGuard guardFor(Class<?> endpointClass) {
        return guards.computeIfAbsent(endpointClass, c -> new SessionGuard(this, EndpointModel.of(c)));
    }

    /**
     * Verifies a token that arrived after the handshake (first message, in-band refresh) and checks it is not
     * revoked: the same two steps as the handshake's.
     *
     * @return the verified identity, or the {@link Rejection} that refuses it
     */
    Object authenticate(String token) {
        Verification verdict = verifier.verify(token);
        if (verdict instanceof Verification.Invalid invalid) {
            return invalid.reason();
        }
        JsonWebToken identity = ((Verification.Valid) verdict).token();
        return config.revocations().isRevoked(identity) ? Rejection.TOKEN_REVOKED : identity;
    }
}
