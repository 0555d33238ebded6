package dev.wsguard.ee;

import dev.wsguard.internal.HandshakeGuard;
import dev.wsguard.internal.HandshakeView;
import dev.wsguard.internal.UpgradeHandoff;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a WebSocket upgrade to one guarded endpoint before the container performs it: handshake rate, origin,
 * token (or the container's own MP-JWT identity), revocation and connection quotas, exactly as
 * {@code WsGuardConfigurator} does on Tyrus standalone. A refusal is answered here with its status (401, 403, 429),
 * {@code WWW-Authenticate} or {@code Retry-After}, {@code Connection: close} and an empty body; the endpoint, its
 * configurator and {@code @OnOpen} never run. An accepted upgrade carries its verdict to the configurator on the
 * request's thread; its quota slot is given back here if the upgrade does not complete. On Payara the upgrade goes
 * through a {@link GuardedUpgradeHandler}, which refuses a frame over the message cap from its header.
 *
 * <p>Registered by {@link WsGuardInitializer}; requests that are not WebSocket upgrades pass untouched (the
 * container does not upgrade them). Thread-safe.
 */
public final class WsGuardFilter implements Filter {

    private static final String STRICT_TRANSPORT_SECURITY = "Strict-Transport-Security";
    private static final String ONE_YEAR = "max-age=31536000";

    private final Class<?> endpointClass;
    private final String template;
    private final Pattern path;
    private final HandshakeGuard guard;

    WsGuardFilter(Class<?> endpointClass, String template, Pattern path, HandshakeGuard guard) {
        this.endpointClass = endpointClass;
        this.template = template;
        this.path = path;
        this.guard = guard;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
                || !isUpgrade(request) || !path.matcher(pathInContext(request)).matches()) {
            chain.doFilter(req, res);
            return;
        }
        JsonWebToken containerVerified = request.getUserPrincipal() instanceof JsonWebToken jwt ? jwt : null;
        HandshakeGuard.Outcome outcome = guard.check(view(request), true, template, containerVerified);
        if (outcome instanceof HandshakeGuard.Rejected rejected) {
            refuse(response, rejected);
            return;
        }
        HandshakeGuard.Accepted accepted = (HandshakeGuard.Accepted) outcome;
        UpgradeHandoff.Ticket ticket = new UpgradeHandoff.Ticket(endpointClass, accepted, guard.context());
        boolean upgraded = false;
        if (request.isSecure()) {
            // A browser that reached the endpoint over wss:// refuses a downgraded ws:// or http:// for a year; set
            // before the chain, so the container's 101 carries it. Over plain text the header would only mislead.
            response.setHeader(STRICT_TRANSPORT_SECURITY, ONE_YEAR);
        }
        UpgradeHandoff.offer(ticket);
        try {
            chain.doFilter(GuardedUpgradeHandler.guarding(request, guard.context().config().messageMaxBytes()), res);
            upgraded = ticket.wasTaken() && response.getStatus() == HttpServletResponse.SC_SWITCHING_PROTOCOLS;
        } finally {
            UpgradeHandoff.clear();
            if (!upgraded && accepted.slot() != null) {
                // No session will open, so no @OnClose will give the slot back.
                accepted.slot().release();
            }
        }
    }

    /** Undertow and Tyrus upgrade a GET whose {@code Upgrade} header names websocket, in any case. */
    private static boolean isUpgrade(HttpServletRequest request) {
        if (!"GET".equals(request.getMethod())) {
            return false;
        }
        for (String upgrade : Collections.list(request.getHeaders("Upgrade"))) {
            for (String token : upgrade.split(",")) {
                if (token.trim().toLowerCase(Locale.ROOT).equals("websocket")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String pathInContext(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        String inContext = uri.startsWith(context) ? uri.substring(context.length()) : uri;
        return inContext.isEmpty() ? "/" : inContext;
    }

    private static HandshakeView view(HttpServletRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name, Collections.list(request.getHeaders(name)));
        }
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        request.getParameterMap().forEach((name, values) -> parameters.put(name, List.of(values)));
        return new HandshakeView(request.getRequestURI(), headers, parameters, request.getRemoteAddr());
    }

    private static void refuse(HttpServletResponse response, HandshakeGuard.Rejected rejected) {
        // setStatus, not sendError: an error page would add a body, and on some servers details. Neither reset()
        // nor flushBuffer(): nothing is written yet, and on Payara both throw (NullPointerException, answered 500)
        // on a worker thread that served an upgrade before. The container commits the response when the filter
        // returns.
        response.setStatus(rejected.reason().httpStatus());
        rejected.reason().wwwAuthenticate().ifPresent(value -> response.setHeader("WWW-Authenticate", value));
        if (rejected.retryAfterSeconds() > 0) {
            response.setHeader("Retry-After", Long.toString(rejected.retryAfterSeconds()));
        }
        response.setHeader("Cache-Control", "no-store");
        // A refused client must not re-run the handshake on the same connection.
        response.setHeader("Connection", "close");
        response.setContentLength(0);
    }
}
