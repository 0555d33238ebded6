package dev.wsguard.internal.tyrus;

import dev.wsguard.Rejection;

/**
 * Aborts an upgrade on runtimes without a status-carrying handshake exception. No stack trace is recorded: a
 * refusal is an expected outcome, not an error, and must stay cheap under attack.
 */
public final class HandshakeRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Rejection reason;

    public HandshakeRejectedException(Rejection reason) {
        super(reason.phrase(), null, false, false);
        this.reason = reason;
    }

    public Rejection reason() {
        return reason;
    }
}
