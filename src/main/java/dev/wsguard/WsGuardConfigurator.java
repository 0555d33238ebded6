package dev.wsguard;

import dev.wsguard.internal.ConnectionQuotas;
import dev.wsguard.internal.HandshakeGuard;
import dev.wsguard.internal.HandshakeView;
import dev.wsguard.internal.UpgradeHandoff;
import dev.wsguard.internal.tyrus.TyrusAdapter;
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
 * @ServerEndpoint(value = "/chat", configurator = WsGuardConfigurator.class)
 * public class ChatEndpoint {
 *     @OnOpen
 *     public void open(Session session) {
 *         JsonWebToken user = WsGuard.identity(session);
 *     }
 * }
 * }</pre>
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

    static {
        UpgradeHandoff.guardAccess(configurator -> configurator.guard);
    }

    /** Reads the configuration with {@link GuardConfig#fromConfig()}. */
    public WsGuardConfigurator() {
        this(loudly(GuardConfig::fromConfig));
    }

    /** Uses {@code config}; for subclasses that build their configuration in code. */
    protected WsGuardConfigurator(GuardConfig config) {
        this.guard = loudly(() -> new HandshakeGuard(config));
        LOG.log(System.Logger.Level.INFO, "wsguard handshake guard ready: origins " + config.origins().entries()
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

    @Override
    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
        // On Payara and WildFly the pre-upgrade filter (dev.wsguard.ee) has already decided; without its verdict
        // (Tyrus standalone, or a filter that did not run) the handshake is checked here, never let through.
        UpgradeHandoff.Ticket ticket = UpgradeHandoff.take(sec.getEndpointClass());
        HandshakeGuard.Outcome outcome;
        if (ticket != null) {
            outcome = ticket.accepted();
        } else {
            URI uri = request.getRequestURI();
            HandshakeView view = new HandshakeView(uri == null ? null : uri.getPath(), request.getHeaders(),
                    request.getParameterMap(), TyrusAdapter.clientAddress(request));
            // Only an endpoint that gives the slot back on close may take one, or the quota would leak.
            boolean counted = GuardedEndpoint.class.isAssignableFrom(sec.getEndpointClass());
            outcome = guard.check(view, counted, sec.getPath(), null);
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
