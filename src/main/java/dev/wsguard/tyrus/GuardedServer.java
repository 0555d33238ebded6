package dev.wsguard.tyrus;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import javax.net.ssl.SSLContext;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.OnMessage;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;

import org.glassfish.grizzly.http.server.HttpHandler;

/**
 * A standalone Tyrus WebSocket server that binds only the address it is given, serves {@code wss://} when given a
 * keystore, times out unfinished handshakes, closes the connection after a refused handshake and caps the size of
 * incoming messages. Use it instead of {@code org.glassfish.tyrus.server.Server}.
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
 *   <li><b>Messages around the guard.</b> An endpoint whose {@code @ServerEndpoint} names a
 *       {@link dev.wsguard.WsGuardConfigurator} is read and checked at deployment; a standard one (its own
 *       {@code @OnMessage}) is deployed wrapped, so that every frame reaches wsguard's checks before its methods, and
 *       one whose messages could bypass them fails {@link #start()}.</li>
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
 *   <li><b>Slowloris.</b> Tyrus never times out a connection before its upgrade: a client trickling one byte of a
 *       request now and then holds its socket for good. Here a connection that has not completed its handshake (or
 *       a plain HTTP request) within {@link Builder#handshakeTimeout(Duration) handshakeTimeout} (default 10 s,
 *       TLS handshake included) is closed without an answer; upgraded sessions are not subject to it.</li>
 *   <li><b>Abandoned sessions.</b> {@link Builder#idleTimeout(Duration) idleTimeout} closes sessions that receive
 *       nothing for that long (close {@code 1000}); off by default, as in Tyrus.</li>
 *   <li><b>Slow readers.</b> A guarded session shed by {@link dev.wsguard.Outbound} (its queue passed
 *       {@code wsguard.outbound.*}) or by the keep-alive has its connection dropped at once: a close frame alone
 *       would wait behind the data it never reads, and that data would stay in the heap.</li>
 *   <li><b>Eavesdropping and tampering.</b> With {@link Builder#tls(Path, char[]) tls} (PKCS12) or
 *       {@link Builder#tlsPem(Path, Path) tlsPem} (PEM key and certificates) the listener speaks only
 *       TLS 1.3 and 1.2 ({@code wss://}), and every 101 carries {@code Strict-Transport-Security: max-age=31536000}.
 *       Without it, {@link #start()} refuses any host but loopback unless
 *       {@link Builder#allowPlainText(boolean) allowPlainText} says a TLS proxy is in front; plain text is logged as
 *       a warning in every case.</li>
 *   <li><b>Compression bombs and compression side channels.</b> No WebSocket extension is installed: a client
 *       offering {@code permessage-deflate} gets a 101 without {@code Sec-WebSocket-Extensions} and every frame is
 *       sent and read uncompressed, so the message cap counts real bytes and secrets are never compressed next to
 *       attacker-chosen text (CRIME/BREACH-style length leaks).</li>
 * </ul>
 *
 * <p>Defaults: host {@code 127.0.0.1}, port {@code 0} (any free port, see {@link #port()}), context path
 * {@code "/"}, no endpoints, no HTTP handlers, messages up to 64 KiB, handshake timeout 10 s, no idle timeout, no
 * TLS (plain text on loopback only, logged as a warning), no extensions.
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

    /** The default {@linkplain Builder#handshakeTimeout(Duration) bound on an unfinished handshake}: 10 s. */
    public static final int DEFAULT_HANDSHAKE_TIMEOUT_SECONDS = 10;

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
     * @throws IllegalStateException if this server was already started or closed, or if it has no TLS and its host
     *     is not a loopback address while {@link Builder#allowPlainText(boolean)} is off; nothing is bound then
     */
    public void start() throws DeploymentException, IOException {
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException("GuardedServer can be started once; state is " + state);
            }
            refusePlainTextOffLoopback();
            // A failed start still counts: the container cannot be reused.
            state = State.CLOSED;
            GuardedServerContainer candidate = new GuardedServerContainer(config.host, config.contextPath,
                    config.endpointClasses, config.endpointConfigs, config.httpHandlers, config.maxMessageBytes,
                    config.handshakeTimeout.toMillis(), config.idleTimeout.toMillis(), config.sslContext,
                    config.socketSendBuffer, config.selectorThreads);
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
     * Without TLS, tokens and messages cross the network in clear: allowed on loopback, where they never leave the
     * machine, and elsewhere only when the builder says so explicitly. Either way the choice is logged.
     */
    private void refusePlainTextOffLoopback() {
        if (config.sslContext != null) {
            return;
        }
        if (isLoopback(config.host)) {
            LOG.log(Level.WARNING, "WebSocket server on {0} speaks plain text (ws://): loopback only, configure "
                    + "tls(...) before exposing it", config.host);
        } else if (config.allowPlainText) {
            LOG.log(Level.WARNING, "WebSocket server on {0} speaks plain text (ws://) off loopback "
                    + "(allowPlainText): tokens and messages are readable on the network unless a TLS proxy is "
                    + "in front", config.host);
        } else {
            throw new IllegalStateException("Refusing plain-text ws:// on non-loopback host " + config.host
                    + ": configure tls(keystore, password), or allowPlainText(true) behind a TLS-terminating proxy");
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
     * {@code ws://127.0.0.1:8025/chat} with context path {@code "/"}; {@code wss://} when
     * {@link Builder#tls(Path, char[]) tls} is set. IPv6 hosts appear in brackets.
     *
     * @param path the endpoint path, as in {@code @ServerEndpoint}; a missing leading slash is added
     * @throws IllegalStateException if the server is not running
     */
    public URI uri(String path) {
        Objects.requireNonNull(path, "path");
        String endpointPath = path.startsWith("/") ? path : "/" + path;
        String fullPath = "/".equals(config.contextPath) ? endpointPath : config.contextPath + endpointPath;
        try {
            return new URI(config.sslContext != null ? "wss" : "ws", null, config.host, port(), fullPath, null, null);
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

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
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
     * context path {@code "/"}, no endpoints, no HTTP handlers, messages up to 64 KiB, handshake timeout 10 s, no
     * idle timeout, no TLS, plain text refused off loopback. Immutable and thread-safe.
     */
    public static final class Builder {

        private static final Builder DEFAULTS = new Builder(new Draft());

        private final String host;
        private final int port;
        private final String contextPath;
        private final Set<Class<?>> endpointClasses;
        private final List<ServerEndpointConfig> endpointConfigs;
        private final Map<String, HttpHandler> httpHandlers;
        private final int maxMessageBytes;
        private final Duration handshakeTimeout;
        private final Duration idleTimeout;
        private final SSLContext sslContext;
        private final boolean allowPlainText;
        private final int socketSendBuffer;
        private final int selectorThreads;

        private Builder(Draft draft) {
            this.host = draft.host;
            this.port = draft.port;
            this.contextPath = draft.contextPath;
            this.endpointClasses = draft.endpointClasses;
            this.endpointConfigs = draft.endpointConfigs;
            this.httpHandlers = draft.httpHandlers;
            this.maxMessageBytes = draft.maxMessageBytes;
            this.handshakeTimeout = draft.handshakeTimeout;
            this.idleTimeout = draft.idleTimeout;
            this.sslContext = draft.sslContext;
            this.allowPlainText = draft.allowPlainText;
            this.socketSendBuffer = draft.socketSendBuffer;
            this.selectorThreads = draft.selectorThreads;
        }

        /** A mutable copy of this builder's settings; each setter changes one and freezes it into a new builder. */
        private Draft draft() {
            Draft draft = new Draft();
            draft.host = host;
            draft.port = port;
            draft.contextPath = contextPath;
            draft.endpointClasses = endpointClasses;
            draft.endpointConfigs = endpointConfigs;
            draft.httpHandlers = httpHandlers;
            draft.maxMessageBytes = maxMessageBytes;
            draft.handshakeTimeout = handshakeTimeout;
            draft.idleTimeout = idleTimeout;
            draft.sslContext = sslContext;
            draft.allowPlainText = allowPlainText;
            draft.socketSendBuffer = socketSendBuffer;
            draft.selectorThreads = selectorThreads;
            return draft;
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
            Draft draft = draft();
            draft.host = bare;
            return new Builder(draft);
        }

        /** The port to bind, 0 to 65535; 0 (the default) picks a free one, see {@link GuardedServer#port()}. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0..65535: " + port);
            }
            Draft draft = draft();
            draft.port = port;
            return new Builder(draft);
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
            Draft draft = draft();
            draft.contextPath = normalized;
            return new Builder(draft);
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
            Draft draft = draft();
            draft.endpointClasses = Collections.unmodifiableSet(classes);
            return new Builder(draft);
        }

        /** Adds a programmatic endpoint. */
        public Builder endpoint(ServerEndpointConfig endpointConfig) {
            Objects.requireNonNull(endpointConfig, "endpointConfig");
            List<ServerEndpointConfig> configs = new ArrayList<>(endpointConfigs);
            configs.add(endpointConfig);
            Draft draft = draft();
            draft.endpointConfigs = List.copyOf(configs);
            return new Builder(draft);
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
            Draft draft = draft();
            draft.httpHandlers = Collections.unmodifiableMap(handlers);
            return new Builder(draft);
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
            Draft draft = draft();
            draft.maxMessageBytes = maxMessageBytes;
            return new Builder(draft);
        }

        /**
         * How long a connection may take to complete its WebSocket handshake, or a plain HTTP request, counted from
         * the TCP accept (with TLS: the TLS handshake included).
         *
         * <p>Threat: slowloris. Tyrus's standalone server never times out a connection before the upgrade, so a
         * client that sends half a request line and then one byte every few seconds holds a socket and its buffers
         * for as long as it likes; a few thousand such clients exhaust file descriptors. Answer: the connection is
         * closed when the bound passes, however many bytes trickle in meanwhile (no HTTP response: the client never
         * sent a request to answer). Once the 101 leaves, the connection is a WebSocket and this bound no longer
         * applies (see {@link #idleTimeout(Duration)} for quiet sessions). While the application handles a complete
         * plain HTTP request the bound is suspended; after the answer the connection gets the same bound again for
         * its next request, so an idle keep-alive connection is closed after it too. Deadlines are checked by one
         * timer thread per server, every tenth of the bound (at least every 1 s, at most every 50 ms): a
         * connection is closed between the bound and the bound plus that interval.
         *
         * <p>Default {@value GuardedServer#DEFAULT_HANDSHAKE_TIMEOUT_SECONDS} s.
         *
         * @throws IllegalArgumentException if not positive or longer than a day
         */
        public Builder handshakeTimeout(Duration handshakeTimeout) {
            Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
            if (handshakeTimeout.compareTo(Duration.ofMillis(1)) < 0
                    || handshakeTimeout.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("handshakeTimeout must be between 1 ms and 1 day: "
                        + handshakeTimeout);
            }
            Draft draft = draft();
            draft.handshakeTimeout = handshakeTimeout;
            return new Builder(draft);
        }

        /**
         * How long an open WebSocket session may stay without an incoming message before the server closes it:
         * Tyrus's default max idle timeout for every session ({@code Session.getMaxIdleTimeout()}), which an
         * endpoint may still change per session with {@code Session.setMaxIdleTimeout}.
         *
         * <p>Threat: sessions abandoned by clients that vanished without a close (a dropped mobile link, a killed
         * process behind a NAT that never sends a RST) or opened only to hold server memory (about 16 KB of heap
         * each). Answer: the session is closed after the bound without an incoming message; the timer restarts on
         * every message the client sends. The client gets close code {@code 1000}; the endpoint's {@code @OnClose}
         * sees {@code 1006}.
         *
         * <p>Default: none, {@link Duration#ZERO}: sessions never time out (Tyrus's own default). Pass
         * {@code Duration.ZERO} to switch a configured timeout off again.
         *
         * @throws IllegalArgumentException if negative, positive but under 1 ms, or over 365 days
         */
        public Builder idleTimeout(Duration idleTimeout) {
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            // A positive value under 1 ms would round to Tyrus's 0, "never": refuse it rather than switch off.
            if (idleTimeout.isNegative() || idleTimeout.compareTo(Duration.ofDays(365)) > 0
                    || (!idleTimeout.isZero() && idleTimeout.toMillis() < 1)) {
                throw new IllegalArgumentException("idleTimeout must be zero (none) or between 1 ms and 365 days: "
                        + idleTimeout);
            }
            Draft draft = draft();
            draft.idleTimeout = idleTimeout;
            return new Builder(draft);
        }

        /**
         * Serves {@code wss://} (and {@code https://} for the HTTP handlers) on the listener, with the private key
         * and certificate chain of a PKCS12 keystore. TLS 1.3 and TLS 1.2 only; plain text on the same port fails
         * the TLS handshake and is closed. Every 101 answer carries
         * {@code Strict-Transport-Security: max-age=31536000}. {@link GuardedServer#uri(String)} gives
         * {@code wss://} addresses.
         *
         * <p>Threat: tokens, cookies and messages readable and alterable on the network, which is why
         * {@link GuardedServer#start()} refuses plain text on anything but a loopback address. The keystore is read
         * here, at once: a missing file, a wrong password or a keystore without a private key fails this call, not
         * a later start. The password is not kept; the caller may clear its array afterwards.
         *
         * <p>Default: no TLS ({@code ws://}), allowed on loopback only (see {@link #allowPlainText(boolean)}).
         *
         * @param pkcs12Keystore a PKCS12 file holding one private key entry with its certificate chain
         * @param password the keystore's password, also used for the key
         * @throws IllegalArgumentException if the keystore cannot be read or holds no private key
         */
        public Builder tls(Path pkcs12Keystore, char[] password) {
            Objects.requireNonNull(pkcs12Keystore, "pkcs12Keystore");
            Objects.requireNonNull(password, "password");
            Draft draft = draft();
            draft.sslContext = TlsContexts.fromPkcs12(pkcs12Keystore, password);
            return new Builder(draft);
        }

        /**
         * Serves {@code wss://} like {@link #tls(Path, char[])}, with the key and certificates as PEM files (as
         * issued by ACME clients such as certbot). Both files are read here, at once: a missing file, a key that is
         * not an unencrypted PKCS#8 {@code PRIVATE KEY} (RSA, EC or EdDSA; convert others with
         * {@code openssl pkcs8 -topk8 -nocrypt}), no certificate, or a key that does not belong to the first
         * certificate fails this call.
         *
         * @param privateKeyPem   the private key, {@code -----BEGIN PRIVATE KEY-----}
         * @param certificatesPem the certificate chain, the server's certificate first
         * @throws IllegalArgumentException if the files cannot be read or do not form a usable key and chain
         */
        public Builder tlsPem(Path privateKeyPem, Path certificatesPem) {
            Objects.requireNonNull(privateKeyPem, "privateKeyPem");
            Objects.requireNonNull(certificatesPem, "certificatesPem");
            Draft draft = draft();
            draft.sslContext = TlsContexts.fromPem(privateKeyPem, certificatesPem);
            return new Builder(draft);
        }

        /**
         * Allows plain-text {@code ws://} on an address other than loopback. Without TLS, {@link GuardedServer#start()}
         * refuses a non-loopback host (a wildcard address included) with an {@link IllegalStateException}, because
         * bearer tokens and messages would cross the network readable by anyone on the path. Set this only when a
         * TLS-terminating proxy on a trusted network sits in front; a {@code WARNING} is logged at every start that
         * uses it. Plain text on loopback ({@code 127.0.0.1}, {@code ::1}, {@code localhost}) needs no permission and
         * is logged as a {@code WARNING} too. Default {@code false}.
         */
        public Builder allowPlainText(boolean allowPlainText) {
            Draft draft = draft();
            draft.allowPlainText = allowPlainText;
            return new Builder(draft);
        }

        /**
         * Fixes the kernel's send buffer ({@code SO_SNDBUF}) of every accepted connection, which also turns off its
         * autotuning. What a client does not read waits first in this buffer (kernel memory, outside the heap and
         * outside {@code wsguard.outbound.*}), then in the server's write queue. With autotuning, one non-reading
         * connection on loopback took about 1.4 MB of kernel memory here; on a real link it takes far less. Set
         * it when many slow clients are expected and kernel memory matters more than throughput per connection.
         * Default {@code 0}: the operating system decides.
         *
         * @param bytes at least 4096, or 0 for the operating system's default
         */
        public Builder socketSendBuffer(int bytes) {
            if (bytes != 0 && bytes < 4096) {
                throw new IllegalArgumentException("socketSendBuffer must be 0 or at least 4096: " + bytes);
            }
            Draft draft = draft();
            draft.socketSendBuffer = bytes;
            return new Builder(draft);
        }

        /**
         * How many threads wait for socket readiness. They only wait and hand each event to a worker thread (where
         * the guard, Tyrus and the endpoint's methods run, so a slow endpoint never stalls them), so fewer of them
         * cost fewer thread wake-ups and hand-offs. Default: half the available processors, at least
         * one, as Jetty's default for its selectors (Grizzly's own default is one per processor plus one). On 2 cores,
         * one selector thread instead of three cut the server's CPU per handshake and per message by about a sixth;
         * while one client flooded connection attempts, the other clients' p99 was 2.3 ms with one selector thread and
         * 1.5 ms with two. Set 2 or more where that tail matters more than about 6 % of CPU per handshake
         * (docs/benchmarks.md).
         *
         * @param threads at least 1
         */
        public Builder selectorThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("selectorThreads must be at least 1: " + threads);
            }
            Draft draft = draft();
            draft.selectorThreads = threads;
            return new Builder(draft);
        }

        /** A new, not yet started server with this configuration. */
        public GuardedServer build() {
            return new GuardedServer(this);
        }

        /** Half the available processors, at least one. */
        static int defaultSelectorThreads() {
            return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        }

        /** The settings of a builder being derived; never shared, frozen into final fields by the constructor. */
        private static final class Draft {
            String host = "127.0.0.1";
            int port;
            String contextPath = "/";
            Set<Class<?>> endpointClasses = Set.of();
            List<ServerEndpointConfig> endpointConfigs = List.of();
            Map<String, HttpHandler> httpHandlers = Map.of();
            int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
            Duration handshakeTimeout = Duration.ofSeconds(DEFAULT_HANDSHAKE_TIMEOUT_SECONDS);
            Duration idleTimeout = Duration.ZERO;
            SSLContext sslContext;
            boolean allowPlainText;
            int socketSendBuffer;
            int selectorThreads = defaultSelectorThreads();
        }
    }
}
