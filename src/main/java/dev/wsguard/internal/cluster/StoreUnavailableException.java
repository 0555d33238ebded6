package dev.wsguard.internal.cluster;

/** The shared store cannot be reached and the configured policy is to fail closed. */
public final class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
