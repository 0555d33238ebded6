package dev.wsguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wsguard.testing.RawHandshake;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.chat.GuardedChat;
import dev.wsguard.testing.chat.TestGuard;
import dev.wsguard.tyrus.GuardedServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The verified-token cache on a real socket: a client reconnecting with a token already verified skips the
 * signature check, but everything else still runs on every handshake. Each test first gets a 101 with the token
 * (which puts it in the cache), then shows the second handshake refused for the reason a cache must not hide:
 * expiry, a tampered signature, revocation, the origin.
 */
class TokenCacheIT {

    static final String ORIGIN = "https://chat.test";
    static final ConcurrentLinkedQueue<SecurityEvent> EVENTS = new ConcurrentLinkedQueue<>();
    static final MovableClock CLOCK = new MovableClock();
    static GuardedServer server;

    /** The guard's clock, moved by the tests; starts at the real time so the session timers agree with it. */
    static final class MovableClock extends Clock {
        private volatile Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
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
                .clock(CLOCK)
                .listener(EVENTS::add)
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

    @BeforeEach
    void clear() {
        EVENTS.clear();
    }

    private static int handshake(String origin, String token) throws Exception {
        return RawHandshake.to(server.uri("/guarded")).origin(origin).bearer(token).send().status();
    }

    private static List<Rejection> refusals() {
        return EVENTS.stream().filter(e -> e.kind() == SecurityEvent.Kind.HANDSHAKE_REJECTED)
                .map(SecurityEvent::reason).toList();
    }

    private static String token(String subject, Instant iat, Instant exp) {
        return TestTokens.token().subject(subject).issuedAt(iat).expiresAt(exp).claim("jti", subject + "-1")
                .tenant("acme").scope("chat:read chat:write").groups("user").sign();
    }

    @Test
    void handshakeWhenCachedTokenPastExpThenHttp401() throws Exception {
        Instant now = CLOCK.instant();
        String token = token("erin", now, now.plusSeconds(120));
        assertThat(handshake(ORIGIN, token)).isEqualTo(101);
        assertThat(handshake(ORIGIN, token)).as("reconnect inside the lifetime").isEqualTo(101);

        CLOCK.advance(Duration.ofSeconds(120 + 61));

        assertThat(handshake(ORIGIN, token)).isEqualTo(401);
        assertThat(refusals()).containsExactly(Rejection.TOKEN_EXPIRED);
    }

    @Test
    void handshakeWhenCachedTokenSignatureTamperedThenHttp401() throws Exception {
        Instant now = CLOCK.instant();
        String token = token("fred", now, now.plusSeconds(300));
        assertThat(handshake(ORIGIN, token)).isEqualTo(101);

        int sig = token.lastIndexOf('.') + 1;
        String tampered = token.substring(0, sig) + (token.charAt(sig) == 'A' ? 'B' : 'A') + token.substring(sig + 1);

        assertThat(handshake(ORIGIN, tampered)).isEqualTo(401);
        assertThat(refusals()).containsExactly(Rejection.TOKEN_SIGNATURE_INVALID);
    }

    @Test
    void handshakeWhenCachedTokenRevokedThenHttp401() throws Exception {
        Instant now = CLOCK.instant();
        String token = token("gina", now, now.plusSeconds(300));
        assertThat(handshake(ORIGIN, token)).isEqualTo(101);

        Revocations.shared().revokeToken("gina-1");

        assertThat(handshake(ORIGIN, token)).isEqualTo(401);
        assertThat(refusals()).containsExactly(Rejection.TOKEN_REVOKED);
    }

    @Test
    void handshakeWhenCachedTokenFromOtherOriginThenHttp403() throws Exception {
        Instant now = CLOCK.instant();
        String token = token("hugo", now, now.plusSeconds(300));
        assertThat(handshake(ORIGIN, token)).isEqualTo(101);

        assertThat(handshake("https://evil.test", token)).isEqualTo(403);
        assertThat(refusals()).containsExactly(Rejection.ORIGIN_NOT_ALLOWED);
    }
}
