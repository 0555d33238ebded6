package dev.wsguard;

import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.WsClient;
import dev.wsguard.testing.chat.TestGuard;
import dev.wsguard.tyrus.GuardedServer;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A revocation landing between the handshake's check and the session's registration for revocation: the user's
 * sessions were looked up before this one was listed, so nothing closed it. The session now checks once more after
 * its registration. The race is made certain with a {@link RevocationCheck} that answers "not revoked" to the
 * handshake and "revoked" from then on, as a revocation store would if {@code revokeUser} ran in between.
 */
class RevocationRaceIT {

    private static final String ORIGIN = "https://chat.test";

    /** Not revoked at a subject's first check, revoked at every later one. */
    static final class RevokedRightAfterTheHandshake implements RevocationCheck {
        private final Map<String, AtomicInteger> checks = new ConcurrentHashMap<>();

        @Override
        public boolean isRevoked(JsonWebToken token) {
            return checks.computeIfAbsent(token.getSubject(), s -> new AtomicInteger()).incrementAndGet() > 1;
        }
    }

    @Test
    void sessionWhenRevokedBetweenHandshakeAndRegistrationThenClosed4401BeforeAnyMessage() throws Exception {
        try (GuardedServer server = TestGuard.serve(GuardConfig.builder().bansEnabled(false)
                .revocations(new RevokedRightAfterTheHandshake()), ORIGIN)) {
            String token = TestTokens.token().subject("late-revoked").sign();
            try (WsClient client = WsClient.connect(server.uri("/guarded"), ORIGIN, token)) {
                assertThat(client.closed.get(Duration.ofSeconds(5).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
                        .as("closed without sending anything").isEqualTo(4401);
            }
        }
    }
}
