package dev.wsguard;

import dev.wsguard.internal.EventSink;
import dev.wsguard.testing.RawHandshake;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.WsClient;
import dev.wsguard.testing.chat.AuditedChat;
import dev.wsguard.testing.chat.TestGuard;
import dev.wsguard.testing.telemetry.Await;
import dev.wsguard.testing.telemetry.Handshakes;
import dev.wsguard.tyrus.GuardedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every rejection path, run against a real Tyrus server, emits exactly one refusal event of the right kind and
 * reason; and no event or audit log line ever carries a token used (nor its signature or payload part) or message
 * content.
 */
class AuditEventIT {

    static final String ORIGIN = "https://chat.test";
    static final String ENDPOINT = "/audited";
    /** Kinds that record normal life, not refusals: they may accompany a refusal. */
    static final Set<SecurityEvent.Kind> LIFE = Set.of(SecurityEvent.Kind.HANDSHAKE_ACCEPTED,
            SecurityEvent.Kind.CONNECTION_CLOSED, SecurityEvent.Kind.TOKEN_REFRESHED, SecurityEvent.Kind.ACTION);

    static final ConcurrentLinkedQueue<SecurityEvent> EVENTS = new ConcurrentLinkedQueue<>();
    static final ConcurrentLinkedQueue<SecurityEvent> ALL_EVENTS = new ConcurrentLinkedQueue<>();
    static final ConcurrentLinkedQueue<String> LOG_LINES = new ConcurrentLinkedQueue<>();
    static final List<String> TOKENS = new ArrayList<>();
    static final List<String> CONTENT = new ArrayList<>();
    static final Revocations REVOCATIONS = new Revocations(Duration.ofHours(1), Clock.systemUTC());
    static final Logger AUDIT = Logger.getLogger(EventSink.AUDIT_LOGGER);
    static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            LOG_LINES.add(record.getLevel() + " " + record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    static GuardedServer server;

    @BeforeAll
    static void start() throws Exception {
        AUDIT.setLevel(Level.ALL);
        AUDIT.addHandler(CAPTURE);
        TestGuard.config = GuardConfig.builder()
                .allowedOrigins(ORIGIN)
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048()))
                .issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE)
                .handshakeRateLimit(100_000, Duration.ofSeconds(1))
                .maxViolations(100)
                .bansEnabled(false)
                .revocations(REVOCATIONS)
                .listener(e -> {
                    EVENTS.add(e);
                    ALL_EVENTS.add(e);
                })
                .build();
        server = GuardedServer.builder().endpoint(AuditedChat.class).maxMessageBytes(64 * 1024).build();
        server.start();
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) {
                server.close();
            }
            assertThat(LOG_LINES).as("the audit logger received the events").isNotEmpty();
            assertNoSecret();
        } finally {
            AUDIT.removeHandler(CAPTURE);
            AUDIT.setLevel(null);
        }
    }

    @BeforeEach
    void clear() {
        EVENTS.clear();
    }

    /** Registers a token so that the final scan looks for it, and its signature and payload parts. */
    static String used(String token) {
        synchronized (TOKENS) {
            TOKENS.add(token);
        }
        return token;
    }

    static String content(String secret) {
        synchronized (CONTENT) {
            CONTENT.add(secret);
        }
        return secret;
    }

    static String alice() {
        return used(TestTokens.token().subject("alice").tenant("acme").scope("chat:read chat:write")
                .groups("user").sign());
    }

    static WsClient connect(String token) throws Exception {
        return WsClient.connect(server.uri(ENDPOINT), ORIGIN, token);
    }

    static int handshake(String origin, String token) throws Exception {
        RawHandshake request = RawHandshake.to(server.uri(ENDPOINT));
        if (origin != null) {
            request.origin(origin);
        }
        if (token != null) {
            request.bearer(token);
        }
        return Handshakes.send(request, server.uri(ENDPOINT), "127.0.0.1").status();
    }

    /** Waits until the refusal is reported (and the session's end, if one opened); then it must be the only one. */
    static void assertOneRefusal(SecurityEvent.Kind kind, Rejection reason, boolean sessionOpened) {
        Await.until(kind + "/" + reason, Duration.ofSeconds(10), () -> EVENTS.stream().anyMatch(
                e -> e.kind() == kind && e.reason() == reason));
        if (sessionOpened) {
            Await.until("the close event", Duration.ofSeconds(10), () -> EVENTS.stream().anyMatch(
                    e -> e.kind() == SecurityEvent.Kind.CONNECTION_CLOSED));
        }
        assertThat(EVENTS).filteredOn(e -> !LIFE.contains(e.kind()))
                .extracting(SecurityEvent::kind, SecurityEvent::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(kind, reason));
        assertThat(EVENTS).allSatisfy(e -> assertThat(e.endpoint()).isEqualTo(ENDPOINT));
    }

    @Test
    void handshakeWhenOriginNotAllowedThenOneEvent() throws Exception {
        assertThat(handshake("https://evil.test", alice())).isEqualTo(403);
        assertOneRefusal(SecurityEvent.Kind.HANDSHAKE_REJECTED, Rejection.ORIGIN_NOT_ALLOWED, false);
        assertThat(EVENTS).singleElement().satisfies(e -> {
            assertThat(e.origin()).isEqualTo("https://evil.test");
            assertThat(e.clientAddress()).isEqualTo("127.0.0.1");
            assertThat(e.connectionId()).isNotNull();
        });
    }

    @Test
    void handshakeWhenTokenMissingThenOneEvent() throws Exception {
        assertThat(handshake(ORIGIN, null)).isEqualTo(401);
        assertOneRefusal(SecurityEvent.Kind.HANDSHAKE_REJECTED, Rejection.TOKEN_MISSING, false);
    }

    @Test
    void handshakeWhenTokenGarbageThenOneEvent() throws Exception {
        assertThat(handshake(ORIGIN, used("garbage.tok3n-secret.value"))).isEqualTo(401);
        assertOneRefusal(SecurityEvent.Kind.HANDSHAKE_REJECTED, Rejection.TOKEN_MALFORMED, false);
    }

    @Test
    void handshakeWhenTokenExpiredThenOneEventWithFingerprintOnly() throws Exception {
        Instant now = Instant.now();
        String expired = used(TestTokens.token().issuedAt(now.minusSeconds(900)).expiresAt(now.minusSeconds(300))
                .sign());
        assertThat(handshake(ORIGIN, expired)).isEqualTo(401);
        assertOneRefusal(SecurityEvent.Kind.HANDSHAKE_REJECTED, Rejection.TOKEN_EXPIRED, false);
        assertThat(EVENTS).singleElement().satisfies(e -> {
            assertThat(e.tokenFingerprint()).hasSize(16);
            assertThat(e.subject()).as("an unverified subject is never reported").isNull();
        });
    }

    @Test
    void handshakeWhenWrongIssuerThenOneEvent() throws Exception {
        assertThat(handshake(ORIGIN, used(TestTokens.token().issuer("https://evil-issuer.test").sign())))
                .isEqualTo(401);
        assertOneRefusal(SecurityEvent.Kind.HANDSHAKE_REJECTED, Rejection.TOKEN_ISSUER_MISMATCH, false);
    }

    @Test
    void handshakeWhenAlgNoneThenOneEvent() throws Exception {
        assertThat(handshake(ORIGIN, used(TestTokens.token().unsigned()))).isEqualTo(401);
        assertOneRefusal(SecurityEvent.Kind.HANDSHAKE_REJECTED, Rejection.TOKEN_ALGORITHM_NOT_ALLOWED, false);
    }

    @Test
    void messageWhenForbiddenThenOneAuthorizationDenied() throws Exception {
        try (WsClient c = connect(alice())) {
            c.send("{\"type\":\"kick\",\"user\":\"" + content("victim-7f3a") + "\"}").next();
        }
        assertOneRefusal(SecurityEvent.Kind.AUTHORIZATION_DENIED, Rejection.ROLE_MISSING, true);
    }

    @Test
    void messageWhenRateLimitedThenOneRateLimited() throws Exception {
        String token = used(TestTokens.token().subject("rlim").tenant("acme").scope("chat:write").sign());
        try (WsClient c = connect(token)) {
            for (int i = 0; i < 4; i++) {
                c.send("{\"type\":\"publish\",\"channel\":\"tenant:acme:general\",\"text\":\""
                        + content("words-" + i + "-c0ffee") + "\"}").next();
            }
        }
        assertOneRefusal(SecurityEvent.Kind.RATE_LIMITED, Rejection.RATE_LIMITED, true);
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.ACTION).hasSize(3)
                .allSatisfy(e -> {
                    assertThat(e.messageType()).isEqualTo("publish");
                    assertThat(e.channel()).isEqualTo("tenant:acme:general");
                    assertThat(e.subject()).isEqualTo("rlim");
                });
    }

    @Test
    void messageWhenMalformedThenOneSessionClosed1007() throws Exception {
        try (WsClient c = connect(alice())) {
            c.send("{\"type\":\"ping\",\"" + content("leak-field-51d") + "\":1}");
            assertThat(c.closeCode()).isEqualTo(1007);
        }
        assertOneRefusal(SecurityEvent.Kind.SESSION_CLOSED, Rejection.MESSAGE_MALFORMED, true);
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.SESSION_CLOSED).singleElement()
                .satisfies(e -> assertThat(e.closeCode()).isEqualTo(1007));
    }

    @Test
    void messageWhenOversizedThenOneSessionClosed1009FromTheFrameFilter() throws Exception {
        try (WsClient c = connect(alice())) {
            c.send("{\"type\":\"publish\",\"channel\":\"tenant:acme:general\",\"text\":\""
                    + content("big-" + "y".repeat(100_000)) + "\"}");
            assertThat(c.closeCode()).isEqualTo(1009);
        }
        assertOneRefusal(SecurityEvent.Kind.SESSION_CLOSED, Rejection.MESSAGE_TOO_BIG, true);
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.SESSION_CLOSED).singleElement()
                .satisfies(e -> {
                    assertThat(e.closeCode()).isEqualTo(1009);
                    assertThat(e.subject()).isEqualTo("alice");
                });
    }

    @Test
    void sessionWhenTokenExpiresThenOneSessionClosed4401() throws Exception {
        Instant now = Instant.now();
        String shortLived = used(TestTokens.token().subject("brief").issuedAt(now).expiresAt(now.plusSeconds(2))
                .sign());
        try (WsClient c = connect(shortLived)) {
            assertThat(c.closeCode()).isEqualTo(4401);
        }
        assertOneRefusal(SecurityEvent.Kind.SESSION_CLOSED, Rejection.TOKEN_EXPIRED, true);
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.CONNECTION_CLOSED).singleElement()
                .satisfies(e -> {
                    assertThat(e.subject()).isEqualTo("brief");
                    assertThat(e.duration()).isGreaterThan(Duration.ofMillis(500));
                    assertThat(e.closeCode()).isNotNull();
                });
    }

    @Test
    void sessionWhenUserRevokedThenOneSessionClosed4401() throws Exception {
        String token = used(TestTokens.token().subject("rita").issuedAt(Instant.now().minusSeconds(5)).sign());
        try (WsClient c = connect(token)) {
            Await.until("rita's session is live", Duration.ofSeconds(5), () -> EVENTS.stream()
                    .anyMatch(e -> e.kind() == SecurityEvent.Kind.HANDSHAKE_ACCEPTED));
            assertThat(c.send("{\"type\":\"ping\"}").next()).isEqualTo("{\"type\":\"pong\"}");
            assertThat(REVOCATIONS.revokeUser("rita")).isEqualTo(1);
            assertThat(c.closeCode()).isEqualTo(4401);
        }
        assertOneRefusal(SecurityEvent.Kind.SESSION_CLOSED, Rejection.TOKEN_REVOKED, true);
    }

    @Test
    void sessionWhenTokenRefreshedThenRefreshEventAndNoRefusal() throws Exception {
        try (WsClient c = connect(alice())) {
            String fresh = alice();
            assertThat(c.send("{\"type\":\"auth\",\"token\":\"" + fresh + "\"}").next())
                    .isEqualTo("{\"type\":\"auth\",\"status\":\"ok\"}");
            assertThat(c.send("{\"type\":\"subscribe\",\"channel\":\"tenant:acme:" + "general\"}").next())
                    .startsWith("{\"type\":\"subscribed\"");
        }
        Await.until("the close event", Duration.ofSeconds(10), () -> EVENTS.stream().anyMatch(
                e -> e.kind() == SecurityEvent.Kind.CONNECTION_CLOSED));
        assertThat(EVENTS).extracting(SecurityEvent::kind).containsExactly(SecurityEvent.Kind.HANDSHAKE_ACCEPTED,
                SecurityEvent.Kind.TOKEN_REFRESHED, SecurityEvent.Kind.ACTION, SecurityEvent.Kind.CONNECTION_CLOSED);
    }

    static void assertNoSecret() {
        List<String> secrets = new ArrayList<>(CONTENT);
        for (String token : TOKENS) {
            secrets.add(token);
            String[] parts = token.split("\\.");
            for (String part : parts) {
                if (part.length() >= 8) {
                    secrets.add(part);
                }
            }
        }
        List<String> emitted = new ArrayList<>(LOG_LINES);
        ALL_EVENTS.forEach(e -> emitted.add(e.toJson()));
        ALL_EVENTS.forEach(e -> emitted.add(e.toString()));
        assertThat(emitted).hasSizeGreaterThan(20);
        for (String line : emitted) {
            for (String secret : secrets) {
                assertThat(line).as("an event or audit line").doesNotContain(secret);
            }
        }
    }
}
