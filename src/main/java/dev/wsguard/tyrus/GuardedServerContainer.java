package dev.wsguard.tyrus;

import dev.wsguard.GuardConfigException;
import dev.wsguard.WsGuardConfigurator;
import dev.wsguard.internal.message.MessageGuard;
import jakarta.websocket.server.ServerEndpoint;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;

import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.http.server.ServerConfiguration;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

/**
 * The Tyrus server container behind {@link GuardedServer}: Tyrus's own engine and WebSocket filter on a Grizzly
 * listener that binds the configured host only, with {@link RejectedUpgradeFilter} and {@link MaxMessageSizeFilter}
 * next to the Tyrus filter. Tyrus's own size limits (incoming frame buffer, default text and binary message buffers)
 * follow the message cap, so that the filter, not Tyrus, refuses an oversized message.
 *
 * <p>Tyrus's built-in Grizzly container binds first and deploys while already accepting connections; this one
 * deploys every endpoint before it binds, so a deployment failure never opens a listening socket at all. Start and
 * stop are called by {@link GuardedServer} under its lock.
 */
final class GuardedServerContainer extends TyrusServerContainer {

    private static final String LISTENER_NAME = "wsguard";

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

    private HttpServer httpServer;
    private volatile int boundPort = -1;

    GuardedServerContainer(String host, String contextPath, Set<Class<?>> endpointClasses,
            List<ServerEndpointConfig> endpointConfigs, Map<String, HttpHandler> httpHandlers, int maxMessageBytes) {
        super(endpointClasses);
        this.maxMessageBytes = maxMessageBytes;
        this.engine = TyrusWebSocketEngine.builder(this)
                .incomingBufferSize(incomingBufferSize(maxMessageBytes))
                .build();
        // Only fragmented messages are assembled in these buffers; a message within the cap always fits.
        setDefaultMaxTextMessageBufferSize(maxMessageBytes);
        setDefaultMaxBinaryMessageBufferSize(maxMessageBytes);
        this.host = host;
        this.contextPath = contextPath;
        this.endpointConfigs = endpointConfigs;
        this.httpHandlers = httpHandlers;
    }

    @Override
    public void register(Class<?> endpointClass) throws DeploymentException {
        refuseUncheckedMessages(endpointClass);
        engine.register(endpointClass, contextPath);
    }

    /**
     * An endpoint whose handshake wsguard guards must also have every message guarded: refused at deployment when
     * its messages could reach user code unchecked (see {@link MessageGuard#validate}).
     */
    private static void refuseUncheckedMessages(Class<?> endpointClass) throws DeploymentException {
        ServerEndpoint annotation = endpointClass.getAnnotation(ServerEndpoint.class);
        if (annotation == null || !WsGuardConfigurator.class.isAssignableFrom(annotation.configurator())) {
            return;
        }
        try {
            MessageGuard.validate(endpointClass);
        } catch (GuardConfigException e) {
            System.getLogger("dev.wsguard").log(System.Logger.Level.ERROR, "wsguard refuses to deploy "
                    + endpointClass.getName() + ": " + e.getMessage());
            throw new DeploymentException(e.getMessage(), e);
        }
    }

    @Override
    public void register(ServerEndpointConfig serverEndpointConfig) throws DeploymentException {
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

        HttpServer server = new HttpServer();
        NetworkListener listener = new NetworkListener(LISTENER_NAME, host, port);
        listener.getTransport().setIOStrategy(WorkerThreadIOStrategy.getInstance());
        listener.getTransport().setReadBufferSize(READ_BUFFER_BYTES);
        listener.registerAddOn(new WebSocketAddOn(this, contextPath));
        listener.registerAddOn(new RejectedUpgradeAddOn());
        listener.registerAddOn(new MaxMessageSizeAddOn(maxMessageBytes));
        server.addListener(listener);

        ServerConfiguration configuration = server.getServerConfiguration();
        configuration.setDefaultErrorPageGenerator(BodylessErrors.INSTANCE);
        httpHandlers.forEach((path, handler) -> configuration.addHttpHandler(handler, mappings(path)));
        if (!httpHandlers.containsKey("/")) {
            configuration.addHttpHandler(new NotFoundHandler(), "/");
        }

        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            server.shutdownNow();
            super.stop();
            throw e;
        }
        httpServer = server;
        boundPort = listener.getPort();
    }

    /**
     * Tyrus closes with 1011 when an unfinished frame plus the next read would exceed this. Every frame that reaches
     * Tyrus carries at most {@code maxMessageBytes} of payload ({@link MaxMessageSizeFilter} refuses longer ones), so
     * this never trips for a client within the cap, and nothing larger is ever buffered.
     */
    static int incomingBufferSize(int maxMessageBytes) {
        long frameAndRead = (long) maxMessageBytes + FrameSizeTracker.MAX_HEADER_BYTES + READ_BUFFER_BYTES;
        return (int) Math.min(Integer.MAX_VALUE - 8, frameAndRead);
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
        HttpServer server = httpServer;
        httpServer = null;
        boundPort = -1;
        if (server != null) {
            server.shutdownNow();
        }
    }
}
