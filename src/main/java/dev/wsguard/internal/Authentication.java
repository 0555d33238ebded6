package dev.wsguard.internal;

import dev.wsguard.Rejection;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The outcome of authenticating a token (verified, then checked against revocation), the same at the handshake, at
 * a first-message authentication and at an in-band refresh.
 */
public sealed interface Authentication {

    /** The token verified and is not revoked. */
    record Passed(JsonWebToken identity) implements Authentication {
    }

    /** Refused for {@code reason}. */
    record Refused(Rejection reason) implements Authentication {
    }
}
