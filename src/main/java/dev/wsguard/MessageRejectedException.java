package dev.wsguard;

/**
 * Thrown by a message handler to refuse a message for an application reason (for example: publish to a channel
 * the session has not subscribed to). The client gets the error frame {@code forbidden} and the refusal counts as a
 * violation, exactly as a refusal by the guard. Cheap: no stack trace.
 */
public final class MessageRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MessageRejectedException() {
        super("refused by handler", null, false, false);
    }
}
