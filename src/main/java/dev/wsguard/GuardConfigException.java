package dev.wsguard;

/**
 * Thrown at start-up when a configuration would leave an endpoint open or cannot be honoured: no origin allowlist,
 * no verification key, a forbidden algorithm, a weak key, an unreadable key location. Never thrown per request.
 */
public final class GuardConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GuardConfigException(String message) {
        super(message);
    }

    public GuardConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
