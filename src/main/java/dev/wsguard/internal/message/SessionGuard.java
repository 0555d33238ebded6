package dev.wsguard.internal.message;

import dev.wsguard.GuardConfig;
import dev.wsguard.MessageRejectedException;
import dev.wsguard.Rejection;
import dev.wsguard.SecurityEvent;
import dev.wsguard.WsGuard;
import dev.wsguard.internal.Authentication;
import dev.wsguard.internal.ClientAddress;
import dev.wsguard.internal.ConnectionQuotas;
import dev.wsguard.internal.LiveSessions;
import dev.wsguard.internal.cluster.StoreUnavailableException;
import dev.wsguard.internal.Timers;
import dev.wsguard.internal.TransportLink;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.websocket.CloseReason;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Applies the guard to the sessions of one endpoint: arms and cancels their timers (token expiry, lifetime,
 * authentication deadline, keep-alive), authenticates first messages and in-band refreshes, runs each message through
 * the {@link MessagePipeline} and applies its {@link Verdict} (the user's method, an error frame or a close, each with
 * its one security event), and bounds what is queued for each session. Runtime adapters ({@code GuardedEndpoint},
 * {@link AnnotatedEndpointAdapter}) only hand messages in. Thread-safe.
 */
public final class SessionGuard {

    private static final String AUTH_OK = "{\"type\":\"auth\",\"status\":\"ok\"}";
    private static final byte[] PING = "wsguard".getBytes(StandardCharsets.US_ASCII);

    private final GuardContext context;
    private final GuardConfig config;
    private final MessagePipeline pipeline;
    private final long windowNanos;
    /** The maximum session lifetime in nanoseconds, 0 for none. */
    private final long maxLifetimeNanos;
    private final Jsonb jsonb;

    SessionGuard(GuardContext context, EndpointModel model) {
        this.context = context;
        this.config = context.config();
        this.pipeline = new MessagePipeline(model, config, context.events().keysEvicted());
        this.windowNanos = config.violationWindow().toNanos();
        this.maxLifetimeNanos = config.maxSessionLifetime().map(Duration::toNanos).orElse(0L);
        this.jsonb = JsonbBuilder.create();
    }

    /** The guard for the session's endpoint class; the session must have passed the wsguard handshake. */
    public static SessionGuard of(Session session, Class<?> endpointClass) {
        Map<String, Object> props = session.getUserProperties();
        if (props.get(SessionState.KEY) instanceof SessionState state
                && state.guard().model().endpointClass() == endpointClass) {
            return state.guard();
        }
        if (!(props.get(WsGuard.CONTEXT) instanceof GuardContext guardContext)) {
            throw new IllegalStateException(endpointClass.getName() + " is guarded but its @ServerEndpoint does not"
                    + " name WsGuardConfigurator (or a subclass) as its configurator");
        }
        return guardContext.guardFor(endpointClass);
    }

    public EndpointModel model() {
        return pipeline.model();
    }

    /** The configuration's outbound bounds, read here rather than kept by every open session's state. */
    long outboundMaxBytes() {
        return config.outboundMaxBytes();
    }

    int outboundMaxMessages() {
        return config.outboundMaxMessages();
    }

    // ------------------------------------------------------------------ opening

    /**
     * Arms the session's timers: token expiry (close 4401 at {@code exp}), maximum lifetime, keep-alive pings, and in
     * first-message mode the authentication deadline.
     *
     * @return whether the session is authenticated now (false in first-message mode until its auth message)
     */
    public boolean opened(Session session) {
        SessionState state = state(session);
        // The handshake's slot, context and address key move into the state: three user properties fewer on every
        // open session.
        Map<String, Object> props = session.getUserProperties();
        TransportLink link = TransportLink.take();
        state.opened(System.nanoTime(), link,
                props.remove(ConnectionQuotas.SLOT) instanceof ConnectionQuotas.Slot slot ? slot : null,
                props.remove(ClientAddress.KEY) instanceof String addressKey ? addressKey : null);
        props.remove(WsGuard.CONTEXT);
        context.events().sessionOpened();
        if (link != null) {
            link.listen(state);
        }
        if (config.pingInterval().isPresent()) {
            keepAlive(session, state, config.pingInterval().get());
        } else if ((link == null || !link.wire().noticesClientLeaving()) && !UndertowDrop.isUndertow(session)) {
            probeOnce(session, state);
        }
        if (config.authMode() == GuardConfig.AuthMode.FIRST_MESSAGE) {
            state.authDeadline(Timers.schedule(() -> {
                if (session.isOpen() && !state.authenticated()) {
                    // Nothing is ever queued before authentication: a plain close frees everything.
                    close(session, Rejection.AUTH_TIMEOUT, null);
                }
            }, config.authDeadline().toMillis()));
            return false;
        }
        return authenticated(session, state, WsGuard.identity(session));
    }

    /**
     * The session is authenticated: it is registered for revocation, checked once more, and its timers armed.
     *
     * @return false when a revocation came between the check that let it in and its registration: it is closed
     */
    private boolean authenticated(Session session, SessionState state, JsonWebToken identity) {
        state.authenticate();
        LiveSessions.opened(identity.getSubject(), session);
        // Revoking the user just before the registration found no session to close; a later revocation finds it.
        if (config.revocations().isRevoked(identity)) {
            close(session, Rejection.TOKEN_REVOKED, null);
            return false;
        }
        arm(session, state);
        return true;
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
        state.pings(Timers.repeat(() -> {
            if (!session.isOpen()) {
                return;
            }
            long idleMillis = session.getMaxIdleTimeout() > 0 ? session.getMaxIdleTimeout() : 2 * everyMillis;
            if (System.nanoTime() - state.lastHeard() > idleMillis * 1_000_000) {
                closeUnanswered(session);
                return;
            }
            ping(session);
        }, everyMillis));
    }

    /** Sends one keep-alive ping; a session already closing is left to whoever checks it next. */
    private static void ping(Session session) {
        try {
            session.getAsyncRemote().sendPing(ByteBuffer.wrap(PING));
        } catch (IOException | RuntimeException closing) {
            // Closing already: the next check sees it.
        }
    }

    /** Closes a session whose client stopped answering with 1001 and drops its connection. */
    private void closeUnanswered(Session session) {
        close(session, Rejection.KEEPALIVE_TIMEOUT, null);
        abort(session);
    }

    /** How long a probed session has to answer its one ping (a pong or any message). */
    static final long PROBE_ANSWER_MILLIS = 5_000;

    /**
     * Pings the session once, {@link TransportLink#CLOSE_GRACE_MILLIS} after it opened, where the runtime is not
     * Undertow and wsguard has no link to its connection or one that does not notice a client leaving (Payara's
     * Tyrus), and closes it with 1001 when nothing (no pong,
     * no message) has come {@link #PROBE_ANSWER_MILLIS} later. A client that drops the connection right after reading
     * the 101 can leave such a session open for good: Payara's Tyrus never noticed the end of the connection (its
     * {@code @OnClose} never ran, in every such case in ControlsIT), and even a failed ping write did not tell it, so
     * the quota slot stayed taken and enough such clients would fill the endpoint's and the process's quotas. One
     * small frame per session, none where keep-alive pings run anyway; a client must answer a ping (RFC 6455, 5.5.2).
     */
    private void probeOnce(Session session, SessionState state) {
        session.addMessageHandler(PongMessage.class, pong -> state.heard(System.nanoTime()));
        state.pings(Timers.schedule(() -> {
            if (!session.isOpen()) {
                return;
            }
            long sent = System.nanoTime();
            ping(session);
            state.pings(Timers.schedule(() -> {
                if (session.isOpen() && (state.lastHeard() == 0 || state.lastHeard() - sent < 0)) {
                    closeUnanswered(session);
                }
            }, PROBE_ANSWER_MILLIS));
        }, TransportLink.CLOSE_GRACE_MILLIS));
    }

    /**
     * Arms the session's one deadline timer for whichever comes first: its token's expiry or the end of its maximum
     * lifetime (one timer per session, not one per bound: every open session holds it).
     */
    private void arm(Session session, SessionState state) {
        long exp = WsGuard.identity(session).getExpirationTime();
        if (exp <= 0 && maxLifetimeNanos == 0) {
            return;
        }
        long delayMillis = Long.MAX_VALUE;
        if (exp > 0) {
            delayMillis = exp * 1000 - System.currentTimeMillis();
        }
        if (maxLifetimeNanos != 0) {
            // Rounded up: a timer that fires before the lifetime is over only arms itself again.
            long left = maxLifetimeNanos - (System.nanoTime() - state.openedAt());
            delayMillis = Math.min(delayMillis, left <= 0 ? 0 : (left + 999_999) / 1_000_000);
        }
        if (delayMillis <= 0) {
            deadline(session, state);
            return;
        }
        state.expiry(delayMillis);
    }

    /**
     * The session's deadline timer fired: close it with 4401 if its token has expired, else for its lifetime if
     * that is over, else (a refreshed token moved the expiry) arm it again.
     */
    void deadline(Session session, SessionState state) {
        if (!session.isOpen()) {
            return;
        }
        if (MessagePipeline.expired(WsGuard.identity(session))) {
            close(session, Rejection.TOKEN_EXPIRED, null);
        } else if (maxLifetimeNanos != 0 && System.nanoTime() - state.openedAt() >= maxLifetimeNanos) {
            close(session, Rejection.SESSION_LIFETIME_EXCEEDED, null);
        } else {
            arm(session, state);
        }
    }

    // ------------------------------------------------------------------ messages

    /**
     * Runs one whole text message through the pipeline and applies the verdict; {@code endpoint} is the user's
     * instance whose method a delivered message reaches.
     *
     * @return true when this message authenticated the session (first-message mode): the endpoint's own open logic
     *         runs now
     */
    public boolean text(Object endpoint, String text, Session session) {
        SessionState state = state(session);
        state.heard(System.nanoTime());
        if (!state.authenticated()) {
            return firstMessage(session, state, text);
        }
        JsonWebToken caller = WsGuard.identity(session);
        apply(pipeline.text(text, caller, addressKey(state), state), endpoint, session, state);
        return false;
    }

    /** Runs one whole binary message through the pipeline and applies the verdict. */
    public void binary(Object endpoint, Object data, long bytes, Session session) {
        SessionState state = state(session);
        state.heard(System.nanoTime());
        if (!state.authenticated()) {
            // First-message mode takes only the auth message, as text.
            close(session, Rejection.TOKEN_MISSING, null);
            return;
        }
        apply(pipeline.binary(data, bytes, WsGuard.identity(session), addressKey(state), state), endpoint,
                session, state);
    }

    private void apply(Verdict verdict, Object endpoint, Session session, SessionState state) {
        if (verdict instanceof Verdict.Deliver deliver) {
            deliver(deliver, endpoint, session, state);
        } else if (verdict instanceof Verdict.Refuse refuse) {
            refuse(session, state, refuse.reason(), refuse.alias());
        } else if (verdict instanceof Verdict.Throttle throttle) {
            rateLimited(session, state, throttle.alias());
        } else if (verdict instanceof Verdict.Close close) {
            close(session, close.reason(), close.alias());
        } else {
            refresh(session, state, ((Verdict.Refresh) verdict).token());
        }
    }

    private void deliver(Verdict.Deliver deliver, Object endpoint, Session session, SessionState state) {
        EndpointModel.Route route = deliver.route();
        context.events().messageAccepted(route.alias(), route.channel() == null ? null : route.channel().declared);
        if (route.audited()) {
            emit(context, SecurityEvent.Kind.ACTION, session, null, route.alias(),
                    route.channel() == null ? null : route.channel().name(deliver.message()), null, null);
        }
        Object reply;
        try {
            reply = route.target().invoke(endpoint,
                    new Callback.Values(session, deliver.message(), null, null, null));
        } catch (MessageRejectedException e) {
            refuse(session, state, Rejection.HANDLER_REFUSED, route.alias());
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

    /**
     * First-message mode: only {@code {"type":"auth","token":...}} is read; anything else, or a token that does not
     * verify, closes the session with 4401 before any handler could see it.
     */
    private boolean firstMessage(Session session, SessionState state, String text) {
        if (!session.isOpen() || state.released()) {
            // The deadline closed it while this message was on its way.
            return false;
        }
        if (MessagePipeline.tooBig(text, config.messageMaxBytes())) {
            close(session, Rejection.MESSAGE_TOO_BIG, null);
            return false;
        }
        String token = MessagePipeline.authToken(text);
        if (token == null) {
            close(session, Rejection.TOKEN_MISSING, null);
            return false;
        }
        Authentication authenticated = context.authenticate(token, null);
        if (authenticated instanceof Authentication.Refused refused) {
            close(session, refused.reason(), EndpointModel.AUTH_TYPE);
            return false;
        }
        JsonWebToken identity = ((Authentication.Passed) authenticated).identity();
        ConnectionQuotas.Slot slot = state.slot();
        try {
            if (slot != null && !slot.bindUser(identity.getSubject())) {
                close(session, Rejection.CONNECTION_QUOTA_EXCEEDED, EndpointModel.AUTH_TYPE);
                return false;
            }
        } catch (StoreUnavailableException e) {
            // Cluster mode, fail-closed: the user's quota cannot be counted, so the session does not proceed.
            close(session, Rejection.CLUSTER_STORE_UNAVAILABLE, EndpointModel.AUTH_TYPE);
            return false;
        }
        if (!session.isOpen() || state.released()) {
            return false;
        }
        session.getUserProperties().put(WsGuard.IDENTITY, identity);
        if (!authenticated(session, state, identity)) {
            return false;
        }
        emit(SecurityEvent.Kind.HANDSHAKE_ACCEPTED, session, null, EndpointModel.AUTH_TYPE);
        send(session, state, AUTH_OK);
        return true;
    }

    /** {@code {"type":"auth","token":...}}: a fresh token for the same subject extends the session. */
    private void refresh(Session session, SessionState state, String token) {
        Authentication authenticated = context.authenticate(token, null);
        if (authenticated instanceof Authentication.Refused refused) {
            refuse(session, state, refused.reason(), EndpointModel.AUTH_TYPE);
            return;
        }
        JsonWebToken fresh = ((Authentication.Passed) authenticated).identity();
        if (!Objects.equals(fresh.getSubject(), WsGuard.identity(session).getSubject())) {
            refuse(session, state, Rejection.TOKEN_SUBJECT_CHANGED, EndpointModel.AUTH_TYPE);
            return;
        }
        session.getUserProperties().put(WsGuard.IDENTITY, fresh);
        state.cancelExpiry();
        arm(session, state);
        emit(SecurityEvent.Kind.TOKEN_REFRESHED, session, null, EndpointModel.AUTH_TYPE);
        send(session, state, AUTH_OK);
    }

    /** Closes the session with 1009 for a message that went over the cap while it was being read. */
    public void tooBig(Session session) {
        close(session, Rejection.MESSAGE_TOO_BIG, null);
    }

    /** The cap on one whole message, in bytes ({@code wsguard.message.max-bytes}). */
    public int maxMessageBytes() {
        return config.messageMaxBytes();
    }

    // ------------------------------------------------------------------ answers

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
        if (state.excess(System.nanoTime(), windowNanos, 1) >= config.maxViolations()) {
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
            throw new IllegalStateException("not a guarded session: Outbound needs a session of a guarded endpoint");
        }
        return state.guard().send(session, state, text);
    }

    boolean send(Session session, SessionState state, String text) {
        long bytes = MessagePipeline.utf8Length(text);
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
        SessionGuard guard = state.guard();
        if (MessagePipeline.expired(identity)) {
            guard.close(session, Rejection.TOKEN_EXPIRED, null);
            return Rejection.TOKEN_EXPIRED;
        }
        if (guard.config.revocations().isRevoked(identity)) {
            guard.close(session, Rejection.TOKEN_REVOKED, null);
            return Rejection.TOKEN_REVOKED;
        }
        return guard.pipeline.mayReceive(type, channel, identity);
    }

    /** A delivery refused by {@link #mayReceive} for a reason that leaves the session open: one event. */
    public static void deliveryRefused(Session session, Rejection reason, Class<?> type) {
        if (session.getUserProperties().get(SessionState.KEY) instanceof SessionState state) {
            SessionGuard guard = state.guard();
            EndpointModel.Route route = guard.model().routes().get(type);
            guard.emit(SecurityEvent.Kind.AUTHORIZATION_DENIED, session, reason, route == null ? null : route.alias());
        }
    }

    /**
     * The client sent {@code count} pings or pongs, seen by the transport as they were read; {@code queuedBytes} wait
     * on the connection, pongs included. They count towards the session's flood limit like messages, without an
     * error frame each: the session is closed (4429) once the excess passes the violations tolerated. A connection
     * whose queue has passed the outbound bound is a client that does not read: it is closed with 1013 and dropped.
     */
    void controlFrames(Session session, SessionState state, int count, long queuedBytes) {
        if (queuedBytes > config.outboundMaxBytes()) {
            close(session, Rejection.OUTBOUND_OVERFLOW, null);
            abort(session);
            return;
        }
        int over = pipeline.overFloodLimit(state, count);
        if (over > 0) {
            emit(SecurityEvent.Kind.RATE_LIMITED, session, Rejection.RATE_LIMITED, null);
            if (state.excess(System.nanoTime(), windowNanos, over) >= config.maxViolations()) {
                close(session, Rejection.RATE_LIMITED, null);
            }
        }
    }

    /** Drops the session's connection where the runtime allows it (GuardedServer), freeing what is queued. */
    private static void abort(Session session) {
        TransportLink link = linkOf(session);
        if (link != null) {
            link.wire().drop();
        } else {
            UndertowDrop.dropAfterGrace(session);
        }
    }

    /** The link to the session's connection, where the runtime gives one. */
    private static TransportLink linkOf(Session session) {
        return session.getUserProperties().get(SessionState.KEY) instanceof SessionState state ? state.link() : null;
    }

    // ------------------------------------------------------------------ closing

    static {
        LiveSessions.closer(session -> {
            GuardContext context = contextOf(session);
            if (context != null) {
                close(context, session, Rejection.TOKEN_REVOKED, null);
            }
        });
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

    /**
     * Cancels what the session held; safe to call more than once. Where the runtime gives a link to the connection,
     * the connection is dropped within {@link TransportLink#CLOSE_GRACE_MILLIS} whatever the client does, and the
     * quota slot comes back only once the connection is gone: a closed session whose connection lingers still counts.
     */
    public static void released(Session session) {
        Map<String, Object> props = session.getUserProperties();
        if (props.get(WsGuard.IDENTITY) instanceof JsonWebToken jwt) {
            LiveSessions.closed(jwt.getSubject(), session);
        }
        if (props.get(SessionState.KEY) instanceof SessionState s) {
            s.release();
        }
        TransportLink link = linkOf(session);
        if (link != null) {
            link.wire().dropAfterGrace();
        }
        ConnectionQuotas.Slot slot = slotOf(session);
        if (slot != null) {
            if (link != null) {
                link.wire().whenGone(slot::release);
            } else {
                slot.release();
            }
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

    /** The session's state, made on first use; the session must have passed this guard's handshake. */
    SessionState state(Session session) {
        Map<String, Object> props = session.getUserProperties();
        Object state = props.get(SessionState.KEY);
        if (state == null) {
            state = new SessionState(this, session);
            Object raced = props.putIfAbsent(SessionState.KEY, state);
            if (raced != null) {
                state = raced;
            }
        }
        return (SessionState) state;
    }

    private void close(Session session, Rejection reason, String alias) {
        close(context, session, reason, alias);
    }

    private static void close(GuardContext context, Session session, Rejection reason, String alias) {
        close(context, session, reason, alias, reason.closeCode(), reason.phrase());
    }

    private static void close(GuardContext context, Session session, Rejection reason, String alias, int closeCode,
                              String phrase) {
        if (!closingByGuard(session)) {
            return;
        }
        emit(context, SecurityEvent.Kind.SESSION_CLOSED, session, reason, alias, null, closeCode, null);
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(closeCode), phrase));
        } catch (IOException | IllegalStateException e) {
            // Already closing: nothing more to do.
        }
        // The close frame waits behind whatever is queued: a client that does not read never gets it.
        TransportLink link = linkOf(session);
        if (link != null) {
            link.wire().dropAfterGrace();
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
        // Tyrus builds and parses a new URI on every getRequestURI(): only for an event someone reads in full.
        URI uri = context.events().readsDetails(reason) ? session.getRequestURI() : null;
        context.events().emit(new SecurityEvent(Instant.now(), kind, phase, reason,
                (String) props.get(WsGuard.CONNECTION_ID), uri == null ? null : uri.getPath(),
                (String) props.get(WsGuard.CLIENT_ADDRESS), null, null,
                identity instanceof JsonWebToken jwt ? jwt.getSubject() : null, alias, channel, closeCode,
                duration));
    }

    /** What the client address counts under ({@link ClientAddress#key}), read only when a limit counts per address. */
    private String addressKey(SessionState state) {
        return pipeline.usesAddress() ? state.addressKey() : null;
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

    /** Closes the session for a reason decided outside the pipeline (an adapter's own refusal). */
    public void closeFor(Session session, Rejection reason) {
        close(session, reason, null);
    }

    /** The same with the close code and phrase the transport chose for a frame it refused. */
    void closeFor(Session session, Rejection reason, int closeCode, String phrase) {
        close(context, session, reason, null, closeCode, phrase);
    }
}
