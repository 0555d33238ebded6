package dev.wsguard;

import dev.wsguard.testing.RawHandshake;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.WsClient;
import dev.wsguard.testing.chat.TestGuard;
import dev.wsguard.testing.chat.TestMessage;
import dev.wsguard.tyrus.GuardedServer;
import jakarta.annotation.security.RolesAllowed;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;
import org.glassfish.tyrus.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What only the standard shape has, on a real server over real sockets: the user's own {@code @OnOpen},
 * {@code @OnMessage}, {@code @OnClose} and {@code @OnError} with their standard parameters ({@code Session},
 * {@code EndpointConfig}, {@code CloseReason}, {@code @PathParam}), binary messages under the same cap, flood limit
 * and role rules, and a standard endpoint deployed by a runtime that does not let wsguard wrap it.
 */
class StandardEndpointIT {

    static final String ORIGIN = "https://chat.test";
    /** A record sent as JSON: JSON-B writes its properties in lexicographical order. */
    static final String PONG_LOBBY = "{\"room\":\"lobby\",\"type\":\"pong\"}";
    static final ConcurrentLinkedQueue<String> CALLS = new ConcurrentLinkedQueue<>();
    static final ConcurrentLinkedQueue<SecurityEvent> EVENTS = new ConcurrentLinkedQueue<>();
    static GuardedServer server;

    /** A room endpoint with every callback, a path parameter and a binary upload for one role. */
    @ServerEndpoint(value = "/rooms/{room}", configurator = TestGuard.class)
    public static class Rooms {

        @OnOpen
        public void open(Session session, EndpointConfig config, @PathParam("room") String room) {
            CALLS.add("open:" + room + ":" + WsGuard.identity(session).getSubject() + ":" + (config != null));
        }

        @OnMessage
        public Object on(@PathParam("room") String room, TestMessage message, Session session) {
            if (message instanceof TestMessage.Bid bid && bid.amount() < 0) {
                throw new IllegalArgumentException("negative bid");
            }
            return message instanceof TestMessage.Ping ? new RoomPong("pong", room) : "{\"type\":\"ok\"}";
        }

        @OnMessage
        @RolesAllowed("uploader")
        public String upload(ByteBuffer data, Session session) {
            return "{\"type\":\"stored\",\"bytes\":" + data.remaining() + "}";
        }

        @OnClose
        public void close(Session session, CloseReason reason) {
            CALLS.add("close:" + reason.getCloseCode().getCode());
        }

        @OnError
        public void error(Session session, Throwable error) {
            CALLS.add("error:" + error.getClass().getSimpleName());
        }
    }

    /** A reply sent as JSON. */
    public record RoomPong(String type, String room) {
    }

    /** Text only: a binary message has nowhere to go. */
    @ServerEndpoint(value = "/text-only", configurator = TestGuard.class)
    public static class TextOnly {
        @OnMessage
        public String on(TestMessage message) {
            return "{\"type\":\"ok\"}";
        }
    }

    /** As a user would write it for any runtime: with its decoder declared, so that plain Tyrus deploys it too. */
    @ServerEndpoint(value = "/declared", configurator = TestGuard.class,
            decoders = dev.wsguard.testing.chat.StandardChat.Messages.class)
    public static class Declared {
        @OnOpen
        public void open(Session session) {
            CALLS.add("open");
        }

        @OnMessage
        public String on(TestMessage message) {
            CALLS.add("message");
            return "{\"type\":\"ok\"}";
        }
    }

    /** Tells what its session's and its handshake configuration's user properties hold at the user's open. */
    @ServerEndpoint(value = "/properties", configurator = TestGuard.class)
    public static class Properties {
        @OnOpen
        public void open(Session session, EndpointConfig config) {
            CALLS.add("properties:" + new java.util.TreeSet<>(session.getUserProperties().keySet()) + " handshake:"
                    + new java.util.TreeSet<>(config.getUserProperties().keySet()) + " connection:"
                    + (WsGuard.connectionId(session) != null) + " address:"
                    + session.getUserProperties().get(WsGuard.CLIENT_ADDRESS));
        }

        @OnMessage
        public String on(TestMessage message) {
            return "{\"type\":\"ok\"}";
        }
    }

    @BeforeAll
    static void start() throws Exception {
        TestGuard.config = GuardConfig.builder()
                .allowedOrigins(ORIGIN)
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048()))
                .issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE)
                .handshakeRateLimit(100_000, Duration.ofSeconds(1))
                .rateLimit("session", 10, Duration.ofSeconds(30))
                .maxViolations(1000)
                .listener(EVENTS::add)
                .build();
        server = GuardedServer.builder().endpoint(Rooms.class).endpoint(TextOnly.class).endpoint(Declared.class)
                .endpoint(Properties.class).build();
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void clear() throws InterruptedException {
        // The previous test's sessions close asynchronously on the server: let their @OnClose run first.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (count("open:") != count("close:") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        CALLS.clear();
        EVENTS.clear();
    }

    static WsClient connect(String path, String token) throws Exception {
        return WsClient.connect(server.uri(path), ORIGIN, token);
    }

    static String token(String subject, String... groups) {
        return TestTokens.token().subject(subject).groups(groups).sign();
    }

    @Test
    void messageWhenStandardEndpointThenPathParameterAndSessionBoundAndObjectSentAsJson() throws Exception {
        try (WsClient c = connect("/rooms/lobby", token("ann"))) {
            assertThat(c.send("{\"type\":\"ping\"}").next()).isEqualTo(PONG_LOBBY);
        }
        assertThat(CALLS).startsWith("open:lobby:ann:true");
    }

    @Test
    void openWhenGuardedThenSessionHoldsTheDocumentedKeysAndItsStateOnly() throws Exception {
        try (WsClient c = connect("/properties", token("fay"))) {
            assertThat(c.send("{\"type\":\"ping\"}").next()).isEqualTo("{\"type\":\"ok\"}");
        }
        // What the handshake handed over besides the documented keys (quota slot, guard context, address key) has
        // moved into the session's state; the handshake's configuration, which Tyrus keeps for the session's life,
        // holds none of it.
        assertThat(CALLS).contains("properties:[dev.wsguard.client-address, dev.wsguard.connection,"
                + " dev.wsguard.identity, dev.wsguard.session-state] handshake:[] connection:true address:127.0.0.1");
    }

    @Test
    void closeWhenClientClosesThenUserOnCloseRunsOnceWithItsCode() throws Exception {
        try (WsClient c = connect("/rooms/lobby", token("bo"))) {
            assertThat(c.send("{\"type\":\"ping\"}").next()).isEqualTo(PONG_LOBBY);
            c.send("{\"type\":\"unruled\"}");
            assertThat(c.next()).isEqualTo("{\"type\":\"error\",\"code\":\"forbidden\"}");
        }
        awaitCall("close:");
        assertThat(CALLS).filteredOn(call -> call.startsWith("close:")).hasSize(1);
    }

    @Test
    void messageWhenMethodThrowsThenUserOnErrorAndSessionStaysUsable() throws Exception {
        try (WsClient c = connect("/rooms/lobby", token("cy"))) {
            c.send("{\"type\":\"bid\",\"amount\":-1}");
            awaitCall("error:");
            assertThat(CALLS).contains("error:IllegalArgumentException");
            assertThat(c.send("{\"type\":\"ping\"}").next()).isEqualTo(PONG_LOBBY);
        }
    }

    @Test
    void binaryWhenRoleHeldThenDeliveredWhole() throws Exception {
        try (WsClient c = connect("/rooms/lobby", token("dee", "uploader"))) {
            c.sendBinary(new byte[20_000], false).sendBinary(new byte[20_000], true);
            assertThat(c.next()).isEqualTo("{\"type\":\"stored\",\"bytes\":40000}");
        }
    }

    @Test
    void binaryWhenRoleMissingThenForbiddenErrorAndNothingDelivered() throws Exception {
        try (WsClient c = connect("/rooms/lobby", token("eve"))) {
            c.sendBinary(new byte[100], true);
            assertThat(c.next()).isEqualTo("{\"type\":\"error\",\"code\":\"forbidden\"}");
            assertThat(c.send("{\"type\":\"ping\"}").next()).isEqualTo(PONG_LOBBY);
        }
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.AUTHORIZATION_DENIED).singleElement()
                .extracting(SecurityEvent::reason).isEqualTo(Rejection.ROLE_MISSING);
    }

    @Test
    void binaryWhenFragmentsPassTheCapThenClose1009() throws Exception {
        try (WsClient c = connect("/rooms/lobby", token("fay", "uploader"))) {
            c.sendBinary(new byte[40_000], false);
            c.trySend("");
            try {
                c.sendBinary(new byte[40_000], true);
            } catch (Exception closing) {
                // The server may already have closed.
            }
            assertThat(c.closeCode()).isEqualTo(1009);
        }
    }

    @Test
    void binaryWhenFloodingThenSessionFloodLimitCountsThem() throws Exception {
        try (WsClient c = connect("/rooms/lobby", token("gus", "uploader"))) {
            for (int i = 0; i < 12; i++) {
                c.sendBinary(new byte[10], true);
            }
            int stored = 0;
            int limited = 0;
            for (int i = 0; i < 12; i++) {
                String answer = c.next();
                if (answer.equals("{\"type\":\"error\",\"code\":\"rate_limited\"}")) {
                    limited++;
                } else if (answer.startsWith("{\"type\":\"stored\"")) {
                    stored++;
                }
            }
            assertThat(stored).as("the session limit is 10 messages per 30 s, binary included").isEqualTo(10);
            assertThat(limited).isEqualTo(2);
        }
    }

    @Test
    void binaryWhenEndpointTakesNoneThenClose1003() throws Exception {
        try (WsClient c = connect("/text-only", token("hal"))) {
            assertThat(c.send("{\"type\":\"ping\"}").next()).isEqualTo("{\"type\":\"ok\"}");
            c.sendBinary(new byte[7], true);
            assertThat(c.closeCode()).isEqualTo(1003);
        }
    }

    @Test
    void messageWhenDeclaredDecoderThenWrappedAndGuarded() throws Exception {
        try (WsClient c = connect("/declared", token("ike"))) {
            assertThat(c.send("{\"type\":\"ping\"}").next()).isEqualTo("{\"type\":\"ok\"}");
            c.send("{\"type\":\"unruled\"}");
            assertThat(c.next()).isEqualTo("{\"type\":\"error\",\"code\":\"forbidden\"}");
        }
        assertThat(CALLS).filteredOn(call -> !call.startsWith("close:")).containsExactly("open", "message");
    }

    @Test
    void closeWhenGuardClosedTheSessionThenLaterBytesNeverReplayTheHandshake() throws Exception {
        assertNoReplayAfterClose(token("joe"), "{\"type\":\"ping\",\"x\":1}", 1007);
    }

    @Test
    void closeWhenTokenExpiredThenLaterBytesNeverReplayTheHandshake() throws Exception {
        // Closed by the timer at exp; the token stays within the clock skew, so a replay would be accepted.
        java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        assertNoReplayAfterClose(TestTokens.token().subject("kay").issuedAt(now).expiresAt(now.plusSeconds(2))
                .sign(), null, 4401);
    }

    /**
     * Grizzly reads whatever follows an upgrade request as that request's body: once the session is over, the
     * client's close reply (or any byte) must not reach Tyrus as the same upgrade request again and open a new
     * session with the same token, without a new request.
     */
    private static void assertNoReplayAfterClose(String token, String message, int expectedCode) throws Exception {
        try (java.net.Socket socket = RawHandshake.to(server.uri("/rooms/lobby")).origin(ORIGIN).bearer(token)
                .open(65_536)) {
            if (message != null) {
                socket.getOutputStream().write(RawHandshake.maskedText(message));
            }
            java.io.InputStream in = socket.getInputStream();
            assertThat(in.read()).as("the server's close frame").isEqualTo(0x88);
            int length = in.read() & 0x7f;
            int code = (in.read() << 8) | in.read();
            in.readNBytes(length - 2);
            assertThat(code).isEqualTo(expectedCode);
            awaitCall("close:");
            socket.getOutputStream().write(new byte[] {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xe8});
            socket.getOutputStream().flush();
            assertThat(in.read()).as("the connection ends; nothing answers").isEqualTo(-1);
        } catch (java.net.SocketException reset) {
            // A reset ends the connection too.
        }
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.HANDSHAKE_ACCEPTED).hasSize(1);
        assertThat(CALLS).filteredOn(call -> call.startsWith("open:")).hasSize(1);
    }

    @Test
    void handshakeWhenStandardEndpointDeployedUnwrappedThenRefusedAndNothingRuns() throws Exception {
        // Plain Tyrus deploys the class as it is: wsguard would see the handshake but not the messages.
        Server plain = new Server("127.0.0.1", -1, "/", Map.of(), Declared.class);
        plain.start();
        try {
            URI uri = URI.create("ws://127.0.0.1:" + plain.getPort() + "/declared");
            RawHandshake.Response refused = RawHandshake.to(uri).origin(ORIGIN).bearer(token("ian")).send();
            assertThat(refused.status()).isEqualTo(500);
            assertThat(refused.header("Sec-WebSocket-Accept")).isEmpty();
        } finally {
            plain.stop();
        }
        assertThat(CALLS).isEmpty();
    }

    private static long count(String prefix) {
        return CALLS.stream().filter(call -> call.startsWith(prefix)).count();
    }

    private static void awaitCall(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (CALLS.stream().noneMatch(call -> call.startsWith(prefix)) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}
