package dev.wsguard.internal.jwt;

import com.nimbusds.jose.KeySourceException;
import dev.wsguard.Rejection;

/**
 * Carries a typed key-selection verdict through the Nimbus processor, so the verifier never reads message text.
 * Stackless: it is thrown per refused token.
 */
final class RejectedKeyException extends KeySourceException {
    private static final long serialVersionUID = 1L;

    private final Rejection reason;

    RejectedKeyException(Rejection reason) {
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
