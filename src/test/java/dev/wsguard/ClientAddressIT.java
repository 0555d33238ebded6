package dev.wsguard;

import dev.wsguard.testing.IdentityEcho;
import dev.wsguard.testing.RawHandshake;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.tyrus.GuardedServer;
import jakarta.websocket.server.ServerEndpointConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whose address a connection counts as, on a real server: a client cannot pick one with a header, and a trusted
 * proxy's report is believed. Shown through the per-address handshake limit (3 per 30 s on each endpoint).
 */
class ClientAddressIT {

    static final String ORIGIN = "https://chat.test";
    static final ConcurrentLinkedQueue<SecurityEvent> EVENTS = new ConcurrentLinkedQueue<>();
    static GuardedServer server;

    @BeforeAll
    static void start() throws Exception {
        GuardConfig.Builder base = GuardConfig.builder().allowedOrigins(ORIGIN)
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048())).issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE).handshakeRateLimit(3, Duration.ofSeconds(30)).listener(EVENTS::add);
        GuardConfig untrusting = base.trustedProxies("10.0.0.0/8").build();
        // The proxy the test connects through, and a second one behind it.
        GuardConfig trusting = base.trustedProxies("127.0.0.1/32", "10.0.0.0/8").build();
        server = GuardedServer.builder()
                .endpoint(ServerEndpointConfig.Builder.create(IdentityEcho.class, "/untrusting")
                        .configurator(new WsGuardConfigurator(untrusting) { }).build())
                .endpoint(ServerEndpointConfig.Builder.create(IdentityEcho.class, "/trusting")
                        .configurator(new WsGuardConfigurator(trusting) { }).build())
                .build();
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static int attempt(String path, String xff) throws Exception {
        return RawHandshake.to(server.uri(path)).origin(ORIGIN).bearer(TestTokens.token().sign())
                .header("X-Forwarded-For", xff).send().status();
    }

    @Test
    void handshakeWhenUntrustedPeerForgesForwardedForThenItsOwnAddressCounts() throws Exception {
        EVENTS.clear();
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            statuses.add(attempt("/untrusting", "198.51.100." + i));
        }
        assertThat(statuses).as("a fresh forged address per attempt buys no budget").containsExactly(101, 101, 101,
                429, 429);
        assertThat(EVENTS).extracting(SecurityEvent::clientAddress).containsOnly("127.0.0.1");
    }

    @Test
    void handshakeWhenTrustedProxyReportsClientsThenEachClientCounts() throws Exception {
        EVENTS.clear();
        for (int i = 0; i < 3; i++) {
            assertThat(attempt("/trusting", "203.0.113.1")).isEqualTo(101);
        }
        assertThat(attempt("/trusting", "203.0.113.1")).as("that client's budget is spent").isEqualTo(429);
        assertThat(attempt("/trusting", "203.0.113.2")).as("another client behind the proxy").isEqualTo(101);
        assertThat(attempt("/trusting", "203.0.113.2, 10.0.0.5")).as("through a second trusted proxy")
                .isEqualTo(101);
        assertThat(attempt("/trusting", "203.0.113.1, 198.51.100.7")).as("a client prepending a spent address")
                .isEqualTo(101);
        assertThat(EVENTS).extracting(SecurityEvent::clientAddress)
                .containsExactly("203.0.113.1", "203.0.113.1", "203.0.113.1", "203.0.113.1", "203.0.113.2",
                        "203.0.113.2", "198.51.100.7");
    }

    @Test
    void handshakeWhenTrustedProxyPassesClientsForwardedNextToItsOwnXffThenProxyAddressCounts() throws Exception {
        EVENTS.clear();
        // A proxy that appends X-Forwarded-For and forwards the client's Forwarded header untouched.
        int status = RawHandshake.to(server.uri("/trusting")).origin(ORIGIN).bearer(TestTokens.token().sign())
                .header("Forwarded", "for=198.51.100.99").header("X-Forwarded-For", "203.0.113.99").send().status();
        assertThat(status).isEqualTo(101);
        assertThat(EVENTS).extracting(SecurityEvent::clientAddress).as("neither header can be told from a forgery")
                .containsExactly("127.0.0.1");
    }
}
