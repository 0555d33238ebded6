package dev.wsguard.internal.jwt;

import dev.wsguard.Rejection;
import java.util.Objects;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The outcome of {@link TokenVerifier#verify(String)}: either a verified identity or the single reason the token
 * was refused. A value rather than an exception, so a flood of bad tokens costs no stack traces. Immutable and
 * thread-safe.
 */
public sealed interface Verification permits Verification.Valid, Verification.Invalid {

    /**
     * The token's signature, algorithm, issuer, audience and time claims all passed.
     *
     * @param token the verified identity; at run time a {@link VerifiedToken}
     */
    record Valid(JsonWebToken token) implements Verification {
        public Valid {
            Objects.requireNonNull(token, "token");
        }
    }

    /**
     * The token was refused.
     *
     * @param reason the first check that failed; never null
     */
    record Invalid(Rejection reason) implements Verification {
        public Invalid {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
