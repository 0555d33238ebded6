package dev.wsguard.tyrus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.glassfish.tyrus.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What reaches the client after a refused handshake, byte for byte, on this server and on Tyrus's own
 * {@link Server} for contrast.
 */
class RejectedHandshakeTest {

    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    private GuardedServer server;

    @BeforeEach
    void startServer() throws Exception {
        TestEndpoints.DenyingConfigurator.HANDSHAKES.set(0);
        TestEndpoints.StatusOnly.MESSAGES.set(0);
        server = GuardedServer.builder()
                .endpoint(TestEndpoints.StatusOnly.class)
                .endpoint(TestEndpoints.Denied.class)
                .endpoint(TestEndpoints.Careless.class)
                .endpoint(TestEndpoints.OriginChecked.class)
                .endpoint(TestEndpoints.Echo.class)
                .build();
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void handshakeWhenConfiguratorThrows401ThenAnswerAndEofWithinOneSecond() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            RawHttp.send(socket, RawHttp.upgradeRequest("/denied"));

            RawHttp.Head head = RawHttp.readHead(socket, ONE_SECOND);
            assertThat(head.statusLine()).isEqualTo("HTTP/1.1 401 Unauthorized");
            assertThat(head.header("WWW-Authenticate")).contains("Bearer");
            assertThat(head.header("Upgrade")).isEmpty();
            assertThat(head.header("Sec-WebSocket-Accept")).isEmpty();
            assertThat(head.header("Connection")).contains("close");
            assertThat(head.header("Content-Length")).contains("0");

            RawHttp.Drained rest = RawHttp.drain(socket, ONE_SECOND);
            assertThat(rest.ending()).isEqualTo(RawHttp.Ending.EOF);
            assertThat(rest.data()).isEmpty();
        }
        assertThat(TestEndpoints.DenyingConfigurator.HANDSHAKES).hasValue(1);
    }

    @Test
    void handshakeWhenRepeatedOnRefusedConnectionThenNoSecondResponseAndNoSecondHandshake() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            RawHttp.send(socket, RawHttp.upgradeRequest("/denied"));
            assertThat(RawHttp.readHead(socket, ONE_SECOND).statusLine()).isEqualTo("HTTP/1.1 401 Unauthorized");
            assertThat(RawHttp.drain(socket, ONE_SECOND).ending()).isEqualTo(RawHttp.Ending.EOF);

            sendToClosedPeer(socket, RawHttp.upgradeRequest("/denied").getBytes(StandardCharsets.US_ASCII));

            RawHttp.Drained second = RawHttp.drain(socket, ONE_SECOND);
            assertThat(second.data()).isEmpty();
            assertThat(second.ending()).isNotEqualTo(RawHttp.Ending.TIMEOUT);
        }
        assertThat(TestEndpoints.DenyingConfigurator.HANDSHAKES).hasValue(1);
    }

    @Test
    void handshakeWhenTyrusOwnServerRefusesThenConnectionStaysOpenAndEveryPacketRerunsHandshake()
            throws Exception {
        // Port -1 is how Tyrus's Server asks for a free port; 0 means its default, 8025.
        Server tyrus = new Server("127.0.0.1", -1, "/", Map.of(), TestEndpoints.Denied.class);
        tyrus.start();
        try (Socket socket = new Socket("127.0.0.1", tyrus.getPort())) {
            RawHttp.send(socket, RawHttp.upgradeRequest("/denied"));

            RawHttp.Head head = RawHttp.readHead(socket, ONE_SECOND);
            assertThat(head.statusLine()).startsWith("HTTP/1.1 401 ");
            assertThat(head.header("Connection")).isEmpty();
            assertThat(head.header("Content-Length")).isEmpty();
            RawHttp.Drained afterAnswer = RawHttp.drain(socket, ONE_SECOND);
            assertThat(afterAnswer.ending()).isEqualTo(RawHttp.Ending.TIMEOUT);
            assertThat(TestEndpoints.DenyingConfigurator.HANDSHAKES).hasValue(1);

            RawHttp.send(socket, RawHttp.upgradeRequest("/denied"));
            awaitHandshakes(2);
            // Not even a request: one byte replays the stored upgrade request through the whole handshake.
            RawHttp.send(socket, "x");
            awaitHandshakes(3);
            assertThat(RawHttp.drain(socket, ONE_SECOND).ending()).isEqualTo(RawHttp.Ending.TIMEOUT);
        } finally {
            tyrus.stop();
        }
    }

    @Test
    void handshakeWhenStatusSetWithoutExceptionThenSessionBehindItCutOff() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            RawHttp.send(socket, RawHttp.upgradeRequest("/status-only"));

            RawHttp.Head head = RawHttp.readHead(socket, ONE_SECOND);
            assertThat(head.statusLine()).isEqualTo("HTTP/1.1 401 Unauthorized");
            assertThat(RawHttp.drain(socket, ONE_SECOND).ending()).isEqualTo(RawHttp.Ending.EOF);

            sendToClosedPeer(socket, RawHttp.maskedTextFrame("ping"));
            assertThat(RawHttp.drain(socket, ONE_SECOND).data()).isEmpty();
        }
        assertThat(TestEndpoints.StatusOnly.MESSAGES).hasValue(0);
    }

    @Test
    void handshakeWhenTyrusOwnServerAndStatusSetWithoutExceptionThenClientCanChatBehind401() throws Exception {
        Server tyrus = new Server("127.0.0.1", -1, "/", Map.of(), TestEndpoints.StatusOnly.class);
        tyrus.start();
        try (Socket socket = new Socket("127.0.0.1", tyrus.getPort())) {
            RawHttp.send(socket, RawHttp.upgradeRequest("/status-only"));
            assertThat(RawHttp.readHead(socket, ONE_SECOND).statusLine()).startsWith("HTTP/1.1 401 ");

            RawHttp.send(socket, RawHttp.maskedTextFrame("ping"));

            assertThat(RawHttp.drain(socket, ONE_SECOND).data()).isEqualTo(RawHttp.serverTextFrame("ping"));
            assertThat(TestEndpoints.StatusOnly.MESSAGES).hasValue(1);
        } finally {
            tyrus.stop();
        }
    }

    @Test
    void handshakeWhenConfiguratorLeaves101HeadersThenStrippedAndReasonPhraseStandard() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            RawHttp.send(socket, RawHttp.upgradeRequest("/careless"));

            RawHttp.Head head = RawHttp.readHead(socket, ONE_SECOND);
            assertThat(head.statusLine()).isEqualTo("HTTP/1.1 401 Unauthorized");
            assertThat(head.header("Upgrade")).isEmpty();
            assertThat(head.header("Sec-WebSocket-Accept")).isEmpty();
            assertThat(head.header("Connection")).contains("close");
            assertThat(RawHttp.drain(socket, ONE_SECOND).ending()).isEqualTo(RawHttp.Ending.EOF);
        }
    }

    @Test
    void handshakeWhenOriginRejectedThen403AndEof() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            RawHttp.send(socket, RawHttp.upgradeRequest("/origin"));

            RawHttp.Head head = RawHttp.readHead(socket, ONE_SECOND);
            assertThat(head.statusLine()).isEqualTo("HTTP/1.1 403 Forbidden");
            assertThat(head.header("Connection")).contains("close");
            assertThat(RawHttp.drain(socket, ONE_SECOND).ending()).isEqualTo(RawHttp.Ending.EOF);
        }
    }

    @Test
    void handshakeWhenNoEndpointAtPathThen404AndEof() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            RawHttp.send(socket, RawHttp.upgradeRequest("/nowhere"));

            RawHttp.Head head = RawHttp.readHead(socket, ONE_SECOND);
            assertThat(head.statusLine()).isEqualTo("HTTP/1.1 404 Not Found");
            assertThat(head.header("Connection")).contains("close");
            RawHttp.Drained rest = RawHttp.drain(socket, ONE_SECOND);
            assertThat(rest.ending()).isEqualTo(RawHttp.Ending.EOF);
            assertThat(rest.data()).isEmpty();
        }
    }

    @Test
    void handshakeWhenAcceptedThenConnectionStaysOpen() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            RawHttp.send(socket, RawHttp.upgradeRequest("/echo"));

            RawHttp.Head head = RawHttp.readHead(socket, ONE_SECOND);
            assertThat(head.statusLine()).isEqualTo("HTTP/1.1 101 Switching Protocols");
            assertThat(head.header("Sec-WebSocket-Accept")).contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            assertThat(head.header("Connection")).hasValueSatisfying(v -> assertThat(v).isEqualToIgnoringCase("Upgrade"));
            assertThat(RawHttp.drain(socket, ONE_SECOND).ending()).isEqualTo(RawHttp.Ending.TIMEOUT);
        }
    }

    @Test
    void handshakeWhenJdkClientRefusedThenHandshakeExceptionWith401() {
        URI uri = server.uri("/denied");

        Throwable failure = catchThrowable(() -> HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(uri, new WebSocket.Listener() { })
                .get(5, TimeUnit.SECONDS));

        assertThat(failure).hasCauseInstanceOf(WebSocketHandshakeException.class);
        WebSocketHandshakeException handshake = (WebSocketHandshakeException) failure.getCause();
        assertThat(handshake.getResponse().statusCode()).isEqualTo(401);
        assertThat(handshake.getResponse().headers().firstValue("WWW-Authenticate")).contains("Bearer");
    }

    /** The peer has closed: the write may still be accepted locally, or fail; either is fine, nothing else is. */
    private static void sendToClosedPeer(Socket socket, byte[] bytes) {
        Throwable writeFailure = catchThrowable(() -> RawHttp.send(socket, bytes));
        assertThat(writeFailure).satisfiesAnyOf(
                failure -> assertThat(failure).isNull(),
                failure -> assertThat(failure).isInstanceOf(IOException.class));
    }

    private static void awaitHandshakes(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (TestEndpoints.DenyingConfigurator.HANDSHAKES.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(TestEndpoints.DenyingConfigurator.HANDSHAKES).hasValue(expected);
    }
}
