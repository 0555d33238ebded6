package dev.wsguard;

import dev.wsguard.testing.RawHandshake;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.WsClient;
import dev.wsguard.testing.chat.GuardedChat;
import dev.wsguard.testing.chat.TestGuard;
import dev.wsguard.tyrus.GuardedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keep-alive pings ({@code wsguard.session.ping-interval}) against the idle timeout, on real servers: a quiet client
 * that answers pings (the JDK client does) stays connected through idle periods longer than the idle timeout, where
 * without pings it is closed; a client that never answers is closed and its connection dropped.
 */
class KeepAliveIT {

    static final String ORIGIN = "https://chat.test";
    static final Duration IDLE = Duration.ofSeconds(2);
    static final Duration PING_EVERY = Duration.ofMillis(250);
    static final String PING = "{\"type\":\"ping\"}";
    static final String PONG = "{\"type\":\"pong\"}";

    static final ConcurrentLinkedQueue<SecurityEvent> EVENTS = new ConcurrentLinkedQueue<>();
    static GuardedServer pinging;
    static GuardedServer silent;

    static GuardConfig.Builder config() {
        return GuardConfig.builder().allowedOrigins(ORIGIN)
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048())).issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE).handshakeRateLimit(100_000, Duration.ofSeconds(1))
                .listener(EVENTS::add);
    }

    @BeforeAll
    static void start() throws Exception {
        // Each server's configurator reads TestGuard.config when the server deploys the endpoint.
        TestGuard.config = config().build();
        silent = GuardedServer.builder().idleTimeout(IDLE).endpoint(GuardedChat.class).build();
        silent.start();
        TestGuard.config = config().pingInterval(PING_EVERY).build();
        pinging = GuardedServer.builder().idleTimeout(IDLE).endpoint(GuardedChat.class).build();
        pinging.start();
    }

    @AfterAll
    static void stop() {
        if (pinging != null) {
            pinging.close();
        }
        if (silent != null) {
            silent.close();
        }
    }

    @Test
    void quietSessionWhenNoPingsThenClosedByIdleTimeout() throws Exception {
        try (WsClient quiet = WsClient.connect(silent.uri("/guarded"), ORIGIN, TestTokens.token().sign())) {
            long opened = System.nanoTime();
            assertThat(quiet.closeCode()).isEqualTo(1000);
            assertThat((System.nanoTime() - opened) / 1_000_000).isLessThan(IDLE.toMillis() + 1500);
        }
    }

    @Test
    void quietSessionWhenPingedAndClientAnswersThenStaysPastIdleTimeout() throws Exception {
        try (WsClient quiet = WsClient.connect(pinging.uri("/guarded"), ORIGIN, TestTokens.token().sign())) {
            assertThat(quiet.poll(3 * IDLE.toMillis())).as("pings are not messages").isNull();
            assertThat(quiet.isOpen()).isTrue();
            assertThat(quiet.send(PING).next()).isEqualTo(PONG);
        }
    }

    @Test
    void sessionWhenClientNeverAnswersPingsThenClosedAndConnectionDropped() throws Exception {
        String token = TestTokens.token().subject("ghost").sign();
        long opened = System.nanoTime();
        try (Socket ghost = RawHandshake.to(pinging.uri("/guarded")).origin(ORIGIN).bearer(token).open(64 * 1024)) {
            // Reads what arrives (pings) but never answers: the connection must end, from the server's side.
            assertThat(endsWithin(ghost, Duration.ofSeconds(5))).isTrue();
            long elapsedMillis = (System.nanoTime() - opened) / 1_000_000;
            assertThat(elapsedMillis).isBetween(IDLE.toMillis(), IDLE.toMillis() + 2 * PING_EVERY.toMillis() + 1000);
        }
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.SESSION_CLOSED
                && "ghost".equals(e.subject())).singleElement()
                .extracting(SecurityEvent::reason).isEqualTo(Rejection.KEEPALIVE_TIMEOUT);
    }

    static boolean endsWithin(Socket socket, Duration limit) throws IOException {
        socket.setSoTimeout((int) limit.toMillis());
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        try {
            while (in.read(buffer) >= 0) {
                // pings, then the close frame
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
