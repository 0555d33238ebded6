package dev.wsguard;

import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Says whether a verified token has been revoked. Consulted at every handshake, at every message, and on an in-band
 * refresh; a revoked token is refused with {@link Rejection#TOKEN_REVOKED} (401 before the upgrade, close 4401
 * after it). Must be fast and must not block: it runs on container threads. The default is
 * {@link Revocations#shared()}.
 */
@FunctionalInterface
public interface RevocationCheck {
    boolean isRevoked(JsonWebToken token);
}
