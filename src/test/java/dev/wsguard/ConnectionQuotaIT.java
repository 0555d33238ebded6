package dev.wsguard;

import dev.wsguard.testing.RawHandshake;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.chat.GuardedChat;
import dev.wsguard.testing.chat.OpenChat;
import dev.wsguard.testing.chat.TestGuard;
import dev.wsguard.tyrus.GuardedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connection exhaustion from one address or one user, against a real Tyrus server: the quota stops it before the
 * 101, slots come back when connections close, and refused attempts hold nothing.
 */
class ConnectionQuotaIT {

    static final String ORIGIN = "https://chat.test";
    static final ConcurrentLinkedQueue<SecurityEvent> EVENTS = new ConcurrentLinkedQueue<>();
    static GuardedServer server;
    final List<Socket> held = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        TestGuard.config = GuardConfig.builder()
                .allowedOrigins(ORIGIN)
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048()))
                .issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE)
                .handshakeRateLimit(100_000, Duration.ofSeconds(1))
                .connectionQuotas(200, 150, 10_000, 20_000)
                .bansEnabled(false) // hundreds of refusals from one address on purpose; bans: AbuseBanIT
                .listener(EVENTS::add)
                .build();
        server = GuardedServer.builder().endpoint(GuardedChat.class).endpoint(OpenChat.class).build();
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        closeHeld(held.size());
    }

    /** Opens a connection and keeps it; returns the status of the answer. */
    int open(URI uri, String token) throws IOException {
        Socket socket = new Socket(uri.getHost(), uri.getPort());
        socket.setSoTimeout(5000);
        RawHandshake request = RawHandshake.to(uri).origin(ORIGIN);
        if (token != null) {
            request.bearer(token);
        }
        socket.getOutputStream().write(request.requestBytes());
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            line.append((char) b);
        }
        int status = Integer.parseInt(line.toString().split(" ")[1]);
        if (status == 101) {
            held.add(socket);
        } else {
            socket.close();
        }
        return status;
    }

    void closeHeld(int count) throws IOException {
        for (int i = 0; i < count && !held.isEmpty(); i++) {
            held.remove(held.size() - 1).close();
        }
    }

    /** Slots come back when the server has seen the close; give it a moment. */
    int openSoon(URI uri, String token) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        int status;
        do {
            status = open(uri, token);
            if (status == 101) {
                return status;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return status;
    }

    @Test
    void handshakeWhenOneAddressOpensThousandThenStopsAtQuotaAndSlotsComeBack() throws Exception {
        int unguardedOpened = 0;
        for (int i = 0; i < 300; i++) {
            if (open(server.uri("/open"), null) == 101) {
                unguardedOpened++;
            }
        }
        assertThat(unguardedOpened).as("without the guard one address holds all it wants").isEqualTo(300);
        closeHeld(held.size());

        URI guarded = server.uri("/guarded");
        EVENTS.clear();
        int accepted = 0;
        int refused = 0;
        for (int i = 0; i < 1000; i++) {
            int status = open(guarded, TestTokens.token().subject("user-" + (i % 100)).sign());
            if (status == 101) {
                accepted++;
            } else {
                assertThat(status).isEqualTo(429);
                refused++;
            }
        }
        assertThat(accepted).isEqualTo(200);
        assertThat(refused).isEqualTo(800);
        assertThat(EVENTS).filteredOn(e -> e.reason() == Rejection.CONNECTION_QUOTA_EXCEEDED).hasSize(800);

        closeHeld(50);
        for (int i = 0; i < 50; i++) {
            assertThat(openSoon(guarded, TestTokens.token().subject("back-" + i).sign())).isEqualTo(101);
        }
        assertThat(open(guarded, TestTokens.token().subject("one-too-many").sign())).isEqualTo(429);

        closeHeld(held.size());
        for (int i = 0; i < 200; i++) {
            assertThat(openSoon(guarded, TestTokens.token().subject("again-" + (i % 100)).sign()))
                    .as("after 800 refusals the full quota is there again").isEqualTo(101);
        }
    }

    @Test
    void handshakeWhenOneUserOpensTooManyThenStopsAtUserQuotaAndOthersStillGetIn() throws Exception {
        URI guarded = server.uri("/guarded");
        String token = TestTokens.token().subject("hoarder").sign();
        for (int i = 0; i < 150; i++) {
            assertThat(open(guarded, token)).isEqualTo(101);
        }
        RawHandshake.Response refused = RawHandshake.to(guarded).origin(ORIGIN).bearer(token).send();
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.statusLine()).isEqualTo("HTTP/1.1 429 Too Many Requests");
        assertThat(refused.header("Retry-After")).hasValue("10");
        assertThat(refused.closedByServer()).isTrue();
        assertThat(open(guarded, TestTokens.token().subject("someone-else").sign())).isEqualTo(101);
    }

    /**
     * Clients that leave right after reading the 101, without a close frame, half of them with a reset: the server
     * learns it from its own transport (Grizzly closes the connection, Tyrus closes the session), and each slot comes
     * back. Payara's Tyrus never noticed such clients (their slots stayed taken for good) until wsguard probed them.
     */
    @Test
    void handshakeWhenClientsDropTheirConnectionsRightAfterThe101ThenTheirSlotsComeBack() throws Exception {
        URI guarded = server.uri("/guarded");
        String token = TestTokens.token().subject("dropper").sign();
        for (int i = 0; i < 150; i++) {
            try (Socket dropped = RawHandshake.to(guarded).origin(ORIGIN).bearer(token).open(65536)) {
                if (i % 2 == 1) {
                    dropped.setSoLinger(true, 0);
                }
            }
        }
        for (int i = 0; i < 150; i++) {
            assertThat(openSoon(guarded, token)).as("the user's slot %d of 150", i + 1).isEqualTo(101);
        }
        assertThat(open(guarded, token)).as("the quota still holds").isEqualTo(429);
    }

    @Test
    void handshakeWhenRefusedForTokenThenNoSlotTaken() throws Exception {
        URI guarded = server.uri("/guarded");
        for (int i = 0; i < 500; i++) {
            assertThat(open(guarded, "junk")).isEqualTo(401);
        }
        for (int i = 0; i < 200; i++) {
            assertThat(openSoon(guarded, TestTokens.token().subject("late-" + (i % 100)).sign())).isEqualTo(101);
        }
    }
}
