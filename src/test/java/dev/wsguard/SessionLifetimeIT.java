package dev.wsguard;

import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.WsClient;
import dev.wsguard.testing.chat.GuardedChat;
import dev.wsguard.testing.chat.TestGuard;
import dev.wsguard.tyrus.GuardedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/** A session cannot be kept forever by refreshing its token: the maximum session lifetime closes it. */
class SessionLifetimeIT {

    static final String ORIGIN = "https://chat.test";
    static final ConcurrentLinkedQueue<SecurityEvent> EVENTS = new ConcurrentLinkedQueue<>();
    static GuardedServer server;

    @BeforeAll
    static void start() throws Exception {
        TestGuard.config = GuardConfig.builder().allowedOrigins(ORIGIN)
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048())).issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE).maxSessionLifetime(Duration.ofSeconds(2)).listener(EVENTS::add)
                .build();
        server = GuardedServer.builder().endpoint(GuardedChat.class).build();
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void sessionWhenMaxLifetimeReachedThenClosed4401EvenAfterRefresh() throws Exception {
        long opened = System.currentTimeMillis();
        try (WsClient c = WsClient.connect(server.uri("/guarded"), ORIGIN, TestTokens.token().subject("quinn").sign())) {
            String fresh = TestTokens.token().subject("quinn").sign();
            assertThat(c.send("{\"type\":\"auth\",\"token\":\"" + fresh + "\"}").next())
                    .isEqualTo("{\"type\":\"auth\",\"status\":\"ok\"}");
            assertThat(c.closeCode()).isEqualTo(4401);
            assertThat(System.currentTimeMillis() - opened).isBetween(1900L, 4000L);
        }
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.SESSION_CLOSED).singleElement()
                .extracting(SecurityEvent::reason).isEqualTo(Rejection.SESSION_LIFETIME_EXCEEDED);
    }
}
