package dev.wsguard.message;

import jakarta.websocket.DecodeException;

import java.util.Objects;

/**
 * Thrown by {@link StrictJsonDecoder#decode(String)} for a message the {@link StrictJsonReader} refused; the
 * WebSocket runtime hands it to the endpoint's {@code @OnError}.
 *
 * <p>Its message is one of two fixed phrases, {@value #MALFORMED} or {@value #INVALID}, and {@link #getText()} is
 * empty: it never carries the input, so logging it cannot leak message content or forge log lines. The exact cause is
 * in {@link #detail()}, for the audit log only. It has no stack trace: a rejection is routine, and an attacker can
 * cause many. Immutable and thread-safe.
 */
public final class StrictDecodeException extends DecodeException {
    private static final long serialVersionUID = 1L;

    /** The message of an exception for a {@link Decoded.Malformed} result. */
    public static final String MALFORMED = "malformed message";
    /** The message of an exception for a {@link Decoded.Invalid} result. */
    public static final String INVALID = "invalid message";

    private final Decoded.Detail detail;

    StrictDecodeException(Decoded.Detail detail) {
        super("", Objects.requireNonNull(detail, "detail").malformed() ? MALFORMED : INVALID);
        this.detail = detail;
    }

    /** Why the message was refused; for the audit log, never for the client. */
    public Decoded.Detail detail() {
        return detail;
    }

    /** Whether the message was malformed (as opposed to well-formed but breaking a constraint). */
    public boolean malformed() {
        return detail.malformed();
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
