package dev.wsguard;

import dev.wsguard.internal.ClientAddress;
import dev.wsguard.internal.ConnectionQuotas;
import dev.wsguard.internal.GuardAccess;
import dev.wsguard.internal.HandshakeGuard;
import dev.wsguard.internal.HandshakeView;
import dev.wsguard.internal.UpgradeHandoff;
import dev.wsguard.internal.message.AnnotatedEndpointAdapter;
import dev.wsguard.internal.tyrus.TyrusAdapter;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Guards the opening handshake of a {@code @ServerEndpoint}: the {@code Origin} must be on the allowlist and the
 * request must carry one valid bearer token, or the client is refused before the 101 (403 for the origin, 401 with
 * {@code WWW-Authenticate: Bearer} for the token) and {@code @OnOpen} never runs.
 *
 * <pre>{@code
 * @ServerEndpoint(value = "/chat", configurator = WsGuardConfigurator.class, decoders = ChatMessages.class)
 * public class ChatEndpoint {
 *     @OnOpen
 *     public void open(Session session) {
 *         JsonWebToken user = WsGuard.identity(session);
 *     }
 *
 *     @OnMessage
 *     public Object on(ChatMessage message, Session session) { ... }
 * }
 * }</pre>
 *
 * <p>Naming it guards every message too: the endpoint is deployed wrapped (by
 * {@link dev.wsguard.tyrus.GuardedServer}, or in a WAR by {@link dev.wsguard.ee.WsGuardApplicationConfig}), so each
 * message is read within the size cap, decoded strictly into the family the {@code @OnMessage} method takes, and
 * authorized by the rules on its type before the method runs ({@link GuardedEndpoint} is the other shape, with the
 * same checks, and is wrapped too). An annotated endpoint that a runtime deployed unwrapped is refused at every
 * handshake (500), never opened unchecked. A programmatic {@code Endpoint} of your own gets the handshake guard only.
 *
 * <p>The no-argument constructor reads {@link GuardConfig#fromConfig()}; a subclass can pass a {@link GuardConfig}
 * built in code. Either way an incomplete or unsafe configuration throws {@link GuardConfigException} when the
 * container deploys the endpoint: a guarded endpoint never starts open.
 *
 * <p>In a WAR (Payara, WildFly) a filter registered by {@link dev.wsguard.ee.WsGuardInitializer} checks the upgrade
 * before the container performs it and answers refusals with their exact status; this configurator then takes that
 * verdict, and checks the handshake itself whenever there is none. On Tyrus standalone a refusal is rendered as the
 * exact status with the upgrade headers removed; use {@link dev.wsguard.tyrus.GuardedServer} so the refused
 * connection is also closed. Thread-safe: the
 * container shares one instance among all handshakes of the endpoint, and it holds no per-connection state.
 */
public class WsGuardConfigurator extends ServerEndpointConfig.Configurator {

    private static final System.Logger LOG = System.getLogger("dev.wsguard");

    private final HandshakeGuard guard;
    private final java.util.Set<Class<?>> unwrappedLogged = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        GuardAccess.install(configurator -> ((WsGuardConfigurator) configurator).guard);
    }

    /** Reads the configuration with {@link GuardConfig#fromConfig()}. */
    public WsGuardConfigurator() {
        this(loudly(GuardConfig::fromConfig));
    }

    /** Uses {@code config}; for subclasses that build their configuration in code. */
    protected WsGuardConfigurator(GuardConfig config) {
        this.guard = loudly(() -> new HandshakeGuard(config));
        LOG.log(System.Logger.Level.INFO, "wsguard handshake guard ready: origins " + config.allowedOrigins()
                + (config.allowMissingOrigin() ? " (requests without Origin allowed)" : "")
                + ", token sources " + config.tokenSources() + ", algorithms " + config.jwt().algorithms()
                + ", issuer " + config.jwt().issuer());
    }

    /**
     * Containers report a failed configurator as "could not be instantiated" and drop the cause (Tyrus logs it at
     * FINE), so the reason is logged here, once, at ERROR.
     */
    private static <T> T loudly(java.util.function.Supplier<T> step) {
        try {
            return step.get();
        } catch (GuardConfigException e) {
            LOG.log(System.Logger.Level.ERROR, "wsguard refuses to deploy the endpoint: " + e.getMessage());
            throw e;
        }
    }

    /** Logs once per endpoint class that a runtime deployed a standard endpoint without letting wsguard wrap it. */
    private void refuseUnwrapped(Class<?> endpointClass) {
        if (unwrappedLogged.add(endpointClass)) {
            LOG.log(System.Logger.Level.ERROR, "wsguard refuses every handshake to " + endpointClass.getName()
                    + ": it was deployed unwrapped, so its messages would reach it unchecked. Deploy it with"
                    + " dev.wsguard.tyrus.GuardedServer (Tyrus standalone) or in a WAR with wsguard in WEB-INF/lib"
                    + " (Payara, WildFly)");
        }
    }

    /**
     * One shared instance of wsguard's adapter (the runtime face of a wrapped endpoint): it keeps nothing of a session
     * in itself, so no session needs one of its own. Every other class is created as the runtime would create it.
     */
    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
        if (endpointClass == AnnotatedEndpointAdapter.class) {
            return endpointClass.cast(AnnotatedEndpointAdapter.SHARED);
        }
        return super.getEndpointInstance(endpointClass);
    }

    /**
     * Always true: the origin is decided in {@link #modifyHandshake} together with the token, so that every refusal
     * is rendered the same way and produces exactly one security event.
     */
    @Override
    public boolean checkOrigin(String originHeaderValue) {
        return true;
    }

    /** Never answers with the token that follows {@code bearer} in the offered list. */
    @Override
    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
        List<String> offered = new ArrayList<>(requested);
        int bearer = offered.indexOf("bearer");
        if (bearer >= 0) {
            if (bearer + 1 < offered.size()) {
                offered.remove(bearer + 1);
            }
            offered.remove(bearer);
        }
        for (String candidate : offered) {
            if (supported.contains(candidate)) {
                return candidate;
            }
        }
        return "";
    }

    /**
     * None, whatever the server has installed: with {@code permessage-deflate} a small frame inflates past the size
     * cap after the cap has read its header, and compressed secrets leak through their length. A server configured
     * to offer compression (WildFly's {@code per-message-deflate}, for example) still negotiates none for a guarded
     * endpoint.
     */
    @Override
    public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
        return List.of();
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
        // Guarded endpoints of both shapes are deployed wrapped (GuardedServer, the WAR's WsGuardApplicationConfig):
        // the wrapper's configuration names the user's class. An annotated endpoint deployed any other way would
        // get its messages unchecked: such a handshake is refused, never opened. A programmatic Endpoint of the
        // user's own gets the handshake guard only, as documented.
        Class<?> endpointClass = sec.getUserProperties().get(AnnotatedEndpointAdapter.ENDPOINT_CLASS)
                instanceof Class<?> wrapped ? wrapped : sec.getEndpointClass();
        boolean guardedMessages = endpointClass != sec.getEndpointClass();
        if (!guardedMessages && endpointClass.isAnnotationPresent(jakarta.websocket.server.ServerEndpoint.class)) {
            refuseUnwrapped(endpointClass);
            TyrusAdapter.reject(Rejection.ENDPOINT_NOT_GUARDED, 0, response);
            return;
        }
        // On Payara and WildFly the pre-upgrade filter (dev.wsguard.ee) has already decided; without its verdict
        // (Tyrus standalone, or a filter that did not run) the handshake is checked here, never let through.
        UpgradeHandoff.Ticket ticket = UpgradeHandoff.take(endpointClass);
        HandshakeGuard.Outcome outcome;
        if (ticket != null) {
            outcome = ticket.accepted();
        } else {
            URI uri = request.getRequestURI();
            HandshakeView view = new HandshakeView(uri == null ? null : uri.getPath(), request.getHeaders(),
                    request.getParameterMap(), TyrusAdapter.clientAddress(request),
                    TyrusAdapter.foldsHeaderNames(request));
            // Only an endpoint that gives the slot back on close may take one (wsguard's adapter does).
            outcome = guard.check(view, guardedMessages, sec.getPath(), null);
        }
        if (outcome instanceof HandshakeGuard.Accepted accepted) {
            // Per-handshake copy on Tyrus >= 2.1, Undertow and Payara: becomes this session's user properties.
            if (accepted.identity() != null) {
                sec.getUserProperties().put(WsGuard.IDENTITY, accepted.identity());
            }
            sec.getUserProperties().put(WsGuard.CONNECTION_ID, accepted.connectionId());
            sec.getUserProperties().put(WsGuard.CONTEXT, ticket != null ? ticket.context() : guard.context());
            if (accepted.slot() != null) {
                sec.getUserProperties().put(ConnectionQuotas.SLOT, accepted.slot());
            }
            if (accepted.clientAddress() != null) {
                sec.getUserProperties().put(WsGuard.CLIENT_ADDRESS, accepted.clientAddress());
                sec.getUserProperties().put(ClientAddress.KEY, accepted.addressKey());
            }
            if (accepted.viaSubprotocol()) {
                response.getHeaders().put(HandshakeRequest.SEC_WEBSOCKET_PROTOCOL, List.of("bearer"));
            }
            return;
        }
        HandshakeGuard.Rejected rejected = (HandshakeGuard.Rejected) outcome;
        TyrusAdapter.reject(rejected.reason(), rejected.retryAfterSeconds(), response);
    }
}
