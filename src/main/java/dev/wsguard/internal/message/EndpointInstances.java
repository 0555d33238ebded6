package dev.wsguard.internal.message;

import dev.wsguard.internal.Classes;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.server.ServerEndpointConfig;

/**
 * Creates the user's instance of a wrapped endpoint, one per session, as the runtime would have: through CDI where a
 * CDI container runs (Payara, WildFly: {@code @Inject}, {@code @PostConstruct} and interceptors work as on an
 * unwrapped endpoint, and the instance is destroyed with the session), else through the endpoint's configurator
 * ({@code getEndpointInstance}, a plain constructor call on Tyrus standalone).
 */
final class EndpointInstances {

    /**
     * The user's instance, and what undoes its creation (CDI's pre-destroy and disposal), run once when the session
     * ends.
     */
    record Created(Object instance, Runnable release) {
    }

    private static final boolean CDI_PRESENT = Classes.present("jakarta.enterprise.inject.spi.CDI");

    private EndpointInstances() {
    }

    static Created create(Class<?> endpointClass, EndpointConfig config) {
        if (CDI_PRESENT) {
            Created managed = CdiOnly.create(endpointClass);
            if (managed != null) {
                return managed;
            }
        }
        try {
            Object instance = config instanceof ServerEndpointConfig server && server.getConfigurator() != null
                    ? server.getConfigurator().getEndpointInstance(endpointClass)
                    : endpointClass.getDeclaredConstructor().newInstance();
            return new Created(instance, () -> { });
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + endpointClass.getName() + ": " + e, e);
        }
    }


    /** Loaded only where the CDI API is on the class path. */
    private static final class CdiOnly {
        static Created create(Class<?> endpointClass) {
            try {
                jakarta.enterprise.inject.spi.CDI.current();
            } catch (IllegalStateException | LinkageError noContainer) {
                return null;
            }
            return unmanaged(endpointClass);
        }

        private static <T> Created unmanaged(Class<T> endpointClass) {
            jakarta.enterprise.inject.spi.Unmanaged.UnmanagedInstance<T> instance =
                    new jakarta.enterprise.inject.spi.Unmanaged<>(endpointClass).newInstance();
            T created = instance.produce().inject().postConstruct().get();
            return new Created(created, () -> instance.preDestroy().dispose());
        }
    }
}
