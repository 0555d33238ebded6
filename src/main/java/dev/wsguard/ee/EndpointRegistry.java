package dev.wsguard.ee;

import dev.wsguard.GuardConfigException;
import dev.wsguard.WsGuardConfigurator;
import dev.wsguard.internal.GuardAccess;
import dev.wsguard.internal.message.AnnotatedEndpointAdapter;
import dev.wsguard.internal.message.EndpointModel;
import jakarta.websocket.server.ServerEndpointConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The guarded endpoints of one deployment, each with its one configurator: the pre-upgrade filter and the wrapped
 * endpoint's configuration share it, so an endpoint has one handshake guard (one verifier, one token cache, one set
 * of quotas). Filled by whichever runs first, {@link WsGuardInitializer} (Payara) or {@link WsGuardApplicationConfig}
 * (WildFly, where the WebSocket deployment precedes the Servlet initializers). wsguard lives in the WAR's
 * {@code WEB-INF/lib}, so this static state is the deployment's own and goes with its class loader. Thread-safe.
 */
final class EndpointRegistry {

    private static final Map<Class<?>, WsGuardConfigurator> CONFIGURATORS = new LinkedHashMap<>();
    private static final Map<Class<?>, ServerEndpointConfig> WRAPPED = new LinkedHashMap<>();

    private EndpointRegistry() {
    }

    /** Whether {@code endpointClass}'s {@code @ServerEndpoint} names a {@link WsGuardConfigurator}. */
    static boolean guarded(Class<?> endpointClass) {
        return EndpointModel.namesConfigurator(endpointClass, WsGuardConfigurator.class);
    }

    /**
     * Reads and checks a guarded endpoint (a problem fails deployment) and records it for wrapping.
     *
     * @return its model
     */
    static synchronized EndpointModel register(Class<?> endpointClass) {
        EndpointModel model = EndpointModel.of(endpointClass);
        if (!WRAPPED.containsKey(endpointClass)) {
            WRAPPED.put(endpointClass, AnnotatedEndpointAdapter.configFor(model, configurator(endpointClass)));
        }
        return model;
    }

    /**
     * The deployment ends: closes every guard (JMX views, meters, the timer thread) and forgets the endpoints, so
     * nothing of wsguard outlives the WAR's class loader. Idempotent.
     */
    static synchronized void closeAll() {
        for (WsGuardConfigurator configurator : CONFIGURATORS.values()) {
            try {
                GuardAccess.of(configurator).close();
            } catch (RuntimeException e) {
                System.getLogger("dev.wsguard").log(System.Logger.Level.WARNING, "wsguard: closing a guard failed: "
                        + e);
            }
        }
        CONFIGURATORS.clear();
        WRAPPED.clear();
    }

/**
     * Reads and checks a guarded endpoint, recording it for wrapping; a problem is logged at ERROR and
     * fails deployment.
     */
    static EndpointModel deployable(Class<?> endpoint) {
        try {
            return register(endpoint);
        } catch (GuardConfigException e) {
            System.getLogger("dev.wsguard").log(System.Logger.Level.ERROR, "wsguard refuses to deploy "
                    + endpoint.getName() + ": " + e.getMessage());
            throw e;
        }
    }

    /** The guarded endpoint classes recorded so far. */
    static synchronized List<Class<?>> guardedClasses() {
        return List.copyOf(CONFIGURATORS.keySet());
    }

    /** The configurations that deploy the recorded guarded endpoints wrapped. */
    static synchronized List<ServerEndpointConfig> wrapped() {
        return List.copyOf(WRAPPED.values());
    }

    /** The endpoint's one configurator, created on first use as the container would (no-argument constructor). */
    static synchronized WsGuardConfigurator configurator(Class<?> endpointClass) {
        WsGuardConfigurator present = CONFIGURATORS.get(endpointClass);
        if (present != null) {
            return present;
        }
        // Guarded means its configurator is a WsGuardConfigurator (see guarded).
        WsGuardConfigurator created = (WsGuardConfigurator) AnnotatedEndpointAdapter.newConfigurator(endpointClass);
        CONFIGURATORS.put(endpointClass, created);
        return created;
    }
}
