package dev.wsguard.tyrus;

import dev.wsguard.GuardConfigException;
import dev.wsguard.WsGuardConfigurator;
import dev.wsguard.internal.FrameSizeTracker;
import dev.wsguard.internal.GuardAccess;
import dev.wsguard.internal.HandshakeGuard;
import dev.wsguard.internal.Timers;
import dev.wsguard.internal.TransportLink;
import dev.wsguard.internal.message.AnnotatedEndpointAdapter;
import dev.wsguard.internal.message.EndpointModel;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;

import org.glassfish.grizzly.filterchain.Filter;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.http.server.ServerConfiguration;
import org.glassfish.grizzly.ssl.SSLEngineConfigurator;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;
import org.glassfish.grizzly.utils.DelayedExecutor;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

/**
 * The Tyrus server container behind {@link GuardedServer}: Tyrus's own engine and WebSocket filter on a Grizzly
 * listener that binds the configured host only, with one filter of wsguard's next to the Tyrus filter,
 * {@link FrameGuardFilter}, which also ends the connection after a refused upgrade ({@link RejectedUpgradeFilter})
 * and bounds the time to the upgrade ({@link HandshakeTimeoutFilter}, which escapes the {@code Origin} header too,
 * see {@link OriginHeaderFilter}); a {@link BannedAddressFilter} right after the transport where guards are deployed,
 * and a {@link StrictTransportSecurityFilter} right after the HTTP codec with TLS. Tyrus's own size limits (incoming
 * frame buffer, default text and binary message buffers) follow the message cap, so that the filter, not Tyrus,
 * refuses an oversized message.
 *
 * <p>Tyrus's built-in Grizzly container binds first and deploys while already accepting connections; this one
 * deploys every endpoint before it binds, so a deployment failure never opens a listening socket at all. Start and
 * stop are called by {@link GuardedServer} under its lock.
 */
final class GuardedServerContainer extends TyrusServerContainer {

    private static final String LISTENER_NAME = "wsguard";

    /** TLS 1.3 and 1.2 only: everything older has known downgrade and padding attacks. */
    static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /**
     * The most one socket read hands to Tyrus. Tyrus keeps an unfinished frame and appends the next read to it, so
     * its incoming buffer must hold one frame (header and payload, at most the message cap) plus one read.
     */
    static final int READ_BUFFER_BYTES = 64 * 1024;

    private final WebSocketEngine engine;
    private final int maxMessageBytes;
    private final String host;
    private final String contextPath;
    private final List<ServerEndpointConfig> endpointConfigs;
    private final Map<String, HttpHandler> httpHandlers;
    private final long handshakeTimeoutMillis;
    private final SSLContext sslContext;
    private final int socketSendBuffer;
    private final int selectorThreads;

    /** The configurators of the guarded endpoints, one each, closed with the server. */
    private final List<ServerEndpointConfig.Configurator> configurators = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<EndpointModel> models = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The handshake guard of every guarded endpoint, annotated or programmatic. */
    private final List<HandshakeGuard> guards = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Whether an endpoint without a guard is deployed (then no connection is dropped at accept). */
    private volatile boolean unguardedDeployed;
    private HttpServer httpServer;
    private DelayedExecutor deadlines;
    private ClosedConnections closedConnections;
    private volatile int boundPort = -1;

    GuardedServerContainer(String host, String contextPath, Set<Class<?>> endpointClasses,
            List<ServerEndpointConfig> endpointConfigs, Map<String, HttpHandler> httpHandlers, int maxMessageBytes,
            long handshakeTimeoutMillis, long idleTimeoutMillis, SSLContext sslContext, int socketSendBuffer,
            int selectorThreads) {
        super(endpointClasses);
        this.maxMessageBytes = maxMessageBytes;
        this.engine = TyrusWebSocketEngine.builder(this)
                .incomingBufferSize(incomingBufferSize(maxMessageBytes))
                .build();
        // Only fragmented messages are assembled in these buffers; a message within the cap always fits.
        setDefaultMaxTextMessageBufferSize(maxMessageBytes);
        setDefaultMaxBinaryMessageBufferSize(maxMessageBytes);
        // 0 is Tyrus's "no idle timeout"; every session starts with this and may change its own.
        setDefaultMaxSessionIdleTimeout(idleTimeoutMillis);
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.sslContext = sslContext;
        this.socketSendBuffer = socketSendBuffer;
        this.selectorThreads = selectorThreads;
        this.host = host;
        this.contextPath = contextPath;
        this.endpointConfigs = endpointConfigs;
        this.httpHandlers = httpHandlers;
    }

    /**
     * Deploys an annotated endpoint. One whose {@code @ServerEndpoint} names a {@link WsGuardConfigurator} must have
     * every message guarded: it is read and checked first ({@link EndpointModel}; a problem fails deployment), then
     * deployed wrapped (both shapes), so that every frame reaches wsguard before the user's methods, with one
     * configurator of its own that {@link #stop()} closes.
     */
    @Override
    public void register(Class<?> endpointClass) throws DeploymentException {
        if (!EndpointModel.namesConfigurator(endpointClass, WsGuardConfigurator.class)) {
            unguardedDeployed = true;
            engine.register(endpointClass, contextPath);
            return;
        }
        EndpointModel model;
        ServerEndpointConfig.Configurator configurator;
        try {
            model = EndpointModel.of(endpointClass);
            configurator = AnnotatedEndpointAdapter.newConfigurator(endpointClass);
        } catch (GuardConfigException e) {
            System.getLogger("dev.wsguard").log(System.Logger.Level.ERROR, "wsguard refuses to deploy "
                    + endpointClass.getName() + ": " + e.getMessage());
            throw new DeploymentException(e.getMessage(), e);
        }
        configurators.add(configurator);
        models.add(model);
        guards.add(GuardAccess.of(configurator));
        engine.register(AnnotatedEndpointAdapter.configFor(model, configurator), contextPath);
    }

    @Override
    public void register(ServerEndpointConfig serverEndpointConfig) throws DeploymentException {
        if (serverEndpointConfig.getConfigurator() instanceof WsGuardConfigurator guarded) {
            guards.add(GuardAccess.of(guarded));
        } else {
            unguardedDeployed = true;
        }
        engine.register(serverEndpointConfig, contextPath);
    }

    /** No Tyrus container properties: every setting this server supports is a builder option. */
    @Override
    public Map<String, Object> getProperties() {
        return Map.of();
    }

    @Override
    public WebSocketEngine getWebSocketEngine() {
        return engine;
    }

    /**
     * Deploys all endpoints, then binds. {@code rootPath} must be the context path this container was built with.
     */
    @Override
    public void start(String rootPath, int port) throws IOException, DeploymentException {
        for (ServerEndpointConfig config : endpointConfigs) {
            addEndpoint(config);
        }
        // Deploys through register(...); on any failure it calls stop() and throws, before anything is bound.
        super.start(rootPath, port);
        try {
            for (ServerEndpointConfig.Configurator configurator : configurators) {
                EndpointModel.checkRateLimits(GuardAccess.of(configurator).context().config(), models);
            }
        } catch (GuardConfigException e) {
            System.getLogger("dev.wsguard").log(System.Logger.Level.ERROR, "wsguard refuses to deploy: "
                    + e.getMessage());
            stop();
            throw new DeploymentException(e.getMessage(), e);
        }

        HttpServer server = new HttpServer();
        NetworkListener listener = new NetworkListener(LISTENER_NAME, host, port);
        listener.getTransport().setIOStrategy(WorkerThreadIOStrategy.getInstance());
        // With the worker-thread strategy a selector thread only waits for readiness and hands each event to a
        // worker; fewer of them than Grizzly's default (one per processor plus one) cost less CPU per event, at some
        // tail latency under a flood (GuardedServer.Builder#selectorThreads, docs/benchmarks.md).
        listener.getTransport().setSelectorRunnersCount(selectorThreads);
        listener.getTransport().setReadBufferSize(READ_BUFFER_BYTES);
        listener.registerAddOn(new WebSocketAddOn(this, contextPath));
        ClosedConnections closed = new ClosedConnections(TransportLink.CLOSE_GRACE_MILLIS);
        DelayedExecutor timer = new DelayedExecutor(timerThread(), checkIntervalMillis(handshakeTimeoutMillis),
                TimeUnit.MILLISECONDS);
        listener.registerAddOn(new FrameGuardAddOn(maxMessageBytes, closed,
                new HandshakeTimeoutFilter(handshakeTimeoutMillis, timer)));
        if (socketSendBuffer > 0) {
            // Only when set: Grizzly keeps state for every filter on every connection for its whole life.
            listener.registerAddOn(afterHttpCodec(new SendBufferFilter(socketSendBuffer)));
        }
        if (!unguardedDeployed && !guards.isEmpty()) {
            listener.registerAddOn(afterTransport(new BannedAddressFilter(guards)));
        }
        if (sslContext != null) {
            listener.setSecure(true);
            listener.setSSLEngineConfig(new SSLEngineConfigurator(sslContext, false, false, false)
                    .setEnabledProtocols(TLS_PROTOCOLS.clone()));
            listener.registerAddOn(afterHttpCodec(new StrictTransportSecurityFilter()));
        }
        server.addListener(listener);

        ServerConfiguration configuration = server.getServerConfiguration();
        configuration.setDefaultErrorPageGenerator(BodylessErrors.INSTANCE);
        httpHandlers.forEach((path, handler) -> configuration.addHttpHandler(handler, mappings(path)));
        if (!httpHandlers.containsKey("/")) {
            configuration.addHttpHandler(new NotFoundHandler(), "/");
        }

        // The transport's own timers (dropping a connection after its close grace) run on wsguard's timer thread,
        // also for endpoints without a guard.
        Timers.retain();
        closed.start();
        try {
            timer.start();
            server.start();
        } catch (IOException | RuntimeException e) {
            server.shutdownNow();
            stopTimer(timer);
            closed.stop();
            Timers.release();
            super.stop();
            throw e;
        }
        httpServer = server;
        deadlines = timer;
        closedConnections = closed;
        boundPort = listener.getPort();
    }

    /**
     * Tyrus closes with 1011 when an unfinished frame plus the next read would exceed this. Every frame that reaches
     * Tyrus carries at most {@code maxMessageBytes} of payload ({@link FrameGuardFilter} refuses longer ones), so
     * this never trips for a client within the cap, and nothing larger is ever buffered.
     */
    static int incomingBufferSize(int maxMessageBytes) {
        long frameAndRead = (long) maxMessageBytes + FrameSizeTracker.MAX_HEADER_BYTES + READ_BUFFER_BYTES;
        return (int) Math.min(Integer.MAX_VALUE - 8, frameAndRead);
    }

    /** Deadlines are checked this often: a tenth of the timeout, between 50 ms and 1 s. */
    static long checkIntervalMillis(long timeoutMillis) {
        return Math.max(50, Math.min(1_000, timeoutMillis / 10));
    }

    private static void stopTimer(DelayedExecutor timer) {
        timer.destroy();
        timer.getThreadPool().shutdownNow();
    }

    private static ExecutorService timerThread() {
        return Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "wsguard-handshake-timeout");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Puts {@code filter} right after Grizzly's HTTP codec, where it sees whole requests and responses (decrypted
     * with TLS) and stays out of the way of the filters that must sit directly in front of Tyrus's.
     */
    private static AddOn afterHttpCodec(Filter filter) {
        return after(org.glassfish.grizzly.http.HttpServerFilter.class, "HTTP codec", filter);
    }

    /** Puts {@code filter} right after the transport, before anything reads the connection's bytes. */
    private static AddOn afterTransport(Filter filter) {
        return after(org.glassfish.grizzly.filterchain.TransportFilter.class, "transport", filter);
    }

    private static AddOn after(Class<? extends Filter> type, String name, Filter filter) {
        return (networkListener, builder) -> {
            int index = builder.indexOfType(type);
            if (index < 0) {
                throw new IllegalStateException(name + " filter not found in the Grizzly filter chain");
            }
            builder.add(index + 1, filter);
        };
    }

    private static String[] mappings(String path) {
        return "/".equals(path) ? new String[] {"/"} : new String[] {path, path + "/*"};
    }

    @Override
    public int getPort() {
        return boundPort;
    }

    @Override
    public void stop() {
        super.stop();
        for (ServerEndpointConfig.Configurator configurator : configurators) {
            if (configurator instanceof WsGuardConfigurator) {
                GuardAccess.of(configurator).close();
            }
        }
        configurators.clear();
        HttpServer server = httpServer;
        DelayedExecutor timer = deadlines;
        ClosedConnections closed = closedConnections;
        httpServer = null;
        deadlines = null;
        closedConnections = null;
        boundPort = -1;
        if (server != null) {
            server.shutdownNow();
        }
        if (timer != null) {
            stopTimer(timer);
            closed.stop();
            Timers.release();
        }
    }
}
