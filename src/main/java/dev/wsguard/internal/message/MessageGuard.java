package dev.wsguard.internal.message;

import dev.wsguard.Audited;
import dev.wsguard.Channel;
import dev.wsguard.GuardConfig;
import dev.wsguard.GuardConfigException;
import dev.wsguard.GuardedEndpoint;
import dev.wsguard.Handler;
import dev.wsguard.MessageRejectedException;
import dev.wsguard.RateLimit;
import dev.wsguard.Rejection;
import dev.wsguard.SecurityEvent;
import dev.wsguard.WsGuard;
import dev.wsguard.internal.ConnectionQuotas;
import dev.wsguard.internal.FrameRefusals;
import dev.wsguard.internal.LiveSessions;
import dev.wsguard.internal.Transports;
import dev.wsguard.internal.jwt.Verification;
import dev.wsguard.message.Decoded;
import dev.wsguard.message.StrictJsonReader;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The per-message pipeline of one guarded endpoint class, built once: size, the per-session flood limit, strict
 * decoding, authorization, channel rules, declared rate limits, then the handler. Every refusal is one security
 * event and one answer (error frame or close). Thread-safe.
 */
public final class MessageGuard {

    private static final System.Logger LOG = System.getLogger("dev.wsguard");
    private static final String AUTH_TYPE = "auth";
    private static final StrictJsonReader<AuthMessage> AUTH_READER = StrictJsonReader.of(AuthMessage.class);
    private static final String AUTH_OK = "{\"type\":\"auth\",\"status\":\"ok\"}";
    private static final byte[] PING = "wsguard".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The implicit limit on all messages of one session, tunable as {@code wsguard.rate-limit.session.*}. */
    static final String SESSION_LIMIT = "session";
    private static final GuardConfig.RateLimitSetting SESSION_DEFAULT =
            new GuardConfig.RateLimitSetting(50, Duration.ofSeconds(1));

    /** How one message type is handled. */
    private record Route(String alias, MethodHandle handler, boolean withSession, AccessRule rule,
                         ChannelRule channel, List<Limit> limits, boolean audited) {
    }

    private final GuardContext context;
    private final Class<?> endpointClass;
    private final GuardConfig config;
    private final StrictJsonReader<?> reader;
    private final Map<Class<?>, Route> routes;
    private final Limit sessionLimit;
    private final int limitCount;
    private final long windowNanos;
    private final Jsonb jsonb;

    MessageGuard(GuardContext context, Class<?> endpointClass) {
        this.context = context;
        this.endpointClass = endpointClass;
        this.config = context.config();
        this.reader = validate(endpointClass);
        this.windowNanos = config.violationWindow().toNanos();
        this.jsonb = JsonbBuilder.create();
        int[] index = {0};
        this.sessionLimit = new Limit(SESSION_LIMIT, RateLimit.Key.SESSION,
                config.rateLimit(SESSION_LIMIT, SESSION_DEFAULT), config.maxRateLimitKeys(), index[0]++);

        Map<Class<?>, Method> handlers = handlers(endpointClass, reader.subtypes().keySet());
        Map<String, Limit> limitsByName = new HashMap<>();
        Map<Class<?>, Route> built = new HashMap<>();
        for (Map.Entry<Class<?>, String> subtype : reader.subtypes().entrySet()) {
            Class<?> type = subtype.getKey();
            Method method = handlers.get(type);
            AccessRule rule = AccessRule.of(type, method);
            if (!rule.hasRule()) {
                LOG.log(System.Logger.Level.WARNING, "message type '" + subtype.getValue() + "' of "
                        + endpointClass.getName() + " has no authorization rule (@RolesAllowed, @PermitAll,"
                        + " @RequiresScope or @DenyAll): every such message is refused");
            }
            List<Limit> limits = new ArrayList<>();
            for (RateLimit declared : declaredLimits(type, method)) {
                Limit limit = limitsByName.computeIfAbsent(declared.name(), name -> new Limit(name, declared.per(),
                        config.rateLimit(name, new GuardConfig.RateLimitSetting(declared.limitForPeriod(),
                                Duration.parse(declared.refreshPeriod()))), config.maxRateLimitKeys(), index[0]++));
                limits.add(limit);
            }
            built.put(type, new Route(subtype.getValue(), unreflect(method), method.getParameterCount() == 2, rule,
                    channelRule(type), List.copyOf(limits),
                    type.isAnnotationPresent(Audited.class) || method.isAnnotationPresent(Audited.class)));
        }
        this.routes = Map.copyOf(built);
        this.limitCount = index[0];
    }

    /** The guard for the session's endpoint class; the session must have passed the wsguard handshake. */
    public static MessageGuard of(Session session, Class<?> endpointClass) {
        Map<String, Object> props = session.getUserProperties();
        if (props.get(SessionState.KEY) instanceof SessionState state && state.guard().endpointClass == endpointClass) {
            return state.guard();
        }
        if (!(props.get(WsGuard.CONTEXT) instanceof GuardContext guardContext)) {
            throw new IllegalStateException(endpointClass.getName() + " extends GuardedEndpoint but its"
                    + " @ServerEndpoint does not name WsGuardConfigurator (or a subclass) as its configurator");
        }
        return guardContext.guardFor(endpointClass);
    }

    /**
     * Refuses an endpoint class whose messages could reach user code unchecked or could not be handled: it must
     * extend {@link GuardedEndpoint} with its message family as type argument, declare no {@code @OnMessage} of its
     * own, and have exactly one well-formed {@link Handler} for every type of the family. Containers call this at
     * deployment ({@code GuardedServer} does); it runs again when the first message arrives.
     *
     * @return the family's reader
     * @throws GuardConfigException describing the first problem
     */
    public static StrictJsonReader<?> validate(Class<?> endpointClass) {
        if (!GuardedEndpoint.class.isAssignableFrom(endpointClass)) {
            throw new GuardConfigException(endpointClass.getName() + " is guarded by WsGuardConfigurator but does"
                    + " not extend GuardedEndpoint: its messages would reach it unchecked");
        }
        for (Class<?> c = endpointClass; c != GuardedEndpoint.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(OnMessage.class)) {
                    throw new GuardConfigException(endpointClass.getName() + "." + m.getName() + " is an"
                            + " @OnMessage method on a guarded endpoint: its messages would bypass the guard;"
                            + " handle message types with @Handler methods instead");
                }
                if (m.isAnnotationPresent(OnOpen.class) || m.isAnnotationPresent(OnClose.class)) {
                    throw new GuardConfigException(endpointClass.getName() + "." + m.getName() + ": a guarded"
                            + " endpoint's @OnOpen and @OnClose belong to GuardedEndpoint; override opened(Session)"
                            + " or closed(Session, CloseReason) instead");
                }
            }
        }
        StrictJsonReader<?> reader = StrictJsonReader.shared(family(endpointClass));
        if (reader.subtypes().containsValue(AUTH_TYPE)) {
            throw new GuardConfigException(endpointClass.getName() + ": the message type 'auth' is reserved for"
                    + " in-band token refresh");
        }
        Map<Class<?>, Method> handlers = handlers(endpointClass, reader.subtypes().keySet());
        for (Map.Entry<Class<?>, String> subtype : reader.subtypes().entrySet()) {
            if (!handlers.containsKey(subtype.getKey())) {
                throw new GuardConfigException(endpointClass.getName() + " has no @Handler for message type "
                        + subtype.getKey().getName() + " ('" + subtype.getValue() + "'): every type of the family"
                        + " needs one");
            }
            channelRule(subtype.getKey());
        }
        return reader;
    }

    /** The {@code M} of {@code extends GuardedEndpoint<M>}, found on the class or a superclass. */
    private static Class<?> family(Class<?> endpointClass) {
        for (Class<?> c = endpointClass; c != null && c != Object.class; c = c.getSuperclass()) {
            if (c.getSuperclass() == GuardedEndpoint.class
                    && c.getGenericSuperclass() instanceof java.lang.reflect.ParameterizedType p
                    && p.getActualTypeArguments()[0] instanceof Class<?> family) {
                return family;
            }
        }
        throw new GuardConfigException(endpointClass.getName() + " must name its message family: extends"
                + " GuardedEndpoint<YourMessages>");
    }

    /**
     * Arms the session's timers: token expiry (close 4401 at {@code exp}), maximum lifetime, keep-alive pings, and in
     * first-message mode the authentication deadline.
     *
     * @return whether the session is authenticated now (false in first-message mode until its auth message)
     */
    public boolean opened(Session session) {
        SessionState state = state(session);
        // The handshake's slot and context move into the state: two user properties fewer on every open session.
        Map<String, Object> props = session.getUserProperties();
        state.opened(System.nanoTime(), Transports.take(),
                config.maxSessionLifetime().map(max -> System.currentTimeMillis() + max.toMillis()).orElse(0L),
                props.remove(ConnectionQuotas.SLOT) instanceof ConnectionQuotas.Slot slot ? slot : null);
        props.remove(WsGuard.CONTEXT);
        context.events().sessionOpened();
        FrameRefusals.opened(state);
        config.pingInterval().ifPresent(interval -> keepAlive(session, state, interval));
        if (config.authMode() == GuardConfig.AuthMode.FIRST_MESSAGE) {
            state.authDeadline(Expiry.schedule(() -> {
                if (session.isOpen() && !state.authenticated()) {
                    // Nothing is ever queued before authentication: a plain close frees everything.
                    close(session, Rejection.AUTH_TIMEOUT, null);
                }
            }, config.authDeadline().toMillis()));
            return false;
        }
        authenticated(session, state, WsGuard.identity(session));
        return true;
    }

    private void authenticated(Session session, SessionState state, JsonWebToken identity) {
        state.authenticate();
        LiveSessions.opened(identity.getSubject(), session);
        arm(session, state);
    }

    /**
     * Pings every {@code interval}. Tyrus counts a sent ping as activity for the idle timeout, so the pongs are
     * watched here: a session that has sent nothing (pong or message) for its idle timeout (two intervals when it
     * has none) is closed with 1001 and its connection dropped.
     */
    private void keepAlive(Session session, SessionState state, Duration interval) {
        session.addMessageHandler(PongMessage.class, pong -> state.heard(System.nanoTime()));
        state.heard(System.nanoTime());
        long everyMillis = interval.toMillis();
        state.pings(Expiry.repeat(() -> {
            if (!session.isOpen()) {
                return;
            }
            long idleMillis = session.getMaxIdleTimeout() > 0 ? session.getMaxIdleTimeout() : 2 * everyMillis;
            if (System.nanoTime() - state.lastHeard() > idleMillis * 1_000_000) {
                close(session, Rejection.KEEPALIVE_TIMEOUT, null);
                abort(session);
                return;
            }
            try {
                session.getAsyncRemote().sendPing(ByteBuffer.wrap(PING));
            } catch (IOException | RuntimeException closing) {
                // Closing already: the next tick sees it.
            }
        }, everyMillis));
    }

    /**
     * Arms the session's one deadline timer for whichever comes first: its token's expiry or the end of its maximum
     * lifetime (one timer per session, not one per bound: every open session holds it).
     */
    private void arm(Session session, SessionState state) {
        Long exp = expiry(WsGuard.identity(session));
        long due = Math.min(exp == null ? Long.MAX_VALUE : exp * 1000,
                state.lifetimeEnd() == 0 ? Long.MAX_VALUE : state.lifetimeEnd());
        if (due == Long.MAX_VALUE) {
            return;
        }
        long delayMillis = due - System.currentTimeMillis();
        if (delayMillis <= 0) {
            deadline(session, state);
            return;
        }
        state.expiry(Expiry.schedule(state, delayMillis));
    }

    /**
     * The session's deadline timer fired: close it with 4401 if its token has expired, else for its lifetime if
     * that is over, else (a refreshed token moved the expiry) arm it again.
     */
    void deadline(Session session, SessionState state) {
        if (!session.isOpen()) {
            return;
        }
        long now = System.currentTimeMillis();
        Long exp = expiry(WsGuard.identity(session));
        if (exp != null && exp * 1000 <= now) {
            expire(session);
        } else if (state.lifetimeEnd() != 0 && state.lifetimeEnd() <= now) {
            close(session, Rejection.SESSION_LIFETIME_EXCEEDED, null);
        } else {
            arm(session, state);
        }
    }

    /** {@code {"type":"auth","token":...}}: a fresh token for the same subject extends the session. */
    private void refresh(Session session, SessionState state, String token) {
        Verification verdict = context.verifier().verify(token);
        if (verdict instanceof Verification.Invalid invalid) {
            refuse(session, state, invalid.reason(), AUTH_TYPE);
            return;
        }
        JsonWebToken fresh = ((Verification.Valid) verdict).token();
        if (config.revocations().isRevoked(fresh)) {
            refuse(session, state, Rejection.TOKEN_REVOKED, AUTH_TYPE);
            return;
        }
        JsonWebToken current = WsGuard.identity(session);
        if (!java.util.Objects.equals(fresh.getSubject(), current.getSubject())) {
            refuse(session, state, Rejection.TOKEN_SUBJECT_CHANGED, AUTH_TYPE);
            return;
        }
        session.getUserProperties().put(WsGuard.IDENTITY, fresh);
        state.cancelExpiry();
        arm(session, state);
        emit(SecurityEvent.Kind.TOKEN_REFRESHED, session, null, AUTH_TYPE);
        send(session, state, AUTH_OK);
    }

    /**
     * The session has closed: releases what it held and emits {@link SecurityEvent.Kind#CONNECTION_CLOSED} with the
     * close code the server saw and how long the session lasted.
     */
    public static void closed(Session session, CloseReason reason) {
        try {
            released(session);
        } finally {
            Map<String, Object> props = session.getUserProperties();
            GuardContext context = contextOf(session);
            if (context != null) {
                Duration lasted = props.get(SessionState.KEY) instanceof SessionState s && s.openedAt() != 0
                        ? Duration.ofNanos(System.nanoTime() - s.openedAt()) : null;
                emit(context, SecurityEvent.Kind.CONNECTION_CLOSED, session, null, null, null,
                        reason == null ? null : reason.getCloseCode().getCode(), lasted);
            }
        }
    }

    /** Cancels what the session held; safe to call more than once. */
    public static void released(Session session) {
        Map<String, Object> props = session.getUserProperties();
        if (props.get(WsGuard.IDENTITY) instanceof JsonWebToken jwt) {
            LiveSessions.closed(jwt.getSubject(), session);
        }
        if (props.get(SessionState.KEY) instanceof SessionState s) {
            s.release();
        }
        ConnectionQuotas.Slot slot = slotOf(session);
        if (slot != null) {
            slot.release();
        }
    }

    /** A guarded session's context: its state keeps it once open, the handshake's user property before. */
    private static GuardContext contextOf(Session session) {
        Map<String, Object> props = session.getUserProperties();
        if (props.get(SessionState.KEY) instanceof SessionState state) {
            return state.guard().context;
        }
        return props.get(WsGuard.CONTEXT) instanceof GuardContext context ? context : null;
    }

    /** The session's connection-quota slot, wherever it is kept now; null when it holds none. */
    private static ConnectionQuotas.Slot slotOf(Session session) {
        Map<String, Object> props = session.getUserProperties();
        if (props.get(SessionState.KEY) instanceof SessionState state && state.slot() != null) {
            return state.slot();
        }
        return props.get(ConnectionQuotas.SLOT) instanceof ConnectionQuotas.Slot slot ? slot : null;
    }

    private void expire(Session session) {
        if (session.isOpen()) {
            close(session, Rejection.TOKEN_EXPIRED, null);
        }
    }

    private static Long expiry(JsonWebToken identity) {
        return identity.getExpirationTime() > 0 ? identity.getExpirationTime() : null;
    }

    /**
     * Runs one text message through the pipeline.
     *
     * @return true when this message authenticated the session (first-message mode): the endpoint's own open logic
     *         runs now
     */
    public boolean handle(Object endpoint, String text, Session session) {
        SessionState state = state(session);
        state.heard(System.nanoTime());
        if (!state.authenticated()) {
            return firstMessage(session, state, text);
        }
        process(endpoint, text, session, state);
        return false;
    }

    /**
     * First-message mode: only {@code {"type":"auth","token":...}} is read; anything else, or a token that does not
     * verify, closes the session with 4401 before any handler could see it.
     */
    private boolean firstMessage(Session session, SessionState state, String text) {
        if (!session.isOpen() || state.released()) {
            // The deadline closed it while this message was on its way.
            return false;
        }
        if (tooBig(text)) {
            close(session, Rejection.MESSAGE_TOO_BIG, null);
            return false;
        }
        if (!(AUTH_READER.read(text) instanceof Decoded.Ok<AuthMessage> auth)) {
            close(session, Rejection.TOKEN_MISSING, null);
            return false;
        }
        Verification verdict = context.verifier().verify(((AuthMessage.Auth) auth.value()).token());
        if (verdict instanceof Verification.Invalid invalid) {
            close(session, invalid.reason(), AUTH_TYPE);
            return false;
        }
        JsonWebToken identity = ((Verification.Valid) verdict).token();
        if (config.revocations().isRevoked(identity)) {
            close(session, Rejection.TOKEN_REVOKED, AUTH_TYPE);
            return false;
        }
        Map<String, Object> props = session.getUserProperties();
        ConnectionQuotas.Slot slot = slotOf(session);
        if (slot != null && !slot.bindUser(identity.getSubject())) {
            close(session, Rejection.CONNECTION_QUOTA_EXCEEDED, AUTH_TYPE);
            return false;
        }
        if (!session.isOpen() || state.released()) {
            return false;
        }
        props.put(WsGuard.IDENTITY, identity);
        authenticated(session, state, identity);
        emit(SecurityEvent.Kind.HANDSHAKE_ACCEPTED, session, null, AUTH_TYPE);
        send(session, state, AUTH_OK);
        return true;
    }

    private void process(Object endpoint, String text, Session session, SessionState state) {
        JsonWebToken caller = WsGuard.identity(session);
        Long exp = expiry(caller);
        if (exp != null && exp * 1000 <= System.currentTimeMillis()) {
            // The timer may be a few milliseconds late: nothing is processed for an expired token.
            expire(session);
            return;
        }
        if (tooBig(text)) {
            close(session, Rejection.MESSAGE_TOO_BIG, null);
            return;
        }
        if (!state.limiter(sessionLimit).acquirePermission()) {
            rateLimited(session, state, null);
            return;
        }
        Decoded<?> decoded = reader.read(text);
        if (decoded instanceof Decoded.Malformed<?> malformed && malformed.detail() == Decoded.Detail.UNKNOWN_TYPE
                && AUTH_READER.read(text) instanceof Decoded.Ok<AuthMessage> auth) {
            refresh(session, state, ((AuthMessage.Auth) auth.value()).token());
            return;
        }
        if (decoded instanceof Decoded.Malformed<?>) {
            if (config.closeOnMalformed()) {
                close(session, Rejection.MESSAGE_MALFORMED, null);
            } else {
                refuse(session, state, Rejection.MESSAGE_MALFORMED, null);
            }
            return;
        }
        if (decoded instanceof Decoded.Invalid<?>) {
            refuse(session, state, Rejection.MESSAGE_INVALID, null);
            return;
        }
        Object message = ((Decoded.Ok<?>) decoded).value();
        Route route = routes.get(message.getClass());
        if (route == null) {
            refuse(session, state, Rejection.MESSAGE_TYPE_NOT_ALLOWED, null);
            return;
        }
        if (config.revocations().isRevoked(caller)) {
            close(session, Rejection.TOKEN_REVOKED, route.alias);
            return;
        }
        Rejection denied = route.rule.check(caller.getGroups(), WsGuard.scopes(caller));
        if (denied == null && route.channel != null && !route.channel.allows(message, caller)) {
            denied = Rejection.CHANNEL_FORBIDDEN;
        }
        if (denied != null) {
            refuse(session, state, denied, route.alias);
            return;
        }
        for (Limit limit : route.limits) {
            if (!acquire(limit, state, session, caller)) {
                rateLimited(session, state, route.alias);
                return;
            }
        }
        context.events().messageAccepted(route.alias, route.channel == null ? null : route.channel.declared);
        if (route.audited) {
            emit(context, SecurityEvent.Kind.ACTION, session, null, route.alias,
                    route.channel == null ? null : route.channel.name(message), null, null);
        }
        invoke(route, endpoint, message, session, state);
    }

    private void invoke(Route route, Object endpoint, Object message, Session session, SessionState state) {
        Object reply;
        try {
            reply = route.withSession ? route.handler.invoke(endpoint, message, session)
                    : route.handler.invoke(endpoint, message);
        } catch (MessageRejectedException e) {
            refuse(session, state, Rejection.HANDLER_REFUSED, route.alias);
            return;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        if (reply instanceof String s) {
            send(session, state, s);
        } else if (reply != null) {
            send(session, state, jsonb.toJson(reply));
        }
    }

    private boolean acquire(Limit limit, SessionState state, Session session, JsonWebToken caller) {
        return switch (limit.key) {
            case SESSION -> state.limiter(limit).acquirePermission();
            case USER -> limit.acquireShared(caller.getSubject());
            case ADDRESS -> {
                Object address = session.getUserProperties().get(WsGuard.CLIENT_ADDRESS);
                yield limit.acquireShared(address instanceof String a ? a : "unknown");
            }
        };
    }

    /** The cap on one whole message, in UTF-8 bytes ({@code wsguard.message.max-bytes}). */
    public int maxMessageBytes() {
        return config.messageMaxBytes();
    }

    /** Closes the session with 1009 for a message that went over the cap while it was being read. */
    public void tooBig(Session session) {
        close(session, Rejection.MESSAGE_TOO_BIG, null);
    }

    private boolean tooBig(String text) {
        int max = config.messageMaxBytes();
        int chars = text.length();
        if (chars > max) {
            return true;
        }
        if ((long) chars * 3 <= max) {
            return false;
        }
        long bytes = 0;
        for (int i = 0; i < chars; i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes > max;
    }

    private SessionState state(Session session) {
        Map<String, Object> props = session.getUserProperties();
        Object state = props.get(SessionState.KEY);
        if (state == null) {
            state = new SessionState(this, session, limitCount, config.outboundMaxBytes(),
                    config.outboundMaxMessages());
            Object raced = props.putIfAbsent(SessionState.KEY, state);
            if (raced != null) {
                state = raced;
            }
        }
        return (SessionState) state;
    }

    private void refuse(Session session, SessionState state, Rejection reason, String alias) {
        emit(reason.httpStatus() == 403 ? SecurityEvent.Kind.AUTHORIZATION_DENIED : SecurityEvent.Kind.MESSAGE_REJECTED,
                session, reason, alias);
        if (state.violation(System.nanoTime(), windowNanos) >= config.maxViolations()) {
            close(session, Rejection.TOO_MANY_VIOLATIONS, alias);
            return;
        }
        sendError(session, state, reason);
    }

    private void rateLimited(Session session, SessionState state, String alias) {
        emit(SecurityEvent.Kind.RATE_LIMITED, session, Rejection.RATE_LIMITED, alias);
        if (state.excess(System.nanoTime(), windowNanos) >= config.maxViolations()) {
            close(session, Rejection.RATE_LIMITED, alias);
            return;
        }
        sendError(session, state, Rejection.RATE_LIMITED);
    }

    private void sendError(Session session, SessionState state, Rejection reason) {
        send(session, state, "{\"type\":\"error\",\"code\":\"" + reason.errorCode() + "\"}");
    }

    /**
     * Queues {@code text} for the guarded session within its outbound bound, without blocking.
     *
     * @return false when nothing was queued: the session is closed, or this send would have passed the bound (the
     *         session is then closed with 1013 and its connection dropped)
     * @throws IllegalStateException when the session was not opened by a guarded endpoint
     */
    public static boolean send(Session session, String text) {
        if (!(session.getUserProperties().get(SessionState.KEY) instanceof SessionState state)) {
            throw new IllegalStateException("not a guarded session: Outbound needs a GuardedEndpoint session");
        }
        return state.guard().send(session, state, text);
    }

    boolean send(Session session, SessionState state, String text) {
        long bytes = utf8Length(text);
        if (!session.isOpen()) {
            return false;
        }
        if (!state.reserve(bytes)) {
            if (state.shedNow()) {
                close(session, Rejection.OUTBOUND_OVERFLOW, null);
                abort(session);
            }
            return false;
        }
        try {
            // Completes when the frame has left for the socket, or failed (the connection is gone).
            session.getAsyncRemote().sendText(text, result -> state.sent(bytes));
            return true;
        } catch (RuntimeException closing) {
            state.sent(bytes);
            return false;
        }
    }

    /**
     * Whether the session may receive a message on {@code channel} now, by the rules under which it could send
     * {@code type} (a message type of its endpoint's family carrying the {@code @Channel}): its token must be
     * unexpired and not revoked, and the type's authorization and channel rules must pass for its current
     * identity. An expired or revoked session is closed with 4401 on the way.
     *
     * @return null when it may, else the reason it may not
     */
    public static Rejection mayReceive(Session session, Class<?> type, String channel) {
        if (!session.isOpen()
                || !(session.getUserProperties().get(SessionState.KEY) instanceof SessionState state)
                || !state.authenticated()
                || !(session.getUserProperties().get(WsGuard.IDENTITY) instanceof JsonWebToken identity)) {
            return Rejection.TOKEN_MISSING;
        }
        MessageGuard guard = state.guard();
        Long exp = expiry(identity);
        if (exp != null && exp * 1000 <= System.currentTimeMillis()) {
            guard.expire(session);
            return Rejection.TOKEN_EXPIRED;
        }
        if (guard.config.revocations().isRevoked(identity)) {
            guard.close(session, Rejection.TOKEN_REVOKED, null);
            return Rejection.TOKEN_REVOKED;
        }
        Route route = guard.routes.get(type);
        if (route == null) {
            return Rejection.MESSAGE_TYPE_NOT_ALLOWED;
        }
        Rejection denied = route.rule.check(identity.getGroups(), WsGuard.scopes(identity));
        if (denied == null && (route.channel == null || !route.channel.allowsChannel(channel, identity))) {
            denied = Rejection.CHANNEL_FORBIDDEN;
        }
        return denied;
    }

    /** A delivery refused by {@link #mayReceive} for a reason that leaves the session open: one event. */
    public static void deliveryRefused(Session session, Rejection reason, Class<?> type) {
        if (session.getUserProperties().get(SessionState.KEY) instanceof SessionState state) {
            MessageGuard guard = state.guard();
            Route route = guard.routes.get(type);
            guard.emit(SecurityEvent.Kind.AUTHORIZATION_DENIED, session, reason, route == null ? null : route.alias);
        }
    }

    /** Drops the session's connection where the runtime allows it (GuardedServer), freeing what is queued. */
    private static void abort(Session session) {
        if (session.getUserProperties().get(SessionState.KEY) instanceof SessionState state
                && state.abort() != null) {
            state.abort().run();
        }
    }

    static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    static {
        LiveSessions.closer(session -> {
            GuardContext context = contextOf(session);
            if (context != null) {
                close(context, session, Rejection.TOKEN_REVOKED, null);
            }
        });
    }

    private void close(Session session, Rejection reason, String alias) {
        close(context, session, reason, alias);
    }

    private static void close(GuardContext context, Session session, Rejection reason, String alias) {
        if (!closingByGuard(session)) {
            return;
        }
        emit(context, SecurityEvent.Kind.SESSION_CLOSED, session, reason, alias, null, reason.closeCode(), null);
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(reason.closeCode()), reason.phrase()));
        } catch (IOException | IllegalStateException e) {
            // Already closing: nothing more to do.
        }
    }

    private void emit(SecurityEvent.Kind kind, Session session, Rejection reason, String alias) {
        emit(context, kind, session, reason, alias, null, null, null);
    }

    private static void emit(GuardContext context, SecurityEvent.Kind kind, Session session, Rejection reason,
                             String alias, String channel, Integer closeCode, Duration duration) {
        Map<String, Object> props = session.getUserProperties();
        Object identity = props.get(WsGuard.IDENTITY);
        SecurityEvent.Phase phase = kind == SecurityEvent.Kind.SESSION_CLOSED
                || kind == SecurityEvent.Kind.CONNECTION_CLOSED ? SecurityEvent.Phase.SESSION
                : SecurityEvent.Phase.MESSAGE;
        // Tyrus parses a new URI on every getRequestURI(): once per event.
        URI uri = session.getRequestURI();
        context.events().emit(new SecurityEvent(Instant.now(), kind, phase, reason,
                (String) props.get(WsGuard.CONNECTION_ID), uri == null ? null : uri.getPath(),
                (String) props.get(WsGuard.CLIENT_ADDRESS), null, null,
                identity instanceof JsonWebToken jwt ? jwt.getSubject() : null, alias, channel, closeCode,
                duration));
    }

    /** Set once the guard has decided to close a session that has no state yet, so that one close is one event. */
    private static final String CLOSED_BY_GUARD = "dev.wsguard.closed-by-guard";

    /** True for the first close decision on the session, false for any later one. */
    private static boolean closingByGuard(Session session) {
        Map<String, Object> props = session.getUserProperties();
        if (props.get(SessionState.KEY) instanceof SessionState state) {
            return state.closingByGuard();
        }
        return props.putIfAbsent(CLOSED_BY_GUARD, Boolean.TRUE) == null;
    }

    /** The transport refused the session's connection (frame too big or malformed): one event, as for a close. */
    void refusedByTransport(Session session, Rejection refusal, int code) {
        if (closingByGuard(session)) {
            emit(context, SecurityEvent.Kind.SESSION_CLOSED, session, refusal, null, null, code, null);
        }
    }

    private static Map<Class<?>, Method> handlers(Class<?> endpointClass, Set<Class<?>> types) {
        Map<Class<?>, Method> found = new HashMap<>();
        for (Class<?> c = endpointClass; c != GuardedEndpoint.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (!m.isAnnotationPresent(Handler.class)) {
                    continue;
                }
                Class<?>[] params = m.getParameterTypes();
                boolean shape = (params.length == 1 || params.length == 2 && params[1] == Session.class)
                        && types.contains(params[0]) && !Modifier.isStatic(m.getModifiers());
                if (!shape) {
                    throw new GuardConfigException("@Handler " + c.getName() + "." + m.getName() + " must take one"
                            + " message type of the family (and optionally the Session)");
                }
                if (found.putIfAbsent(params[0], m) != null && found.get(params[0]).getDeclaringClass() == c) {
                    throw new GuardConfigException(endpointClass.getName() + " has two @Handler methods for "
                            + params[0].getName());
                }
            }
        }
        return found;
    }

    private static List<RateLimit> declaredLimits(Class<?> type, Method method) {
        List<RateLimit> all = new ArrayList<>(List.of(type.getAnnotationsByType(RateLimit.class)));
        all.addAll(List.of(method.getAnnotationsByType(RateLimit.class)));
        return all;
    }

    private static ChannelRule channelRule(Class<?> type) {
        if (!type.isRecord()) {
            return null;
        }
        ChannelRule rule = null;
        for (RecordComponent component : type.getRecordComponents()) {
            Channel channel = component.getAnnotation(Channel.class);
            if (channel == null) {
                continue;
            }
            if (rule != null) {
                throw new GuardConfigException(type.getName() + " has more than one @Channel component");
            }
            rule = new ChannelRule(channel, unreflect(component.getAccessor()), type.getName());
        }
        return rule;
    }

    private static MethodHandle unreflect(Method method) {
        try {
            method.setAccessible(true);
            return MethodHandles.lookup().unreflect(method);
        } catch (IllegalAccessException | RuntimeException e) {
            throw new GuardConfigException("cannot call " + method + ": make it accessible", e);
        }
    }
}
