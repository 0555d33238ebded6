package dev.wsguard;

import dev.wsguard.internal.EventSink;
import dev.wsguard.testing.RawHandshake;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.WsClient;
import dev.wsguard.testing.chat.TestGuard;
import dev.wsguard.testing.telemetry.Await;
import dev.wsguard.testing.telemetry.Handshakes;
import dev.wsguard.tyrus.GuardedServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A client that keeps violating is banned at the handshake (429 with {@code Retry-After}), a well-behaved client at
 * another address is not, and the ban ends on time; against a real Tyrus server, clients on distinct loopback
 * addresses.
 */
class AbuseBanIT {

    static final String ORIGIN = "https://chat.test";
    static final String ATTACKER = "127.0.0.1";
    static final String NEIGHBOUR = "127.0.0.2";

    final ConcurrentLinkedQueue<SecurityEvent> events = new ConcurrentLinkedQueue<>();
    GuardedServer server;

    void start(GuardConfig.Builder config) throws Exception {
        server = TestGuard.serve(config.handshakeRateLimit(100_000, Duration.ofSeconds(1)).listener(events::add),
                ORIGIN);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    URI uri() {
        return server.uri("/guarded");
    }

    Handshakes.Answer handshake(String token, String from) throws Exception {
        return Handshakes.send(RawHandshake.to(uri()).origin(ORIGIN).bearer(token), uri(), from);
    }

    @Test
    void handshakeWhenBansOffThenViolatorKeepsTrying() throws Exception {
        start(GuardConfig.builder().bansEnabled(false));
        for (int i = 0; i < 10; i++) {
            assertThat(handshake(TestTokens.forged(), ATTACKER).status()).isEqualTo(401);
        }
        assertThat(handshake(TestTokens.token().sign(), ATTACKER).status()).as("no ban without bans").isEqualTo(101);
        assertThat(events).noneMatch(e -> e.kind() == SecurityEvent.Kind.BANNED);
    }

    @Test
    void handshakeWhenAddressKeepsViolatingThenHttp429RetryAfterUntilBanEnds() throws Exception {
        start(GuardConfig.builder().bans(3, Duration.ofSeconds(30), Duration.ofSeconds(2)));
        String forged = TestTokens.forged();
        for (int i = 0; i < 4; i++) {
            assertThat(handshake(forged, ATTACKER).status()).as("violation %d answered as usual", i + 1).isEqualTo(401);
        }
        assertThat(events).filteredOn(e -> e.kind() == SecurityEvent.Kind.BANNED).singleElement().satisfies(e -> {
            assertThat(e.clientAddress()).isEqualTo(ATTACKER);
            assertThat(e.subject()).isNull();
            assertThat(e.reason()).isEqualTo(Rejection.TOKEN_SIGNATURE_INVALID);
            assertThat(e.duration()).isEqualTo(Duration.ofSeconds(2));
        });

        String valid = TestTokens.token().sign();
        Handshakes.Answer banned = handshake(valid, ATTACKER);
        assertThat(banned.status()).as("even a valid token from the banned address").isEqualTo(429);
        assertThat(Integer.parseInt(banned.headers().get("retry-after"))).isBetween(1, 2);
        assertThat(events).filteredOn(e -> e.reason() == Rejection.ADDRESS_BANNED).singleElement()
                .satisfies(e -> assertThat(e.tokenFingerprint()).as("refused before any token work").isNull());

        assertThat(handshake(valid, NEIGHBOUR).status()).as("another address is not affected").isEqualTo(101);

        Await.until("the unban", Duration.ofSeconds(10),
                () -> events.stream().anyMatch(e -> e.kind() == SecurityEvent.Kind.UNBANNED));
        assertThat(events).filteredOn(e -> e.kind() == SecurityEvent.Kind.UNBANNED).singleElement()
                .satisfies(e -> assertThat(e.clientAddress()).isEqualTo(ATTACKER));
        assertThat(handshake(valid, ATTACKER).status()).as("allowed again after the ban").isEqualTo(101);
    }

    /**
     * A banned client that reconnects at once costs a whole handshake each time (HTTP parse, checks, a 429). Once it
     * has had a few 429 answers with {@code Retry-After}, its connections are closed at accept, unread, until the
     * ban ends; another address is unaffected.
     */
    @Test
    void handshakeWhenBannedAddressKeepsReconnectingAfterIts429sThenClosedAtAcceptUnread() throws Exception {
        start(GuardConfig.builder().bans(3, Duration.ofSeconds(30), Duration.ofSeconds(3)));
        String forged = TestTokens.forged();
        for (int i = 0; i < 4; i++) {
            handshake(forged, ATTACKER);
        }
        String valid = TestTokens.token().sign();
        for (int i = 0; i < 5; i++) {
            assertThat(handshake(valid, ATTACKER).status()).as("answered first, %d", i + 1).isEqualTo(429);
        }
        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> handshake(valid, ATTACKER)).as("closed unanswered")
                    .isInstanceOf(java.io.IOException.class);
        }
        assertThat(events).filteredOn(e -> e.reason() == Rejection.ADDRESS_BANNED).as("no request read after the 5th")
                .hasSize(5);
        assertThat(handshake(valid, NEIGHBOUR).status()).as("another address is not affected").isEqualTo(101);

        Await.until("the unban", Duration.ofSeconds(10),
                () -> events.stream().anyMatch(e -> e.kind() == SecurityEvent.Kind.UNBANNED));
        assertThat(handshake(valid, ATTACKER).status()).as("allowed again after the ban").isEqualTo(101);
    }

    /**
     * A banned address that keeps reconnecting must not be able to flood the audit log: the refusals still reach the
     * listeners one by one, but the log takes at most 10 lines of them a second, and a later line says how many
     * were left out.
     */
    @Test
    void handshakeWhenBannedAddressReconnects300TimesThenAuditLogTakesAFewLinesAndCountsTheRest() throws Exception {
        captureAudit(() -> {
            // A trusted proxy (none of the clients here) keeps every refusal a handshake: no drop at accept.
            start(GuardConfig.builder().bans(3, Duration.ofSeconds(30), Duration.ofSeconds(30))
                    .trustedProxies("192.0.2.1/32"));
            String forged = TestTokens.forged();
            for (int i = 0; i < 4; i++) {
                handshake(forged, ATTACKER);
            }
            long start = System.nanoTime();
            for (int i = 0; i < 300; i++) {
                assertThat(handshake(forged, ATTACKER).status()).isEqualTo(429);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(events).filteredOn(e -> e.reason() == Rejection.ADDRESS_BANNED).hasSize(300);
            assertThat(bannedLines(auditLines)).as("at most 10 lines a second (%.2f s of refusals)", seconds)
                    .hasSizeBetween(1, 10 * ((int) Math.ceil(seconds) + 1));
            Thread.sleep(1_100);
            assertThat(handshake(forged, ATTACKER).status()).isEqualTo(429);
        });
        assertLeftOutCounted(bannedLines(auditLines), 301);
    }

    /**
     * Lines were left out and a later line counts them, and lines plus the counts make {@code refusals}. The count
     * rides on the next line written for the reason: within the flood when a new second of the cap began during it,
     * else on the line after the pause; which one depends on where the cap's seconds fall.
     */
    private static void assertLeftOutCounted(List<String> written, int refusals) {
        long counted = written.stream().filter(l -> l.contains("\"not_logged_before\":"))
                .mapToLong(l -> Long.parseLong(l.replaceAll(".*\"not_logged_before\":(\\d+).*", "$1"))).sum();
        assertThat(counted).as("lines left out, and counted").isPositive();
        assertThat(written.size() + counted).as("every refusal is either a line or counted in one")
                .isEqualTo(refusals);
    }

    /**
     * A client flooding its open session is refused on every message past the limit: every refusal is an event, but
     * the log takes at most 10 lines of them a second, and a later line says how many were left out.
     */
    @Test
    void messageWhenSessionFloodsPastItsLimitThenAuditLogTakesAFewLinesAndCountsTheRest() throws Exception {
        captureAudit(() -> {
            start(GuardConfig.builder().bansEnabled(false).maxViolations(100_000)
                    .rateLimit("session", 5, Duration.ofSeconds(30)));
            try (WsClient c = WsClient.connect(uri(), ORIGIN, TestTokens.token().subject("mallory").sign())) {
                long start = System.nanoTime();
                for (int i = 0; i < 305; i++) {
                    c.send("{\"type\":\"ping\"}");
                }
                for (int i = 0; i < 305; i++) {
                    c.next();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                assertThat(events).filteredOn(e -> e.reason() == Rejection.RATE_LIMITED).hasSize(300);
                assertThat(rateLimitedLines()).as("at most 10 lines a second (%.2f s of refusals)", seconds)
                        .hasSizeBetween(1, 10 * ((int) Math.ceil(seconds) + 1));
                Thread.sleep(1_100);
                c.send("{\"type\":\"ping\"}").next();
            }
        });
        assertLeftOutCounted(rateLimitedLines(), 301);
    }

    private final ConcurrentLinkedQueue<String> auditLines = new ConcurrentLinkedQueue<>();

    private List<String> rateLimitedLines() {
        return auditLines.stream().filter(l -> l.contains("\"reason\":\"RATE_LIMITED\"")).toList();
    }

    interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} with the audit log's lines captured in {@link #auditLines}. */
    private void captureAudit(Body body) throws Exception {
        Logger audit = Logger.getLogger(EventSink.AUDIT_LOGGER);
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                auditLines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        audit.addHandler(capture);
        try {
            body.run();
        } finally {
            audit.removeHandler(capture);
        }
    }

    private static List<String> bannedLines(java.util.Collection<String> lines) {
        return lines.stream().filter(l -> l.contains("\"ADDRESS_BANNED\"")).toList();
    }

    @Test
    void handshakeWhenUserKeepsViolatingOnItsSessionsThenUserBannedAtAnyAddress() throws Exception {
        start(GuardConfig.builder().bans(3, Duration.ofSeconds(30), Duration.ofSeconds(30)).maxViolations(100));
        String mallory = TestTokens.token().subject("mallory").groups("user").sign();
        try (WsClient c = WsClient.connect(uri(), ORIGIN, mallory)) {
            for (int i = 0; i < 4; i++) {
                assertThat(c.send("{\"type\":\"kick\",\"user\":\"bob\"}").next())
                        .isEqualTo("{\"type\":\"error\",\"code\":\"forbidden\"}");
            }
        }
        assertThat(events).filteredOn(e -> e.kind() == SecurityEvent.Kind.BANNED)
                .extracting(e -> e.subject() != null ? "user " + e.subject() : "address " + e.clientAddress())
                .containsExactlyInAnyOrder("user mallory", "address " + ATTACKER);

        Handshakes.Answer answer = handshake(TestTokens.token().subject("mallory").sign(), NEIGHBOUR);
        assertThat(answer.status()).as("the user from a clean address").isEqualTo(429);
        assertThat(Integer.parseInt(answer.headers().get("retry-after"))).isBetween(1, 30);
        assertThat(events).filteredOn(e -> e.reason() == Rejection.USER_BANNED).hasSize(1);
        assertThat(handshake(TestTokens.token().subject("bob").sign(), NEIGHBOUR).status())
                .as("another user from that address").isEqualTo(101);
    }

    @Test
    void handshakeWhenViolationsStayUnderTheLimitThenNoBan() throws Exception {
        start(GuardConfig.builder().bans(3, Duration.ofSeconds(30), Duration.ofSeconds(30)));
        for (int i = 0; i < 3; i++) {
            assertThat(handshake(TestTokens.forged(), ATTACKER).status()).isEqualTo(401);
        }
        for (String user : List.of("alice", "bob", "carol")) {
            assertThat(handshake(TestTokens.token().subject(user).sign(), ATTACKER).status()).isEqualTo(101);
        }
        assertThat(events).noneMatch(e -> e.kind() == SecurityEvent.Kind.BANNED);
    }
}
