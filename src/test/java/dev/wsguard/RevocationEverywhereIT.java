package dev.wsguard;

import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.WsClient;
import dev.wsguard.testing.chat.FeedChat;
import dev.wsguard.testing.chat.FirstMessageChat;
import dev.wsguard.testing.chat.GuardedChat;
import dev.wsguard.testing.chat.TestGuard;
import dev.wsguard.tyrus.GuardedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Revoking a user closes that user's sessions on every guarded endpoint of the process, whatever configurator or
 * authentication mode opened them, and leaves other users' sessions alone.
 */
class RevocationEverywhereIT {

    static final String ORIGIN = "https://chat.test";
    static GuardedServer server;

    static GuardConfig.Builder config() {
        return GuardConfig.builder().allowedOrigins(ORIGIN)
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048())).issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE).handshakeRateLimit(100_000, Duration.ofSeconds(1));
    }

    @BeforeAll
    static void start() throws Exception {
        TestGuard.config = config().build();
        FirstMessageChat.Guard.config = config().authMode(GuardConfig.AuthMode.FIRST_MESSAGE)
                .authDeadline(Duration.ofSeconds(30)).build();
        server = GuardedServer.builder().endpoint(GuardedChat.class).endpoint(FeedChat.class)
                .endpoint(FirstMessageChat.class).build();
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void revokeUserWhenSessionsOnSeveralEndpointsThenAllClosed4401AndOthersStay() throws Exception {
        Instant issued = Instant.now().minusSeconds(5).truncatedTo(ChronoUnit.SECONDS);
        String zoe = TestTokens.token().subject("zoe").issuedAt(issued).expiresAt(issued.plusSeconds(300)).sign();
        String other = TestTokens.token().subject("yann").sign();
        try (WsClient chat = WsClient.connect(server.uri("/guarded"), ORIGIN, zoe);
             WsClient feed = WsClient.connect(server.uri("/feed"), ORIGIN, zoe);
             WsClient first = WsClient.connect(server.uri("/first"), ORIGIN, null);
             WsClient bystander = WsClient.connect(server.uri("/feed"), ORIGIN, other)) {
            assertThat(first.send("{\"type\":\"auth\",\"token\":\"" + zoe + "\"}").next())
                    .isEqualTo("{\"type\":\"auth\",\"status\":\"ok\"}");
            assertThat(chat.send("{\"type\":\"ping\"}").next()).isEqualTo("{\"type\":\"pong\"}");

            assertThat(Revocations.shared().revokeUser("zoe")).isEqualTo(3);

            assertThat(chat.closeCode()).isEqualTo(4401);
            assertThat(feed.closeCode()).isEqualTo(4401);
            assertThat(first.closeCode()).isEqualTo(4401);
            assertThat(bystander.send("{\"type\":\"ping\"}").next()).isEqualTo("{\"type\":\"pong\"}");
        }
    }
}
