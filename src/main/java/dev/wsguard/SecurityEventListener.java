package dev.wsguard;

/**
 * Receives every {@link SecurityEvent}. Register one through {@link GuardConfig.Builder#listener} or as a
 * {@link java.util.ServiceLoader} service ({@code META-INF/services/dev.wsguard.SecurityEventListener}).
 *
 * <p>Called synchronously on the container thread that handled the connection: return quickly, never block, and
 * never throw (an exception is caught, counted and logged once per listener class, and the guard's decision
 * stands).
 */
@FunctionalInterface
public interface SecurityEventListener {
    void onEvent(SecurityEvent event);
}
