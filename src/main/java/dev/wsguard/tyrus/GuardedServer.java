package dev.wsguard.tyrus;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.OnMessage;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;

import org.glassfish.grizzly.http.server.HttpHandler;

/**
 * A standalone Tyrus WebSocket server that binds only the address it is given, closes the connection after a
 * refused handshake and caps the size of incoming messages. Use it instead of
 * {@code org.glassfish.tyrus.server.Server}.
 *
 * <p>Threats answered:
 * <ul>
 *   <li><b>Exposure on every interface.</b> Tyrus's {@code Server} binds {@code 0.0.0.0} whatever host it is
 *       given. This server binds exactly {@link Builder#host(String) host}, by default {@code 127.0.0.1}.</li>
 *   <li><b>Handshake replay on a refused connection.</b> After Tyrus refuses a handshake (a
 *       {@code HandshakeException} from {@code modifyHandshake}, {@code checkOrigin} returning false) it keeps the
 *       connection, and every further packet re-runs the whole handshake, token verification included. Here a
 *       non-101 answer to a WebSocket upgrade carries {@code Connection: close} and {@code Content-Length: 0},
 *       loses any {@code Upgrade} and {@code Sec-WebSocket-*} headers, gets its standard reason phrase, and the
 *       connection is closed once the answer has been written; nothing sent after it is processed.</li>
 *   <li><b>A session behind a refusal.</b> A {@code Configurator} that only sets a non-101 status on the
 *       handshake response gets a session opened behind that answer by Tyrus; here the connection is closed
 *       after the answer and no frame reaches the endpoint. Refuse with {@code HandshakeException} all the
 *       same.</li>
 *   <li><b>Half-deployed start.</b> All endpoints are deployed before the port is bound: if one fails (for example
 *       its {@code Configurator}'s constructor throws), {@link #start()} throws and nothing is left listening.</li>
 *   <li><b>Details in error bodies.</b> Plain HTTP requests no handler claims get an empty {@code 404}; Grizzly
 *       error pages have no body.</li>
 *   <li><b>Memory exhaustion by oversized messages.</b> Tyrus checks {@code @OnMessage(maxMessageSize)} only after
 *       it has buffered the whole message (a 50 MB message sent in 1 MB fragments costs over 100 MB of heap), and
 *       on an endpoint with {@code @OnError} every session it closes with 1009 itself stays reachable for good, so
 *       repeated oversized messages exhaust the heap. Here every frame header is checked as it arrives: one announcing a payload that would take its message
 *       over {@link Builder#maxMessageBytes(int) maxMessageBytes} (default 64 KiB) gets close {@code 1009} and the
 *       connection is closed before the payload is read; the session is released like any lost connection. A
 *       64-bit length with its top bit set, a control frame over 125 bytes or a misplaced fragment get
 *       {@code 1002}.</li>
 * </ul>
 *
 * <p>Defaults: host {@code 127.0.0.1}, port {@code 0} (any free port, see {@link #port()}), context path
 * {@code "/"}, no endpoints, no HTTP handlers, messages up to 64 KiB. Connections that never finish a handshake are
 * not timed out, and there is no TLS: put this server behind a TLS-terminating proxy, or on loopback only.
 *
 * <pre>{@code
 * try (GuardedServer server = GuardedServer.builder().endpoint(ChatEndpoint.class).build()) {
 *     server.start();
 *     URI chat = server.uri("/chat");
 * }
 * }</pre>
 *
 * <p>Thread-safe: {@link #start()} and {@link #close()} may be called from any thread; a server starts at most
 * once and cannot be restarted after {@link #close()}.
 */
public final class GuardedServer implements AutoCloseable {

    /** The default {@linkplain Builder#maxMessageBytes(int) cap on one incoming message}: 64 KiB. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 65_536;

    private static final System.Logger LOG = System.getLogger(GuardedServer.class.getName());

    private enum State { NEW, RUNNING, CLOSED }

    private final Builder config;
    private final Object lock = new Object();
    private State state = State.NEW;
    private GuardedServerContainer container;
    private volatile int port = -1;

    private GuardedServer(Builder config) {
        this.config = config;
    }

    /** A builder with the defaults: host {@code 127.0.0.1}, port 0, context path {@code "/"}. */
    public static Builder builder() {
        return Builder.DEFAULTS;
    }

    /**
     * Deploys every endpoint, then binds and starts listening.
     *
     * @throws DeploymentException if any endpoint fails to deploy; nothing is bound then
     * @throws IOException if the address cannot be bound
     * @throws IllegalStateException if this server was already started or closed
     */
    public void start() throws DeploymentException, IOException {
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException("GuardedServer can be started once; state is " + state);
            }
            // A failed start still counts: the container cannot be reused.
            state = State.CLOSED;
            GuardedServerContainer candidate = new GuardedServerContainer(config.host, config.contextPath,
                    config.endpointClasses, config.endpointConfigs, config.httpHandlers, config.maxMessageBytes);
            try {
                candidate.start(config.contextPath, config.port);
            } catch (RuntimeException e) {
                candidate.stop();
                throw new DeploymentException("WebSocket server failed to start", e);
            }
            container = candidate;
            port = candidate.getPort();
            state = State.RUNNING;
            warnAboutLowerTyrusLimits(config.endpointClasses, config.maxMessageBytes);
            if (isWildcard(config.host)) {
                LOG.log(Level.WARNING, "WebSocket server listens on every interface ({0}:{1,number,#})",
                        config.host, port);
            }
            LOG.log(Level.INFO, "WebSocket server listening on {0}", uri("/"));
        }
    }

    /**
     * The port actually bound, useful when {@link Builder#port(int)} was 0.
     *
     * @throws IllegalStateException if the server is not running
     */
    public int port() {
        int bound = port;
        if (bound < 0) {
            throw new IllegalStateException("GuardedServer is not running");
        }
        return bound;
    }

    /**
     * The {@code ws://} address of an endpoint path under the context path, for example {@code uri("/chat")} gives
     * {@code ws://127.0.0.1:8025/chat} with context path {@code "/"}. IPv6 hosts appear in brackets.
     *
     * @param path the endpoint path, as in {@code @ServerEndpoint}; a missing leading slash is added
     * @throws IllegalStateException if the server is not running
     */
    public URI uri(String path) {
        Objects.requireNonNull(path, "path");
        String endpointPath = path.startsWith("/") ? path : "/" + path;
        String fullPath = "/".equals(config.contextPath) ? endpointPath : config.contextPath + endpointPath;
        try {
            return new URI("ws", null, config.host, port(), fullPath, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Not a valid endpoint path: " + path, e);
        }
    }

    /** The cap on one incoming message's payload, in bytes; see {@link Builder#maxMessageBytes(int)}. */
    public int maxMessageBytes() {
        return config.maxMessageBytes;
    }

    /** Stops listening and closes every connection. Idempotent; a server that never started is just marked closed. */
    @Override
    public void close() {
        GuardedServerContainer running;
        synchronized (lock) {
            if (state == State.CLOSED && container == null) {
                return;
            }
            running = container;
            container = null;
            port = -1;
            state = State.CLOSED;
        }
        if (running != null) {
            running.stop();
        }
    }

    /**
     * A {@code maxMessageSize} below the cap is enforced by Tyrus after buffering, with its 1009 close that leaks
     * the session on endpoints with {@code @OnError}: say so at start-up rather than leave the endpoint exposed.
     */
    private static void warnAboutLowerTyrusLimits(Set<Class<?>> endpointClasses, int maxMessageBytes) {
        for (Class<?> endpointClass : endpointClasses) {
            for (Method method : endpointClass.getMethods()) {
                OnMessage onMessage = method.getAnnotation(OnMessage.class);
                if (onMessage != null && onMessage.maxMessageSize() >= 0
                        && onMessage.maxMessageSize() < maxMessageBytes) {
                    LOG.log(Level.WARNING, "{0}.{1} declares maxMessageSize {2,number,#}, below maxMessageBytes "
                            + "{3,number,#}: Tyrus enforces it only after buffering the message and may keep every "
                            + "session it closes that way; lower maxMessageBytes instead",
                            endpointClass.getName(), method.getName(), onMessage.maxMessageSize(), maxMessageBytes);
                }
            }
        }
    }

    private static boolean isWildcard(String host) {
        try {
            return InetAddress.getByName(host).isAnyLocalAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * Immutable configuration for a {@link GuardedServer}: every setter returns a new builder and validates its
     * argument at once, so a builder can be shared and used as a template. Defaults: host {@code 127.0.0.1}, port 0,
     * context path {@code "/"}, no endpoints, no HTTP handlers, messages up to 64 KiB. Immutable and thread-safe.
     */
    public static final class Builder {

        private static final Builder DEFAULTS = new Builder("127.0.0.1", 0, "/", Set.of(), List.of(), Map.of(),
                DEFAULT_MAX_MESSAGE_BYTES);

        private final String host;
        private final int port;
        private final String contextPath;
        private final Set<Class<?>> endpointClasses;
        private final List<ServerEndpointConfig> endpointConfigs;
        private final Map<String, HttpHandler> httpHandlers;
        private final int maxMessageBytes;

        private Builder(String host, int port, String contextPath, Set<Class<?>> endpointClasses,
                List<ServerEndpointConfig> endpointConfigs, Map<String, HttpHandler> httpHandlers,
                int maxMessageBytes) {
            this.host = host;
            this.port = port;
            this.contextPath = contextPath;
            this.endpointClasses = endpointClasses;
            this.endpointConfigs = endpointConfigs;
            this.httpHandlers = httpHandlers;
            this.maxMessageBytes = maxMessageBytes;
        }

        /**
         * The one address to bind: an IP literal ({@code 127.0.0.1}, {@code ::1}, {@code [::1]}) or a host name,
         * which binds the first address it resolves to. {@code 0.0.0.0} binds every interface and is logged as a
         * warning at start. Default {@code 127.0.0.1}.
         */
        public Builder host(String host) {
            Objects.requireNonNull(host, "host");
            String bare = host.strip();
            if (bare.startsWith("[") && bare.endsWith("]")) {
                bare = bare.substring(1, bare.length() - 1);
            }
            if (bare.isEmpty()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            return new Builder(bare, port, contextPath, endpointClasses, endpointConfigs, httpHandlers,
                    maxMessageBytes);
        }

        /** The port to bind, 0 to 65535; 0 (the default) picks a free one, see {@link GuardedServer#port()}. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0..65535: " + port);
            }
            return new Builder(host, port, contextPath, endpointClasses, endpointConfigs, httpHandlers,
                    maxMessageBytes);
        }

        /**
         * The path every endpoint is deployed under, starting with {@code /}; a trailing slash is dropped.
         * Default {@code "/"}.
         */
        public Builder contextPath(String contextPath) {
            Objects.requireNonNull(contextPath, "contextPath");
            if (!contextPath.startsWith("/") || contextPath.contains("*") || contextPath.contains("//")) {
                throw new IllegalArgumentException("contextPath must start with '/' and contain no '*' or '//': "
                        + contextPath);
            }
            String normalized = contextPath.length() > 1 && contextPath.endsWith("/")
                    ? contextPath.substring(0, contextPath.length() - 1)
                    : contextPath;
            return new Builder(host, port, normalized, endpointClasses, endpointConfigs, httpHandlers,
                    maxMessageBytes);
        }

        /**
         * Adds an annotated endpoint class.
         *
         * @throws IllegalArgumentException if the class does not carry {@link ServerEndpoint}
         */
        public Builder endpoint(Class<?> endpointClass) {
            Objects.requireNonNull(endpointClass, "endpointClass");
            if (!endpointClass.isAnnotationPresent(ServerEndpoint.class)) {
                throw new IllegalArgumentException(endpointClass.getName()
                        + " is not annotated with @ServerEndpoint; pass a ServerEndpointConfig instead");
            }
            Set<Class<?>> classes = new LinkedHashSet<>(endpointClasses);
            classes.add(endpointClass);
            return new Builder(host, port, contextPath, Collections.unmodifiableSet(classes), endpointConfigs,
                    httpHandlers, maxMessageBytes);
        }

        /** Adds a programmatic endpoint. */
        public Builder endpoint(ServerEndpointConfig endpointConfig) {
            Objects.requireNonNull(endpointConfig, "endpointConfig");
            List<ServerEndpointConfig> configs = new ArrayList<>(endpointConfigs);
            configs.add(endpointConfig);
            return new Builder(host, port, contextPath, endpointClasses, List.copyOf(configs), httpHandlers,
                    maxMessageBytes);
        }

        /**
         * Serves plain HTTP requests (those without {@code Upgrade: websocket}, or for a path no endpoint claims)
         * for {@code path} and everything below it. The path is taken from the server root, not from the context
         * path. Requests no handler claims get an empty {@code 404}; {@code "/"} replaces that fallback.
         *
         * @throws IllegalArgumentException if the path does not start with {@code /}, contains {@code *}, or
         *     already has a handler
         */
        public Builder httpHandler(String path, HttpHandler handler) {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(handler, "handler");
            if (!path.startsWith("/") || path.contains("*")) {
                throw new IllegalArgumentException("handler path must start with '/' and contain no '*': " + path);
            }
            String normalized = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            if (httpHandlers.containsKey(normalized)) {
                throw new IllegalArgumentException("a handler is already registered for " + normalized);
            }
            Map<String, HttpHandler> handlers = new LinkedHashMap<>(httpHandlers);
            handlers.put(normalized, handler);
            return new Builder(host, port, contextPath, endpointClasses, endpointConfigs,
                    Collections.unmodifiableMap(handlers), maxMessageBytes);
        }

        /**
         * The most payload one WebSocket message may carry, in bytes: the sum of its fragments. Applies to every
         * endpoint of the server, text and binary alike; control frames have their own 125-byte limit.
         *
         * <p>The cap is checked on each frame header as it arrives. A header announcing a payload that would take its
         * message over the cap gets a close frame {@code 1009 "message too big"} and the connection is closed: the
         * payload is never read into memory, and a client streaming 50 MB is cut off after about the cap. The
         * endpoint's {@code @OnClose} still runs once, with the code Tyrus reports for a connection lost under it,
         * {@code 1006 CLOSED_ABNORMALLY} (not {@code 1009}), and the session leaves {@code getOpenSessions()}.
         * Tyrus's own limits are set to match (incoming frame buffer, default text and binary message buffers), so
         * Tyrus never buffers more than about the cap plus one 64 KiB read per connection. Keep
         * {@code @OnMessage(maxMessageSize)} and {@code Session.setMaxText/BinaryMessageBufferSize} unset or at least
         * this large: a message refused by Tyrus's own checks instead is closed with 1009 by Tyrus, after buffering,
         * and on an endpoint with {@code @OnError} Tyrus keeps every session it closes that way. Large caps cost
         * more than their size while a frame arrives: Tyrus copies an unfinished frame on every read (about 9 MB
         * allocated for a 1 MB frame).
         *
         * <p>Default {@value GuardedServer#DEFAULT_MAX_MESSAGE_BYTES} (64 KiB).
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxMessageBytes(int maxMessageBytes) {
            if (maxMessageBytes <= 0) {
                throw new IllegalArgumentException("maxMessageBytes must be positive: " + maxMessageBytes);
            }
            return new Builder(host, port, contextPath, endpointClasses, endpointConfigs, httpHandlers,
                    maxMessageBytes);
        }

        /** A new, not yet started server with this configuration. */
        public GuardedServer build() {
            return new GuardedServer(this);
        }
    }
}
