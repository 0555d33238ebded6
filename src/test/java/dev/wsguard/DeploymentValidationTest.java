package dev.wsguard;

import dev.wsguard.testing.chat.TestGuard;
import dev.wsguard.testing.chat.TestMessage;
import dev.wsguard.tyrus.GuardedServer;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.OnMessage;
import jakarta.websocket.server.ServerEndpoint;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A guarded endpoint whose messages could reach user code unchecked never starts. */
class DeploymentValidationTest {

    @ServerEndpoint(value = "/plain", configurator = TestGuard.class)
    public static class PlainOnMessage {
        @OnMessage
        public String message(String text) {
            return text;
        }
    }

    @ServerEndpoint(value = "/binary", configurator = TestGuard.class)
    public static class BinaryBackdoor extends GuardedEndpoint<TestMessage> {
        @OnMessage
        public void binary(ByteBuffer data) {
        }
    }

    @ServerEndpoint(value = "/partial", configurator = TestGuard.class)
    public static class MissingHandlers extends GuardedEndpoint<TestMessage> {
        @Handler
        String ping(TestMessage.Ping ping) {
            return "pong";
        }
    }

    @ServerEndpoint(value = "/open-hook", configurator = TestGuard.class)
    public static class OwnOnOpen extends GuardedEndpoint<TestMessage> {
        @jakarta.websocket.OnOpen
        public void open() {
        }
    }

    @ServerEndpoint(value = "/raw", configurator = TestGuard.class)
    @SuppressWarnings("rawtypes")
    public static class RawFamily extends GuardedEndpoint {
    }

    private static void assertRefused(Class<?> endpoint, String why) {
        GuardedServer server = GuardedServer.builder().endpoint(endpoint).build();
        assertThatThrownBy(server::start).isInstanceOf(DeploymentException.class).hasMessageContaining(why);
        server.close();
    }

    @Test
    void startWhenGuardedEndpointHasPlainOnMessageThenRefused() {
        assertRefused(PlainOnMessage.class, "does not extend GuardedEndpoint");
    }

    @Test
    void startWhenGuardedEndpointAddsBinaryOnMessageThenRefused() {
        assertRefused(BinaryBackdoor.class, "would bypass the guard");
    }

    @Test
    void startWhenMessageTypeHasNoHandlerThenRefused() {
        assertRefused(MissingHandlers.class, "has no @Handler for message type");
    }

    @Test
    void startWhenGuardedEndpointDeclaresOnOpenThenRefused() {
        assertRefused(OwnOnOpen.class, "override opened(Session)");
    }

    @Test
    void startWhenFamilyNotNamedThenRefused() {
        assertRefused(RawFamily.class, "must name its message family");
    }
}
