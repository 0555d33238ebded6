package dev.wsguard.internal.message;

import dev.wsguard.GuardConfigException;
import dev.wsguard.Rejection;
import dev.wsguard.WsGuard;
import dev.wsguard.internal.ClientAddress;
import dev.wsguard.internal.ConnectionQuotas;
import dev.wsguard.internal.PartialText;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;

import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * The runtime face of a standard guarded endpoint: deployed in its place (same path, subprotocols and configurator)
 * by {@code GuardedServer} on Tyrus standalone and by {@code WsGuardApplicationConfig} in a WAR, so that the runtime
 * hands every frame to wsguard and nothing to the user's class directly. It reads text and binary messages in parts
 * within {@code wsguard.message.max-bytes} (never a whole oversized message in memory), runs each through the
 * endpoint's {@link SessionGuard}, and calls the user's {@code @OnMessage} only with a message that passed. The
 * user's {@code @OnOpen} runs once the session is authenticated, {@code @OnClose} once for a session that reached it,
 * {@code @OnError} for what the user's own methods throw. One instance per session or shared: it keeps its
 * per-session state in the session. Thread-safe.
 */
public class AnnotatedEndpointAdapter extends Endpoint {

    /** The endpoint-config user property naming the user's class: the handshake guard reads it. */
    public static final String ENDPOINT_CLASS = "dev.wsguard.endpoint-class";
    private static final System.Logger LOG = System.getLogger("dev.wsguard");
    /** The instance {@code WsGuardConfigurator} gives the runtime for every session: the adapter holds no state. */
    public static final AnnotatedEndpointAdapter SHARED = new AnnotatedEndpointAdapter();

    /**
     * One session of the wrapped endpoint: the user's instance and the message in progress. Also the session's text
     * handler: one object fewer on every open session than a handler of its own.
     */
    private static final class Wrapped implements MessageHandler.Partial<String> {
        final Session session;
        final SessionGuard guard;
        final Object instance;
        final Runnable release;
        /**
         * The handshake's configuration, for the user's open only: dropped then, as the runtime would drop it. Tyrus
         * hands over a copy per handshake (a map of its own), which held on to would stay for the session's life.
         */
        private EndpointConfig config;
        /** Whether the binary {@code @OnMessage} takes {@code byte[]} rather than the assembled buffer. */
        final boolean binaryAsBytes;
        ByteBuffer binary;
        boolean discardingBinary;
        /** Guarded by this: whether the user's open ran, and whether the session has closed. */
        private boolean userOpened;
        private boolean closed;

        /** True once, for the session's user open, unless the session has closed already (a revocation won). */
        synchronized boolean openUser(Session session) {
            if (closed || userOpened || !session.isOpen()) {
                return false;
            }
            userOpened = true;
            return true;
        }

        /** The configuration for the user's open, handed over once. */
        synchronized EndpointConfig takeConfig() {
            EndpointConfig handedOver = config;
            config = null;
            return handedOver;
        }

        /** The session closed: whether the user's open ran, so that its close runs too (once). */
        synchronized boolean closeUser() {
            boolean reached = userOpened && !closed;
            closed = true;
            config = null;
            return reached;
        }

        Wrapped(Session session, SessionGuard guard, EndpointInstances.Created created, EndpointConfig config) {
            this.session = session;
            this.guard = guard;
            this.instance = created.instance();
            this.release = created.release();
            this.config = config;
            EndpointModel model = guard.model();
            this.binaryAsBytes = model.binary() != null && model.binary().target().messageType() == byte[].class;
        }

        /** The endpoint's model, kept by the guard (not here: every open session holds one of these). */
        EndpointModel model() {
            return guard.model();
        }

        /** A part of a text message: assembled within the cap, then run through the guard. */
        @Override
        public void onMessage(String part, boolean last) {
            String text = PartialText.add(session, part, last, guard.maxMessageBytes(), () -> guard.tooBig(session));
            if (text != null && guard.text(instance, text, session)) {
                userOpen(session, this);
            }
        }
    }

    /**
     * The configuration that deploys the endpoint of {@code model} wrapped: same path and subprotocols, the given
     * configurator instance.
     */
    public static ServerEndpointConfig configFor(EndpointModel model, ServerEndpointConfig.Configurator guard) {
        Class<?> endpointClass = model.endpointClass();
        ServerEndpoint annotation = endpointClass.getAnnotation(ServerEndpoint.class);
        ServerEndpointConfig config = ServerEndpointConfig.Builder.create(AnnotatedEndpointAdapter.class,
                        annotation.value())
                .subprotocols(List.of(annotation.subprotocols()))
                .configurator(guard)
                .build();
        config.getUserProperties().put(ENDPOINT_CLASS, endpointClass);
        return config;
    }

    /**
     * The endpoint's configurator, created as the runtime would create it for the unwrapped class (its public
     * no-argument constructor): one per endpoint, shared by everything that guards it.
     *
     * @throws GuardConfigException when it cannot be created; a {@code GuardConfigException} from its constructor is
     *                              passed on as it is
     */
    public static ServerEndpointConfig.Configurator newConfigurator(Class<?> endpointClass) {
        Class<? extends ServerEndpointConfig.Configurator> type =
                endpointClass.getAnnotation(ServerEndpoint.class).configurator();
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof GuardConfigException cause) {
                throw cause;
            }
            throw new GuardConfigException("cannot create " + type.getName() + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new GuardConfigException(type.getName() + " needs a public no-argument constructor, as the"
                    + " WebSocket specification requires of a configurator", e);
        }
    }

    /**
     * The per-connection entries {@code WsGuardConfigurator.modifyHandshake} puts into the configuration, and the
     * endpoint class the runtime copied into it from the deployed configuration.
     */
    private static final List<String> HANDSHAKE_KEYS = List.of(WsGuard.IDENTITY, WsGuard.CONNECTION_ID,
            WsGuard.CONTEXT, ConnectionQuotas.SLOT, WsGuard.CLIENT_ADDRESS, ClientAddress.KEY, ENDPOINT_CLASS);

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        Map<String, Object> props = session.getUserProperties();
        if (!(props.remove(ENDPOINT_CLASS) instanceof Class<?> endpointClass)) {
            LOG.log(System.Logger.Level.ERROR, "wsguard: a wrapped endpoint opened without its endpoint class");
            closeQuietly(session);
            return;
        }
        SessionGuard guard = SessionGuard.of(session, endpointClass);
        forgetHandshake(config, props);
        EndpointInstances.Created created;
        try {
            created = EndpointInstances.create(endpointClass, config);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "wsguard: cannot create " + endpointClass.getName(), e);
            SessionGuard.released(session);
            guard.closeFor(session, Rejection.ENDPOINT_NOT_GUARDED);
            return;
        }
        Wrapped wrapped = new Wrapped(session, guard, created, config);
        SessionState state = guard.state(session);
        state.adapted(wrapped);
        session.addMessageHandler(String.class, wrapped);
        // The session's state is its binary handler (it passes each part to binaryPart): one object fewer per session.
        session.addMessageHandler(ByteBuffer.class, state);
        if (guard.opened(session)) {
            userOpen(session, wrapped);
        }
    }

    /**
     * Takes what the guard's handshake put into the endpoint configuration out of it again, now that the session holds
     * its own copy. Tyrus and Payara keep that configuration, a copy per handshake, for the whole life of the
     * session: seven entries fewer on every open connection. Where a runtime hands over its shared configuration
     * instead, none of these keys is there and nothing changes; where the session's properties are that very map,
     * they stay.
     */
    private static void forgetHandshake(EndpointConfig config, Map<String, Object> sessionProperties) {
        Map<String, Object> handshake = config.getUserProperties();
        if (handshake == sessionProperties || !handshake.containsKey(WsGuard.CONNECTION_ID)) {
            return;
        }
        for (String key : HANDSHAKE_KEYS) {
            handshake.remove(key);
        }
    }

    /**
     * Assembles a binary message within the cap; refuses it with 1009 at the first part over it. {@code adapted} is
     * what this adapter stored in the session's state before making the state the session's binary handler.
     */
    static void binaryPart(Session session, Object adapted, ByteBuffer part, boolean last) {
        Wrapped wrapped = (Wrapped) adapted;
        int max = wrapped.guard.maxMessageBytes();
        if (wrapped.discardingBinary) {
            if (last) {
                wrapped.discardingBinary = false;
            }
            return;
        }
        ByteBuffer held = wrapped.binary;
        long size = (held == null ? 0 : held.position()) + (long) part.remaining();
        if (size > max) {
            wrapped.binary = null;
            wrapped.discardingBinary = !last;
            wrapped.guard.tooBig(session);
            return;
        }
        ByteBuffer whole;
        if (held == null && last) {
            whole = part;
        } else {
            if (held == null || held.remaining() < part.remaining()) {
                ByteBuffer grown = ByteBuffer.allocate((int) Math.min(max, Math.max(size, 2L * (held == null ? 256
                        : held.capacity()))));
                if (held != null) {
                    held.flip();
                    grown.put(held);
                }
                held = grown;
            }
            held.put(part);
            wrapped.binary = last ? null : held;
            if (!last) {
                return;
            }
            held.flip();
            whole = held;
        }
        Object data = wrapped.binaryAsBytes ? bytes(whole) : whole;
        wrapped.guard.binary(wrapped.instance, data, whole.remaining(), session);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /**
     * Runs the user's open logic once the session is authenticated, unless it has closed meanwhile (say a revocation
     * closed it right after its auth message): then neither the user's open nor its close runs.
     */
    private static void userOpen(Session session, Wrapped wrapped) {
        if (!wrapped.openUser(session)) {
            return;
        }
        EndpointConfig config = wrapped.takeConfig();
        Callback open = wrapped.model().onOpen();
        if (open != null) {
            call(open, wrapped, new Callback.Values(session, null, null, null, config), session);
        }
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        Wrapped wrapped = wrappedOf(session);
        boolean reachedUser = wrapped != null && wrapped.closeUser();
        try {
            SessionGuard.closed(session, reason);
        } finally {
            if (wrapped != null) {
                try {
                    Callback close = wrapped.model().onClose();
                    if (reachedUser && close != null) {
                        call(close, wrapped, new Callback.Values(session, null, reason, null, null), session);
                    }
                } finally {
                    wrapped.release.run();
                }
            }
        }
    }

    /** What the user's methods threw: to its {@code @OnError}, else one log line (no stack trace per message). */
    @Override
    public void onError(Session session, Throwable error) {
        failed(session, error);
    }

    private static void failed(Session session, Throwable error) {
        Wrapped wrapped = wrappedOf(session);
        Callback onError = wrapped == null ? null : wrapped.model().onError();
        if (onError == null) {
            LOG.log(System.Logger.Level.WARNING, "wsguard: endpoint "
                    + (wrapped == null ? "(not opened)" : wrapped.model().endpointClass().getName()) + " failed: "
                    + error);
            LOG.log(System.Logger.Level.DEBUG, "wsguard: endpoint failure", error);
            return;
        }
        try {
            onError.invoke(wrapped.instance, new Callback.Values(session, null, null, error, null));
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.WARNING, "wsguard: @OnError of " + wrapped.model().endpointClass().getName()
                    + " failed: " + e);
        }
    }

    /** The session's wrapped endpoint, or null before it opened (or where its open failed). */
    private static Wrapped wrappedOf(Session session) {
        return session.getUserProperties().get(SessionState.KEY) instanceof SessionState state
                && state.adapted() instanceof Wrapped wrapped ? wrapped : null;
    }

    private static void call(Callback callback, Wrapped wrapped, Callback.Values values, Session session) {
        try {
            callback.invoke(wrapped.instance, values);
        } catch (Throwable e) {
            failed(session, e);
        }
    }

    private static void closeQuietly(Session session) {
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "server error"));
        } catch (Exception ignored) {
            // Gone already.
        }
    }
}
