package dev.wsguard.ee;

import dev.wsguard.internal.message.AnnotatedEndpointAdapter;
import jakarta.websocket.Endpoint;
import jakarta.websocket.server.ServerApplicationConfig;
import jakarta.websocket.server.ServerEndpointConfig;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Deploys every guarded endpoint of a WAR (standard or {@code GuardedEndpoint} subclass) wrapped, so that the
 * container hands its frames to wsguard and never to the user's methods directly: the annotated class is left out of
 * the container's annotated deployment and a configuration for wsguard's adapter takes its path (same subprotocols,
 * the endpoint's one configurator, shared with the pre-upgrade filter). Every other endpoint is deployed as the
 * container would.
 *
 * <p>The container finds this class in {@code WEB-INF/lib} by itself (Jakarta WebSocket's
 * {@code ServerApplicationConfig} scanning); no user code names it. A WAR must not carry a
 * {@code ServerApplicationConfig} of its own that deploys a guarded endpoint too: containers deploy the union, and
 * the same path twice fails deployment on WildFly and leaves every WebSocket path unanswered (404) on Payara
 * ({@link WsGuardInitializer} logs it there).
 */
public final class WsGuardApplicationConfig implements ServerApplicationConfig {

    private static final System.Logger LOG = System.getLogger("dev.wsguard");

    private final Set<Object> handedOver = new java.util.HashSet<>();
    private boolean endpointConfigsAsked;

    /** Payara calls this first (after the initializer has registered the endpoints), WildFly second. */
    @Override
    public Set<ServerEndpointConfig> getEndpointConfigs(Set<Class<? extends Endpoint>> scanned) {
        Set<ServerEndpointConfig> configs = new LinkedHashSet<>(EndpointRegistry.wrapped());
        for (ServerEndpointConfig config : configs) {
            handedOver.add(config.getUserProperties().get(AnnotatedEndpointAdapter.ENDPOINT_CLASS));
        }
        endpointConfigsAsked = true;
        return configs;
    }

    /** Every scanned annotated endpoint but the guarded ones, which {@link #getEndpointConfigs} wraps. */
    @Override
    public Set<Class<?>> getAnnotatedEndpointClasses(Set<Class<?>> scanned) {
        Set<Class<?>> deployed = new LinkedHashSet<>();
        for (Class<?> endpoint : scanned) {
            if (!EndpointRegistry.guarded(endpoint)) {
                deployed.add(endpoint);
                continue;
            }
            EndpointRegistry.deployable(endpoint);
            if (endpointConfigsAsked && !handedOver.contains(endpoint)) {
                // Not wrapped and not deployed: answered 404, never unchecked; say why.
                LOG.log(System.Logger.Level.ERROR, "wsguard could not deploy " + endpoint.getName() + ": the"
                        + " container asked for wrapped endpoints before wsguard's initializer had seen it");
            } else {
                LOG.log(System.Logger.Level.INFO, "wsguard wraps " + endpoint.getName() + ": every message passes"
                        + " the guard before its methods");
            }
        }
        return deployed;
    }
}
