package dev.wsguard;

import dev.wsguard.testing.RawHandshake;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.WsClient;
import dev.wsguard.testing.chat.FirstMessageChat;
import dev.wsguard.testing.chat.OpenChat;
import dev.wsguard.testing.chat.StandardFirstMessageChat;
import dev.wsguard.tyrus.GuardedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * First-message authentication ({@code wsguard.auth.mode=first-message}) on a real server: the handshake passes
 * without a token, the first message must be {@code {"type":"auth","token":...}} within the deadline, and nothing
 * reaches the endpoint's code before it. Against the unguarded endpoint an unauthenticated socket stays open and
 * its messages are handled.
 */
class AuthDeadlineIT {

    static final String ORIGIN = "https://chat.test";
    static final Duration DEADLINE = Duration.ofSeconds(1);
    static final String PING = "{\"type\":\"ping\"}";
    static final String PONG = "{\"type\":\"pong\"}";
    static final String AUTH_OK = "{\"type\":\"auth\",\"status\":\"ok\"}";

    static final ConcurrentLinkedQueue<SecurityEvent> EVENTS = new ConcurrentLinkedQueue<>();
    static GuardedServer server;
    /** The endpoint under test: the base-class shape here, the standard shape in a subclass (same counters). */
    static volatile String firstPath = "/first";

    @BeforeAll
    static void start() throws Exception {
        // Signing keys are made on first use (up to a second): not while a deadline runs.
        TestTokens.token().sign();
        FirstMessageChat.Guard.config = GuardConfig.builder().allowedOrigins(ORIGIN)
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048())).issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE)
                .authMode(GuardConfig.AuthMode.FIRST_MESSAGE).authDeadline(DEADLINE)
                .handshakeRateLimit(100_000, Duration.ofSeconds(1))
                .connectionQuotas(100, 1, 10_000, 20_000)
                .listener(EVENTS::add)
                .build();
        server = GuardedServer.builder().endpoint(FirstMessageChat.class).endpoint(StandardFirstMessageChat.class)
                .endpoint(OpenChat.class).build();
        server.start();
        // The first auth message of a JVM bootstraps JSON-B and Bean Validation (about a second on a busy box):
        // pay that once here, not inside a deadline that a test measures.
        try (WsClient warmUp = first()) {
            warmUp.send(auth(TestTokens.token().subject("warm-up").sign()));
            warmUp.poll(5_000);
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void clear() throws InterruptedException {
        // The previous test's sessions close asynchronously on the server: let them finish before counting anew.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (FirstMessageChat.OPENED.get() != FirstMessageChat.CLOSED.get() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        EVENTS.clear();
        FirstMessageChat.HANDLED.set(0);
        FirstMessageChat.OPENED.set(0);
        FirstMessageChat.CLOSED.set(0);
    }

    static WsClient first() throws Exception {
        return WsClient.connect(server.uri(firstPath), ORIGIN, null);
    }

    static String auth(String token) {
        return "{\"type\":\"auth\",\"token\":\"" + token + "\"}";
    }

    @Test
    void socketWhenUnguardedAndSilentThenStaysOpenPastTheDeadline() throws Exception {
        try (WsClient open = WsClient.connect(URI.create(server.uri("/open") + "?user=anyone"), null, null)) {
            Thread.sleep(DEADLINE.plusMillis(1000).toMillis());
            assertThat(open.send(PING).next()).as("unguarded: unauthenticated and still served").isEqualTo(PONG);
        }
    }

    @Test
    void socketWhenNoAuthMessageThenClosed4401WithinDeadlinePlusOneSecond() throws Exception {
        long opened = System.nanoTime();
        try (WsClient silent = first()) {
            assertThat(silent.closeCode()).isEqualTo(4401);
            long elapsedMillis = (System.nanoTime() - opened) / 1_000_000;
            assertThat(elapsedMillis).isBetween(DEADLINE.toMillis() - 50, DEADLINE.toMillis() + 1000);
        }
        assertThat(FirstMessageChat.OPENED).hasValue(0);
        assertThat(FirstMessageChat.CLOSED).as("closed() is for sessions that opened").hasValue(0);
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.SESSION_CLOSED).singleElement()
                .extracting(SecurityEvent::reason).isEqualTo(Rejection.AUTH_TIMEOUT);
    }

    @Test
    void messageWhenSentBeforeAuthThenNeverHandledAndClosed4401() throws Exception {
        try (WsClient eager = first()) {
            eager.send(PING);
            assertThat(eager.closeCode()).isEqualTo(4401);
            assertThat(eager.poll(100)).isNull();
        }
        assertThat(FirstMessageChat.HANDLED).hasValue(0);
        assertThat(FirstMessageChat.OPENED).hasValue(0);
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.SESSION_CLOSED).singleElement()
                .extracting(SecurityEvent::reason).isEqualTo(Rejection.TOKEN_MISSING);
    }

    @Test
    void authWhenTokenInvalidThenClosed4401AndNothingHandled() throws Exception {
        String forged = TestTokens.token().subject("mallory").unsigned();
        try (WsClient c = first()) {
            c.send(auth(forged));
            assertThat(c.closeCode()).isEqualTo(4401);
        }
        assertThat(FirstMessageChat.OPENED).hasValue(0);
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.SESSION_CLOSED).singleElement()
                .extracting(SecurityEvent::reason).isEqualTo(Rejection.TOKEN_ALGORITHM_NOT_ALLOWED);
    }

    @Test
    void authWhenValidThenSessionStaysPastDeadlineAndIsServed() throws Exception {
        String token = TestTokens.token().subject("amy").sign();
        try (WsClient c = first()) {
            assertThat(c.send(auth(token)).next()).isEqualTo(AUTH_OK);
            Thread.sleep(DEADLINE.plusMillis(500).toMillis());
            assertThat(c.send(PING).next()).isEqualTo(PONG);
            assertThat(FirstMessageChat.OPENED).hasValue(1);
        }
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.HANDSHAKE_ACCEPTED
                && "auth".equals(e.messageType())).singleElement().extracting(SecurityEvent::subject).isEqualTo("amy");
    }

    @Test
    void authWhenTokenExpiresThenClosed4401AtExpUnlessRefreshed() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant exp = now.plusSeconds(2);
        String bea = TestTokens.token().subject("bea").issuedAt(now).expiresAt(exp).sign();
        String cid = TestTokens.token().subject("cid").issuedAt(now).expiresAt(exp).sign();
        String cidLater = TestTokens.token().subject("cid").sign();
        try (WsClient expiring = first(); WsClient refreshed = first()) {
            assertThat(expiring.send(auth(bea)).next()).isEqualTo(AUTH_OK);
            assertThat(refreshed.send(auth(cid)).next()).isEqualTo(AUTH_OK);
            assertThat(refreshed.send(auth(cidLater)).next()).isEqualTo(AUTH_OK);

            assertThat(expiring.closeCode()).isEqualTo(4401);
            assertThat(System.currentTimeMillis() - exp.toEpochMilli()).isBetween(-50L, 1000L);
            assertThat(refreshed.send(PING).next()).as("refreshed: open past the old exp").isEqualTo(PONG);
        }
    }

    @Test
    void authWhenUserRevokedThenSessionClosed4401() throws Exception {
        Instant issued = Instant.now().minusSeconds(5).truncatedTo(ChronoUnit.SECONDS);
        // A subject of its own: a revocation outlives the server, and a subclass runs this test again.
        String dora = "dora-" + java.util.UUID.randomUUID();
        String token = TestTokens.token().subject(dora).issuedAt(issued).expiresAt(issued.plusSeconds(300)).sign();
        try (WsClient c = first()) {
            assertThat(c.send(auth(token)).next()).isEqualTo(AUTH_OK);
            assertThat(Revocations.shared().revokeUser(dora)).isEqualTo(1);
            assertThat(c.closeCode()).isEqualTo(4401);
        }
    }

    @Test
    void authWhenUserQuotaFullThenClosed4429() throws Exception {
        String token = TestTokens.token().subject("ezra").sign();
        try (WsClient one = first(); WsClient two = first()) {
            assertThat(one.send(auth(token)).next()).isEqualTo(AUTH_OK);
            two.send(auth(token));
            assertThat(two.closeCode()).as("per-user quota of 1, counted at the auth message").isEqualTo(4429);
            assertThat(one.send(PING).next()).isEqualTo(PONG);
        }
    }

    @Test
    void handshakeWhenOriginNotAllowedThen403EvenWithoutToken() throws Exception {
        assertThat(RawHandshake.to(server.uri(firstPath)).origin("https://evil.test").send().status()).isEqualTo(403);
        assertThat(RawHandshake.to(server.uri(firstPath)).origin(ORIGIN).send().status()).isEqualTo(101);
    }
}
