package dev.wsguard.tyrus;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;

import org.glassfish.tyrus.core.HandshakeException;
import org.glassfish.tyrus.spi.UpgradeResponse;

/** Endpoints and configurators shared by the tests. */
final class TestEndpoints {

    @ServerEndpoint("/echo")
    public static class Echo {
        @OnMessage
        public String echo(String message) {
            return message;
        }
    }

    /** Answers every message with whether the session runs over TLS, as the server sees it. */
    @ServerEndpoint("/secure")
    public static class SecureProbe {
        @OnMessage
        public String probe(String message, Session session) {
            return message + ":" + session.isSecure();
        }
    }

    /** Refuses every handshake the way a token check should: 401, bearer challenge, no 101 headers. */
    @ServerEndpoint(value = "/denied", configurator = DenyingConfigurator.class)
    public static class Denied {
        @OnMessage
        public String echo(String message) {
            return message;
        }
    }

    public static class DenyingConfigurator extends ServerEndpointConfig.Configurator {
        static final AtomicInteger HANDSHAKES = new AtomicInteger();

        @Override
        public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request,
                jakarta.websocket.HandshakeResponse response) {
            HANDSHAKES.incrementAndGet();
            response.getHeaders().remove("Upgrade");
            response.getHeaders().remove("Connection");
            response.getHeaders().remove("Sec-WebSocket-Accept");
            response.getHeaders().put("WWW-Authenticate", List.of("Bearer"));
            throw sneaky(new HandshakeException(401, "token expired for alice"));
        }
    }

    /** Refuses with 401 but leaves the 101 headers Tyrus already put in the response. */
    @ServerEndpoint(value = "/careless", configurator = CarelessConfigurator.class)
    public static class Careless {
        @OnMessage
        public String echo(String message) {
            return message;
        }
    }

    public static class CarelessConfigurator extends ServerEndpointConfig.Configurator {
        @Override
        public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request,
                jakarta.websocket.HandshakeResponse response) {
            throw sneaky(new HandshakeException(401, "detail that must not reach the wire"));
        }
    }

    /** Rejects the wrong way, by status alone: Tyrus still opens the session behind the 401. */
    @ServerEndpoint(value = "/status-only", configurator = StatusOnlyConfigurator.class)
    public static class StatusOnly {
        static final AtomicInteger MESSAGES = new AtomicInteger();

        @OnMessage
        public String echo(String message) {
            MESSAGES.incrementAndGet();
            return message;
        }
    }

    public static class StatusOnlyConfigurator extends ServerEndpointConfig.Configurator {
        @Override
        public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request,
                jakarta.websocket.HandshakeResponse response) {
            ((UpgradeResponse) response).setStatus(401);
        }
    }

    @ServerEndpoint(value = "/origin", configurator = NoOriginConfigurator.class)
    public static class OriginChecked {
        @OnMessage
        public String echo(String message) {
            return message;
        }
    }

    public static class NoOriginConfigurator extends ServerEndpointConfig.Configurator {
        @Override
        public boolean checkOrigin(String originHeaderValue) {
            return false;
        }
    }

    @ServerEndpoint(value = "/broken", configurator = BrokenConfigurator.class)
    public static class Broken {
        @OnMessage
        public String echo(String message) {
            return message;
        }
    }

    public static class BrokenConfigurator extends ServerEndpointConfig.Configurator {
        public BrokenConfigurator() {
            throw new IllegalStateException("configurator cannot start");
        }
    }

    /** A programmatic echo endpoint, deployed through a {@link ServerEndpointConfig}. */
    public static class ProgrammaticEcho extends Endpoint {
        @Override
        public void onOpen(Session session, EndpointConfig config) {
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) message ->
                    session.getAsyncRemote().sendText("programmatic:" + message));
        }
    }

    /** Lets a checked exception through an override that cannot declare it. */
    @SuppressWarnings("unchecked")
    static <T extends Throwable> RuntimeException sneaky(Throwable throwable) throws T {
        throw (T) throwable;
    }

    private TestEndpoints() {
    }
}
