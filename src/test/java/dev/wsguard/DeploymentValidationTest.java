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
        @OnMessageType
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

    @ServerEndpoint(value = "/partial-text", configurator = TestGuard.class)
    public static class PartialText {
        @OnMessage
        public void message(TestMessage message, boolean last) {
        }
    }

    @ServerEndpoint(value = "/buffered-cap", configurator = TestGuard.class)
    public static class TyrusCap {
        @OnMessage(maxMessageSize = 1000)
        public void message(TestMessage message) {
        }
    }

    @ServerEndpoint(value = "/encoded", configurator = TestGuard.class, encoders = TextEncoder.class)
    public static class WithEncoders {
        @OnMessage
        public void message(TestMessage message) {
        }
    }

    /** Any encoder at all. */
    public static class TextEncoder implements jakarta.websocket.Encoder.Text<Object> {
        @Override
        public String encode(Object object) {
            return "";
        }
    }

    @ServerEndpoint(value = "/lenient", configurator = TestGuard.class, decoders = LenientDecoder.class)
    public static class LenientDecoding {
        @OnMessage
        public void message(TestMessage message) {
        }
    }

    /** A decoder that is not wsguard's strict one. */
    public static class LenientDecoder implements jakarta.websocket.Decoder.Text<TestMessage> {
        @Override
        public TestMessage decode(String s) {
            return new TestMessage.Ping();
        }

        @Override
        public boolean willDecode(String s) {
            return true;
        }
    }

    @ServerEndpoint(value = "/pongs", configurator = TestGuard.class)
    public static class Pongs {
        @OnMessage
        public void message(TestMessage message) {
        }

        @OnMessage
        public void pong(jakarta.websocket.PongMessage pong) {
        }
    }

    @ServerEndpoint(value = "/no-message", configurator = TestGuard.class)
    public static class NoMessage {
        @jakarta.websocket.OnOpen
        public void open() {
        }
    }

    @ServerEndpoint(value = "/bad-limit", configurator = TestGuard.class)
    public static class BadLimit {
        @OnMessage
        @RateLimit(name = "uploads", limitForPeriod = 5, refreshPeriod = "5 seconds")
        @jakarta.annotation.security.PermitAll
        public void binary(ByteBuffer data) {
        }
    }

    @ServerEndpoint(value = "/hidden", configurator = TestGuard.class)
    public static class HiddenCallback {
        @OnMessage
        public void message(TestMessage message) {
        }

        @jakarta.websocket.OnClose
        void close() {
        }
    }

    @Test
    void startWhenStandardEndpointTakesRawTextThenRefused() {
        assertRefused(PlainOnMessage.class, "takes raw String");
    }

    @Test
    void startWhenStandardEndpointTakesPartialMessagesThenRefused() {
        assertRefused(PartialText.class, "takes partial messages");
    }

    @Test
    void startWhenStandardEndpointSetsMaxMessageSizeThenRefused() {
        assertRefused(TyrusCap.class, "set wsguard.message.max-bytes instead");
    }

    @Test
    void startWhenStandardEndpointDeclaresEncodersThenRefused() {
        assertRefused(WithEncoders.class, "declares encoders");
    }

    @Test
    void startWhenStandardEndpointDeclaresLenientDecoderThenRefused() {
        assertRefused(LenientDecoding.class, "messages are decoded by wsguard");
    }

    @Test
    void startWhenStandardEndpointTakesPongsThenRefused() {
        assertRefused(Pongs.class, "takes pong messages");
    }

    @Test
    void startWhenStandardEndpointHasNoOnMessageThenRefused() {
        assertRefused(NoMessage.class, "has no public @OnMessage");
    }

    @Test
    void startWhenRateLimitPeriodUnreadableThenRefusedAtDeployment() {
        assertRefused(BadLimit.class, "is not an ISO-8601 duration");
    }

    @Test
    void startWhenConfigurationTunesAnUndeclaredRateLimitThenRefused() {
        TestGuard.config = GuardConfig.builder().allowedOrigins("https://chat.test")
                .publicKey(dev.wsguard.testing.TestTokens.publicKeyPem(dev.wsguard.testing.TestTokens.rsa2048()))
                .issuer(dev.wsguard.testing.TestTokens.ISSUER).audiences(dev.wsguard.testing.TestTokens.AUDIENCE)
                .rateLimit("publsh", 5, java.time.Duration.ofSeconds(1)).build();
        try {
            assertRefused(dev.wsguard.testing.chat.StandardChat.class, "no guarded endpoint declares"
                    + " @RateLimit(name = \"publsh\"); declared: [bid, publish, session]");
        } finally {
            TestGuard.config = null;
        }
    }

    @Test
    void startWhenCallbackNotPublicThenRefused() {
        assertRefused(HiddenCallback.class, "must be public");
    }

    @Test
    void startWhenGuardedEndpointAddsBinaryOnMessageThenRefused() {
        assertRefused(BinaryBackdoor.class, "would bypass the guard");
    }

    @Test
    void startWhenMessageTypeHasNoHandlerThenRefused() {
        assertRefused(MissingHandlers.class, "has no @OnMessageType for message type");
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
