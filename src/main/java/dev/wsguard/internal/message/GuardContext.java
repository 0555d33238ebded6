package dev.wsguard.internal.message;

import dev.wsguard.GuardConfig;
import dev.wsguard.Rejection;
import dev.wsguard.internal.Authentication;
import dev.wsguard.internal.jwt.TokenDigest;
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
     * Verifies a token and checks it is not revoked: the one authentication of the handshake, of a first-message
     * authentication and of an in-band refresh.
     *
     * @param digest the token's digest when the caller has one (the handshake's event fingerprint), else null
     */
    public Authentication authenticate(String token, TokenDigest digest) {
        Verification verdict = digest == null ? verifier.verify(token) : verifier.verify(token, digest);
        if (verdict instanceof Verification.Invalid invalid) {
            return new Authentication.Refused(invalid.reason());
        }
        return admit(((Verification.Valid) verdict).token());
    }

    /**
     * An identity verified already (by wsguard, or by the container's MP-JWT) is refused when its {@code exp} has
     * passed (the verifier's clock skew tolerates a little more, but a session for it would close with 4401 at once:
     * the client gets a definite 401 instead) or when it is revoked.
     */
    public Authentication admit(JsonWebToken identity) {
        if (MessagePipeline.expired(identity)) {
            return new Authentication.Refused(Rejection.TOKEN_EXPIRED);
        }
        return config.revocations().isRevoked(identity) ? new Authentication.Refused(Rejection.TOKEN_REVOKED)
                : new Authentication.Passed(identity);
    }
}
