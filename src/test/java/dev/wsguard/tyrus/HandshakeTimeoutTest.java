package dev.wsguard.tyrus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.glassfish.tyrus.server.Server;
import org.junit.jupiter.api.Test;

/**
 * Slowloris: a client that never finishes its request. Closed after the handshake timeout here; kept for good by
 * Tyrus's own {@link Server}.
 */
class HandshakeTimeoutTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    /** The timer checks every 100 ms for a 1 s bound; the rest is scheduling slack on a loaded machine. */
    private static final Duration MARGIN = Duration.ofMillis(1_500);

    @Test
    void handshakeWhenRequestTrickledByteByByteThenClosedWithinTimeout() throws Exception {
        try (GuardedServer server = serverWithTimeout()) {
            server.start();
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                long started = System.nanoTime();
                Thread trickler = trickle(socket);

                RawHttp.Drained answer = RawHttp.drain(socket, TIMEOUT.plus(MARGIN).plusSeconds(2));
                Duration open = Duration.ofNanos(System.nanoTime() - started);
                trickler.interrupt();

                assertThat(answer.ending()).isIn(RawHttp.Ending.EOF, RawHttp.Ending.RESET);
                assertThat(answer.data()).isEmpty();
                assertThat(open).isGreaterThanOrEqualTo(TIMEOUT.minusMillis(100)).isLessThan(TIMEOUT.plus(MARGIN));
            }
        }
    }

    @Test
    void handshakeWhenNothingSentThenClosedWithinTimeout() throws Exception {
        try (GuardedServer server = serverWithTimeout()) {
            server.start();
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                long started = System.nanoTime();

                RawHttp.Drained answer = RawHttp.drain(socket, TIMEOUT.plus(MARGIN).plusSeconds(2));

                assertThat(answer.ending()).isIn(RawHttp.Ending.EOF, RawHttp.Ending.RESET);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TIMEOUT.plus(MARGIN));
            }
        }
    }

    @Test
    void httpWhenRequestBodyTrickledThenClosedWithinTimeout() throws Exception {
        try (GuardedServer server = serverWithTimeout()) {
            server.start();
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                long started = System.nanoTime();
                RawHttp.send(socket, "POST /form HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10000\r\n\r\n");
                Thread trickler = trickle(socket, "");

                RawHttp.Drained answer = RawHttp.drain(socket, TIMEOUT.plus(MARGIN).plusSeconds(2));
                trickler.interrupt();

                assertThat(answer.ending()).isIn(RawHttp.Ending.EOF, RawHttp.Ending.RESET);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TIMEOUT.plus(MARGIN));
            }
        }
    }

    @Test
    void tyrusOwnServerWhenRequestTrickledThenStillOpenLongAfterTimeout() throws Exception {
        Server tyrus = new Server("127.0.0.1", -1, "/", Map.of(), TestEndpoints.Echo.class);
        tyrus.start();
        try (Socket socket = new Socket("127.0.0.1", tyrus.getPort())) {
            Thread trickler = trickle(socket);

            RawHttp.Drained answer = RawHttp.drain(socket, TIMEOUT.plus(MARGIN).plusSeconds(1));
            trickler.interrupt();

            assertThat(answer.ending()).isEqualTo(RawHttp.Ending.TIMEOUT);
        } finally {
            tyrus.stop();
        }
    }

    @Test
    void handshakeWhenCompletedPromptlyThenEchoWorks() throws Exception {
        try (GuardedServer server = serverWithTimeout()) {
            server.start();

            assertThat(GuardedServerTest.jdkEcho(server.uri("/echo"), "quick")).isEqualTo("quick");
        }
    }

    @Test
    void sessionWhenQuietLongerThanHandshakeTimeoutThenNotClosed() throws Exception {
        try (GuardedServer server = serverWithTimeout()) {
            server.start();
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                RawHttp.send(socket, RawHttp.upgradeRequest("/echo"));
                assertThat(RawHttp.readHead(socket, TIMEOUT).statusLine())
                        .isEqualTo("HTTP/1.1 101 Switching Protocols");

                RawHttp.Drained quiet = RawHttp.drain(socket, TIMEOUT.multipliedBy(3));
                assertThat(quiet.ending()).isEqualTo(RawHttp.Ending.TIMEOUT);
                assertThat(quiet.data()).isEmpty();

                RawHttp.send(socket, RawHttp.maskedTextFrame("still here"));
                byte[] expected = RawHttp.serverTextFrame("still here");
                socket.setSoTimeout(2_000);
                assertThat(socket.getInputStream().readNBytes(expected.length)).isEqualTo(expected);
            }
        }
    }

    @Test
    void httpWhenPlainRequestAnsweredThenAnsweredAndKeepAliveClosedAfterTimeout() throws Exception {
        try (GuardedServer server = serverWithTimeout()) {
            server.start();
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                // Counted from the request: the bound restarts when the server writes its answer, which on a cold
                // JVM can reach this socket a few hundred milliseconds later.
                long requested = System.nanoTime();
                RawHttp.send(socket, RawHttp.getRequest("/nothing-here"));
                assertThat(RawHttp.readHead(socket, TIMEOUT).statusLine()).isEqualTo("HTTP/1.1 404 Not Found");

                RawHttp.Drained rest = RawHttp.drain(socket, TIMEOUT.plus(MARGIN).plusSeconds(2));

                assertThat(rest.ending()).isIn(RawHttp.Ending.EOF, RawHttp.Ending.RESET);
                assertThat(Duration.ofNanos(System.nanoTime() - requested))
                        .isGreaterThanOrEqualTo(TIMEOUT.minusMillis(100)).isLessThan(TIMEOUT.plus(MARGIN));
            }
        }
    }

    private static GuardedServer serverWithTimeout() {
        return GuardedServer.builder().handshakeTimeout(TIMEOUT).endpoint(TestEndpoints.Echo.class).build();
    }

    /** Half a request line, then one more header byte every 500 ms until the socket fails or the test ends. */
    private static Thread trickle(Socket socket) throws IOException {
        return trickle(socket, "GET /echo HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
    }

    /** {@code start}, then one byte every 500 ms until the socket fails or the test ends. */
    private static Thread trickle(Socket socket, String start) throws IOException {
        RawHttp.send(socket, start);
        Thread thread = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(500);
                    socket.getOutputStream().write("a".getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                }
            } catch (IOException | InterruptedException e) {
                // The server closed the socket, or the test is over.
            }
        }, "slowloris");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
