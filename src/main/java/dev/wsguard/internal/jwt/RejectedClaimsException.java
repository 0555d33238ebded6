package dev.wsguard.internal.jwt;

import com.nimbusds.jwt.proc.BadJWTException;
import dev.wsguard.Rejection;

/**
 * Carries a typed claim verdict through the Nimbus processor, so the verifier never reads message text.
 * Stackless: it is thrown per refused token.
 */
final class RejectedClaimsException extends BadJWTException {
    private static final long serialVersionUID = 1L;

    private final Rejection reason;

    RejectedClaimsException(Rejection reason) {
        super(reason.name());
        this.reason = reason;
    }

    Rejection reason() {
        return reason;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
