package dev.wsguard;

import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.WsClient;
import dev.wsguard.testing.chat.FeedChat;
import dev.wsguard.testing.chat.TestGuard;
import dev.wsguard.tyrus.GuardedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link GuardedBroadcaster} decides at send time, with real sockets: a subscriber whose token expired, was revoked,
 * or no longer passes the channel's rules gets nothing, while the others get every message. Each exclusion is also
 * shown failing with the broadcast a team without wsguard writes (the subscription checked once, when made).
 */
class BroadcasterIT {

    static final String ORIGIN = "https://chat.test";
    static final String NEWS = "tenant:acme:news";
    static final String SUBSCRIBE = "{\"type\":\"subscribe\",\"channel\":\"" + NEWS + "\"}";
    static final String SUBSCRIBED = "{\"type\":\"subscribed\",\"channel\":\"" + NEWS + "\"}";

    /** Subjects refused by the revocation store, which (like a shared deny list) does not close live sessions. */
    static final Set<String> DENIED = ConcurrentHashMap.newKeySet();
    static final ConcurrentLinkedQueue<SecurityEvent> EVENTS = new ConcurrentLinkedQueue<>();
    static GuardedServer server;

    @BeforeAll
    static void start() throws Exception {
        TestGuard.config = GuardConfig.builder().allowedOrigins(ORIGIN)
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048())).issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE)
                .handshakeRateLimit(100_000, java.time.Duration.ofSeconds(1))
                .revocations(token -> DENIED.contains(token.getSubject()))
                .listener(EVENTS::add)
                .build();
        server = GuardedServer.builder().endpoint(FeedChat.class).build();
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

    static TestTokens.Builder reader(String subject) {
        return TestTokens.token().subject(subject).tenant("acme").scope("chat:read chat:write");
    }

    static WsClient subscribed(String token) throws Exception {
        WsClient client = WsClient.connect(server.uri("/feed"), ORIGIN, token);
        assertThat(client.send(SUBSCRIBE).next()).isEqualTo(SUBSCRIBED);
        return client;
    }

    static String message(String text) {
        return "{\"type\":\"message\",\"text\":\"" + text + "\"}";
    }

    @Test
    void broadcastWhenSubscriberRevokedThenSkippedAndClosed4401WhileOthersReceive() throws Exception {
        try (WsClient victim = subscribed(reader("rita").sign()); WsClient other = subscribed(reader("sam").sign())) {
            DENIED.add("rita");
            try {
                FeedChat.naiveBroadcast(NEWS, message("naive"));
                assertThat(victim.next()).as("unguarded: the revoked user still reads").isEqualTo(message("naive"));
                assertThat(other.next()).isEqualTo(message("naive"));

                assertThat(FeedChat.CHANNELS.broadcast(NEWS, message("guarded"))).isEqualTo(1);
                assertThat(other.next()).isEqualTo(message("guarded"));
                assertThat(victim.closeCode()).isEqualTo(4401);
                assertThat(victim.poll(200)).isNull();
            } finally {
                DENIED.remove("rita");
            }
        }
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.SESSION_CLOSED).singleElement()
                .satisfies(e -> {
                    assertThat(e.reason()).isEqualTo(Rejection.TOKEN_REVOKED);
                    assertThat(e.subject()).isEqualTo("rita");
                });
    }

    @Test
    void broadcastWhenSubscriberTokenExpiredThenNothingDeliveredAndClosed4401() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant exp = now.plusSeconds(2);
        try (WsClient expiring = subscribed(reader("tess").issuedAt(now).expiresAt(exp).sign());
             WsClient other = subscribed(reader("uma").sign())) {
            assertThat(FeedChat.CHANNELS.broadcast(NEWS, message("before"))).isEqualTo(2);
            assertThat(expiring.next()).isEqualTo(message("before"));
            assertThat(other.next()).isEqualTo(message("before"));

            assertThat(expiring.closeCode()).isEqualTo(4401);
            assertThat(System.currentTimeMillis() - exp.toEpochMilli()).as("closed within a second of exp")
                    .isBetween(-50L, 1000L);
            assertThat(FeedChat.CHANNELS.broadcast(NEWS, message("after"))).isEqualTo(1);
            assertThat(other.next()).isEqualTo(message("after"));
            assertThat(expiring.poll(200)).isNull();
        }
    }

    @Test
    void broadcastWhenRefreshedTokenNoLongerPassesChannelRuleThenSkippedButSessionStays() throws Exception {
        try (WsClient mover = subscribed(reader("vic").sign()); WsClient other = subscribed(reader("wes").sign())) {
            // Same subject, so the refresh is accepted; but the new token belongs to another tenant.
            String moved = TestTokens.token().subject("vic").tenant("globex").scope("chat:read chat:write").sign();
            assertThat(mover.send("{\"type\":\"auth\",\"token\":\"" + moved + "\"}").next())
                    .isEqualTo("{\"type\":\"auth\",\"status\":\"ok\"}");

            FeedChat.naiveBroadcast(NEWS, message("naive"));
            assertThat(mover.next()).as("unguarded: the other tenant's channel still flows").isEqualTo(message("naive"));
            assertThat(other.next()).isEqualTo(message("naive"));

            assertThat(FeedChat.CHANNELS.broadcast(NEWS, message("guarded"))).isEqualTo(1);
            assertThat(other.next()).isEqualTo(message("guarded"));
            assertThat(mover.send("{\"type\":\"ping\"}").next()).as("skipped, not closed")
                    .isEqualTo("{\"type\":\"pong\"}");
            assertThat(FeedChat.CHANNELS.isSubscribed(sessionOf("vic"), NEWS)).isFalse();
        }
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.AUTHORIZATION_DENIED).singleElement()
                .satisfies(e -> {
                    assertThat(e.reason()).isEqualTo(Rejection.CHANNEL_FORBIDDEN);
                    assertThat(e.messageType()).isEqualTo("subscribe");
                });
    }

    @Test
    void broadcastWhenRefreshedTokenLostScopeThenSkipped() throws Exception {
        try (WsClient demoted = subscribed(reader("xena").sign()); WsClient other = subscribed(reader("yves").sign())) {
            String narrower = TestTokens.token().subject("xena").tenant("acme").scope("chat:write").sign();
            assertThat(demoted.send("{\"type\":\"auth\",\"token\":\"" + narrower + "\"}").next())
                    .isEqualTo("{\"type\":\"auth\",\"status\":\"ok\"}");

            assertThat(FeedChat.CHANNELS.broadcast(NEWS, message("guarded"))).isEqualTo(1);
            assertThat(other.next()).isEqualTo(message("guarded"));
            assertThat(demoted.poll(200)).isNull();
        }
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.AUTHORIZATION_DENIED)
                .extracting(SecurityEvent::reason).containsExactly(Rejection.SCOPE_MISSING);
    }

    /** The server-side session of the subscriber with {@code subject} (still subscribed in the plain map). */
    static jakarta.websocket.Session sessionOf(String subject) {
        return FeedChat.NAIVE.get(NEWS).stream()
                .filter(s -> subject.equals(WsGuard.identity(s).getSubject())).findFirst().orElseThrow();
    }
}
