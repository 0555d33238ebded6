package dev.wsguard;

import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.WsClient;
import dev.wsguard.testing.chat.GuardedChat;
import dev.wsguard.testing.chat.OpenChat;
import dev.wsguard.testing.chat.StandardChat;
import dev.wsguard.testing.chat.TestGuard;
import dev.wsguard.tyrus.GuardedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks on open sessions, against a real Tyrus server over real sockets: each is shown to work on the unguarded
 * endpoint ({@code /open}: the same replies, plain JSON-B, no checks) and to fail on the guarded one with the
 * documented answer, while well-behaved sessions keep working.
 */
class MessageAttackIT {

    static final String ORIGIN = "https://chat.test";
    static final String ERROR_FORBIDDEN = "{\"type\":\"error\",\"code\":\"forbidden\"}";
    static final String ERROR_INVALID = "{\"type\":\"error\",\"code\":\"invalid\"}";
    static final String ERROR_RATE_LIMITED = "{\"type\":\"error\",\"code\":\"rate_limited\"}";
    static final String PONG = "{\"type\":\"pong\"}";

    static final ConcurrentLinkedQueue<SecurityEvent> EVENTS = new ConcurrentLinkedQueue<>();
    static GuardedServer server;
    /** The guarded endpoint under attack: the base-class shape here, the standard shape in a subclass. */
    static volatile String guardedPath = "/guarded";

    @BeforeAll
    static void start() throws Exception {
        TestGuard.config = GuardConfig.builder()
                .allowedOrigins(ORIGIN)
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048()))
                .issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE)
                .maxViolations(5)
                .handshakeRateLimit(100_000, Duration.ofSeconds(1))
                .rateLimit("session", 20, Duration.ofSeconds(30))
                .listener(EVENTS::add)
                .build();
        server = GuardedServer.builder().endpoint(GuardedChat.class).endpoint(StandardChat.class).endpoint(OpenChat.class)
                .build();
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

    static WsClient guarded(String token) throws Exception {
        WsClient client = WsClient.connect(server.uri(guardedPath), ORIGIN, token);
        return client;
    }

    static WsClient open(String user) throws Exception {
        return WsClient.connect(URI.create(server.uri("/open") + "?user=" + user), null, null);
    }

    static String alice() {
        return TestTokens.token().subject("alice").tenant("acme").scope("chat:read chat:write")
                .claim("rooms", List.of("lobby")).groups("user").sign();
    }

    static String user(String sub) {
        return TestTokens.token().subject(sub).tenant("acme").scope("chat:read chat:write").groups("user").sign();
    }

    static List<Rejection> reasons() {
        List<Rejection> all = new ArrayList<>();
        EVENTS.stream().filter(e -> e.reason() != null).forEach(e -> all.add(e.reason()));
        return all;
    }

    @Test
    void messageWhenWellFormedAndAllowedThenHandled() throws Exception {
        try (WsClient c = guarded(alice())) {
            assertThat(c.send("{\"type\":\"ping\"}").next()).isEqualTo(PONG);
            assertThat(c.send("{\"type\":\"subscribe\",\"channel\":\"tenant:acme:general\"}").next())
                    .isEqualTo("{\"type\":\"subscribed\",\"channel\":\"tenant:acme:general\"}");
            assertThat(c.send("{\"type\":\"join\",\"channel\":\"room:lobby\"}").next())
                    .isEqualTo("{\"type\":\"joined\",\"channel\":\"room:lobby\"}");
        }
        assertThat(EVENTS).noneMatch(e -> e.reason() != null);
    }

    @Test
    void messageWhenDuplicateKeySmugglesSiblingTenantThenClose1007() throws Exception {
        String smuggled = "{\"type\":\"subscribe\",\"channel\":\"tenant:acme:general\","
                + "\"channel\":\"tenant:globex:general\"}";
        try (WsClient attacker = open("alice")) {
            assertThat(attacker.send(smuggled).next()).as("last key wins without the guard")
                    .isEqualTo("{\"type\":\"subscribed\",\"channel\":\"tenant:globex:general\"}");
        }
        try (WsClient attacker = guarded(alice())) {
            attacker.send(smuggled);
            assertThat(attacker.closeCode()).isEqualTo(1007);
        }
        assertThat(reasons()).containsExactly(Rejection.MESSAGE_MALFORMED);
    }

    @Test
    void messageWhenIntegerOverflowsThenClose1007() throws Exception {
        // No contrast here: Yasson 3.0.4 decodes polymorphic types through a buffered JSON structure and throws on
        // int overflow there (it wraps silently only when binding straight into a record).
        for (String overflow : List.of("{\"type\":\"bid\",\"amount\":4294967297}",
                "{\"type\":\"bid\",\"amount\":1.5}", "{\"type\":\"bid\",\"amount\":1e400}",
                "{\"type\":\"bid\",\"amount\":\"5\"}")) {
            try (WsClient attacker = guarded(alice())) {
                attacker.send(overflow);
                assertThat(attacker.closeCode()).as(overflow).isEqualTo(1007);
            }
        }
    }

    @Test
    void messageWhenUnknownFieldThenClose1007() throws Exception {
        String extra = "{\"type\":\"ping\",\"admin\":true}";
        try (WsClient attacker = open("alice")) {
            assertThat(attacker.send(extra).next()).isEqualTo(PONG);
        }
        try (WsClient attacker = guarded(alice())) {
            attacker.send(extra);
            assertThat(attacker.closeCode()).isEqualTo(1007);
        }
    }

    @Test
    void messageWhenUnknownTypeOrDeepOrNotJsonThenClose1007() throws Exception {
        for (String bad : List.of("{\"type\":\"admin\"}", "{}", "[]", "not json", "{\"type\":\"ping\"} trailing",
                "[".repeat(5000) + "]".repeat(5000))) {
            try (WsClient attacker = guarded(alice())) {
                attacker.send(bad);
                assertThat(attacker.closeCode()).as(bad.length() > 40 ? "deep nesting" : bad).isEqualTo(1007);
            }
        }
    }

    @Test
    void messageWhenConstraintViolatedThenErrorInvalidAndSessionUsable() throws Exception {
        try (WsClient c = guarded(alice())) {
            assertThat(c.send("{\"type\":\"publish\",\"channel\":\"tenant:acme:general\",\"text\":\"\"}").next())
                    .isEqualTo(ERROR_INVALID);
            assertThat(c.send("{\"type\":\"ping\"}").next()).isEqualTo(PONG);
        }
        assertThat(reasons()).containsExactly(Rejection.MESSAGE_INVALID);
    }

    @Test
    void messageWhenAdminActionAsUserThenForbiddenAndVictimStays() throws Exception {
        try (WsClient victim = open("bob"); WsClient attacker = open("alice")) {
            assertThat(attacker.send("{\"type\":\"kick\",\"user\":\"bob\"}").next()).isEqualTo("{\"type\":\"kicked\"}");
            assertThat(victim.closeCode()).as("unguarded: the user kicked bob").isEqualTo(1008);
        }
        try (WsClient victim = guarded(user("bob")); WsClient attacker = guarded(alice())) {
            assertThat(attacker.send("{\"type\":\"kick\",\"user\":\"bob\"}").next()).isEqualTo(ERROR_FORBIDDEN);
            assertThat(victim.send("{\"type\":\"ping\"}").next()).isEqualTo(PONG);
            assertThat(attacker.send("{\"type\":\"ping\"}").next()).as("still usable").isEqualTo(PONG);
        }
        assertThat(reasons()).containsExactly(Rejection.ROLE_MISSING);
    }

    @Test
    void messageWhenAdminKicksThenVictimClosed() throws Exception {
        String admin = TestTokens.token().subject("carol").groups("user", "admin").sign();
        try (WsClient victim = guarded(user("dave")); WsClient c = guarded(admin)) {
            assertThat(c.send("{\"type\":\"kick\",\"user\":\"dave\"}").next()).isEqualTo("{\"type\":\"kicked\"}");
            assertThat(victim.closeCode()).isEqualTo(1008);
        }
    }

    @Test
    void messageWhenScopeMissingThenForbidden() throws Exception {
        String readOnly = TestTokens.token().subject("erin").tenant("acme").scope("chat:read").sign();
        try (WsClient c = guarded(readOnly)) {
            assertThat(c.send("{\"type\":\"subscribe\",\"channel\":\"tenant:acme:general\"}").next())
                    .startsWith("{\"type\":\"subscribed\"");
            assertThat(c.send("{\"type\":\"publish\",\"channel\":\"tenant:acme:general\",\"text\":\"hi\"}").next())
                    .isEqualTo(ERROR_FORBIDDEN);
        }
        assertThat(reasons()).containsExactly(Rejection.SCOPE_MISSING);
    }

    @Test
    void messageWhenSiblingTenantOrRoomThenForbidden() throws Exception {
        List<String> attacks = List.of(
                "{\"type\":\"subscribe\",\"channel\":\"tenant:globex:general\"}",
                "{\"type\":\"publish\",\"channel\":\"tenant:globex:general\",\"text\":\"hi\"}",
                "{\"type\":\"subscribe\",\"channel\":\"tenant:acme:general:extra\"}",
                "{\"type\":\"subscribe\",\"channel\":\"tenant:acme\"}",
                "{\"type\":\"subscribe\",\"channel\":\"tenant:acme*:general\"}",
                "{\"type\":\"join\",\"channel\":\"room:kitchen\"}");
        try (WsClient attacker = open("alice")) {
            for (String attack : attacks) {
                assertThat(attacker.send(attack).next()).as(attack).doesNotContain("error");
            }
        }
        try (WsClient attacker = guarded(alice())) {
            for (String attack : attacks.subList(0, 4)) {
                assertThat(attacker.send(attack).next()).as(attack).isEqualTo(ERROR_FORBIDDEN);
            }
        }
        try (WsClient attacker = guarded(alice())) {
            for (String attack : attacks.subList(4, 6)) {
                assertThat(attacker.send(attack).next()).as(attack).isEqualTo(ERROR_FORBIDDEN);
            }
        }
        assertThat(reasons()).containsOnly(Rejection.CHANNEL_FORBIDDEN).hasSize(6);
    }

    @Test
    void messageWhenTypeHasNoRuleThenForbidden() throws Exception {
        try (WsClient c = guarded(alice())) {
            assertThat(c.send("{\"type\":\"unruled\"}").next()).isEqualTo(ERROR_FORBIDDEN);
        }
        assertThat(reasons()).containsExactly(Rejection.MESSAGE_TYPE_NOT_ALLOWED);
    }

    @Test
    void messageWhenRepeatedViolationsThenClose1008() throws Exception {
        try (WsClient attacker = guarded(alice())) {
            for (int i = 0; i < 4; i++) {
                assertThat(attacker.send("{\"type\":\"kick\",\"user\":\"bob\"}").next()).isEqualTo(ERROR_FORBIDDEN);
            }
            attacker.send("{\"type\":\"kick\",\"user\":\"bob\"}");
            assertThat(attacker.closeCode()).isEqualTo(1008);
        }
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.SESSION_CLOSED)
                .singleElement().extracting(SecurityEvent::reason).isEqualTo(Rejection.TOO_MANY_VIOLATIONS);
    }

    @Test
    void messageWhenSessionFloodsThenRateLimitedThenClose4429WhileOthersServed() throws Exception {
        try (WsClient flooder = open("mallory")) {
            for (int i = 0; i < 60; i++) {
                flooder.send("{\"type\":\"ping\"}");
            }
            for (int i = 0; i < 60; i++) {
                assertThat(flooder.next()).as("unguarded answers every ping").isEqualTo(PONG);
            }
        }
        try (WsClient flooder = guarded(user("mallory")); WsClient bystander = guarded(user("frank"))) {
            for (int i = 0; i < 60 && flooder.trySend("{\"type\":\"ping\"}"); i++) {
                // as fast as the socket takes them
            }
            List<String> got = new ArrayList<>();
            String m;
            while ((m = flooder.poll(1000)) != null) {
                got.add(m);
            }
            assertThat(got).filteredOn(PONG::equals).hasSize(20);
            assertThat(got).filteredOn(ERROR_RATE_LIMITED::equals).hasSize(4);
            assertThat(flooder.closeCode()).isEqualTo(4429);
            for (int i = 0; i < 10; i++) {
                assertThat(bystander.send("{\"type\":\"ping\"}").next()).as("bystander loses nothing").isEqualTo(PONG);
            }
        }
    }

    @Test
    void messageWhenUserFloodsOverSeveralSessionsThenRateLimitedAcrossThem() throws Exception {
        String token = user("grace");
        try (WsClient a = guarded(token); WsClient b = guarded(token); WsClient other = guarded(user("heidi"))) {
            String publish = "{\"type\":\"publish\",\"channel\":\"tenant:acme:general\",\"text\":\"hi\"}";
            assertThat(a.send(publish).next()).startsWith("{\"type\":\"published\"");
            assertThat(b.send(publish).next()).startsWith("{\"type\":\"published\"");
            assertThat(a.send(publish).next()).startsWith("{\"type\":\"published\"");
            assertThat(b.send(publish).next()).isEqualTo(ERROR_RATE_LIMITED);
            assertThat(other.send(publish).next()).as("another user has its own budget")
                    .startsWith("{\"type\":\"published\"");
        }
        assertThat(reasons()).containsExactly(Rejection.RATE_LIMITED);
    }

    @Test
    void messageWhenAddressFloodsWithSeveralUsersThenRateLimitedAcrossThem() throws Exception {
        try (WsClient a = guarded(user("ivan")); WsClient b = guarded(user("judy"))) {
            String bid = "{\"type\":\"bid\",\"amount\":5}";
            assertThat(a.send(bid).next()).isEqualTo("{\"type\":\"bid\",\"amount\":5}");
            assertThat(b.send(bid).next()).isEqualTo("{\"type\":\"bid\",\"amount\":5}");
            assertThat(a.send(bid).next()).isEqualTo("{\"type\":\"bid\",\"amount\":5}");
            assertThat(b.send(bid).next()).as("same address, other user").isEqualTo(ERROR_RATE_LIMITED);
        }
    }

    @Test
    void messageWhenRefusedThenEventNamesTypeAndNoContent() throws Exception {
        try (WsClient c = guarded(alice())) {
            assertThat(c.send("{\"type\":\"kick\",\"user\":\"secret-victim\"}").next()).isEqualTo(ERROR_FORBIDDEN);
        }
        assertThat(EVENTS).filteredOn(e -> e.phase() == SecurityEvent.Phase.MESSAGE).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(SecurityEvent.Kind.AUTHORIZATION_DENIED);
            assertThat(e.phase()).isEqualTo(SecurityEvent.Phase.MESSAGE);
            assertThat(e.messageType()).isEqualTo("kick");
            assertThat(e.subject()).isEqualTo("alice");
            assertThat(e.connectionId()).isNotNull();
            assertThat(e.toJson()).doesNotContain("secret-victim");
        });
    }

    @Test
    void sessionWhenTokenExpiresThenClosed4401WithinASecondOfExp() throws Exception {
        java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        java.time.Instant exp = now.plusSeconds(3);
        String shortLived = TestTokens.token().subject("kim").issuedAt(now).expiresAt(exp).sign();
        try (WsClient c = guarded(shortLived); WsClient longLived = guarded(alice())) {
            assertThat(c.send("{\"type\":\"ping\"}").next()).isEqualTo(PONG);
            int code = c.closeCode();
            long lateMillis = System.currentTimeMillis() - exp.toEpochMilli();
            assertThat(code).isEqualTo(4401);
            assertThat(lateMillis).as("closed at exp, not at the next message").isBetween(-50L, 1000L);
            assertThat(longLived.send("{\"type\":\"ping\"}").next()).isEqualTo(PONG);
        }
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.SESSION_CLOSED)
                .singleElement().extracting(SecurityEvent::reason).isEqualTo(Rejection.TOKEN_EXPIRED);
    }

    @Test
    void sessionWhenTokenRefreshedInBandBeforeExpiryThenStaysOpenPastOldExp() throws Exception {
        java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String shortLived = TestTokens.token().subject("lena").issuedAt(now).expiresAt(now.plusSeconds(2)).sign();
        try (WsClient c = guarded(shortLived)) {
            String fresh = TestTokens.token().subject("lena").expiresAt(now.plusSeconds(120)).sign();
            assertThat(c.send("{\"type\":\"auth\",\"token\":\"" + fresh + "\"}").next())
                    .isEqualTo("{\"type\":\"auth\",\"status\":\"ok\"}");
            Thread.sleep(java.time.Duration.between(java.time.Instant.now(), now.plusSeconds(3)).toMillis());
            assertThat(c.send("{\"type\":\"ping\"}").next()).as("past the old exp").isEqualTo(PONG);
        }
        assertThat(EVENTS).filteredOn(e -> e.kind() == SecurityEvent.Kind.TOKEN_REFRESHED).singleElement()
                .satisfies(e -> assertThat(e.toJson()).doesNotContain(shortLived.split("\\.")[2]));
    }

    @Test
    void sessionWhenRefreshTokenInvalidOrOtherSubjectThenUnauthorizedAndOldExpiryStands() throws Exception {
        java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String shortLived = TestTokens.token().subject("mona").issuedAt(now).expiresAt(now.plusSeconds(3)).sign();
        try (WsClient c = guarded(shortLived)) {
            String other = TestTokens.token().subject("eve").expiresAt(now.plusSeconds(120)).sign();
            assertThat(c.send("{\"type\":\"auth\",\"token\":\"" + other + "\"}").next())
                    .isEqualTo("{\"type\":\"error\",\"code\":\"unauthorized\"}");
            String forged = TestTokens.token().subject("mona").expiresAt(now.plusSeconds(120)).unsigned();
            assertThat(c.send("{\"type\":\"auth\",\"token\":\"" + forged + "\"}").next())
                    .isEqualTo("{\"type\":\"error\",\"code\":\"unauthorized\"}");
            assertThat(c.closeCode()).as("still closed at the original exp").isEqualTo(4401);
        }
        assertThat(reasons()).containsSubsequence(Rejection.TOKEN_SUBJECT_CHANGED,
                Rejection.TOKEN_ALGORITHM_NOT_ALLOWED, Rejection.TOKEN_EXPIRED);
    }

    @Test
    void sessionWhenRefreshChangesTenantAndRolesThenTheNewClaimsRuleFromTheNextMessage() throws Exception {
        // A refresh keeps the subject but takes every other claim of the new token: an organisation switch or a
        // demotion takes effect at once, and nothing of the old token's rights survives it.
        String acmeAdmin = TestTokens.token().subject("rita").tenant("acme").scope("chat:read chat:write")
                .groups("user", "admin").sign();
        String globexUser = TestTokens.token().subject("rita").tenant("globex").scope("chat:read chat:write")
                .groups("user").sign();
        String acme = "{\"type\":\"publish\",\"channel\":\"tenant:acme:general\",\"text\":\"hi\"}";
        String globex = "{\"type\":\"publish\",\"channel\":\"tenant:globex:general\",\"text\":\"hi\"}";
        String kick = "{\"type\":\"kick\",\"user\":\"nobody\"}";
        try (WsClient c = guarded(acmeAdmin)) {
            assertThat(c.send(acme).next()).startsWith("{\"type\":\"published\"");
            assertThat(c.send(kick).next()).isEqualTo("{\"type\":\"kicked\"}");

            assertThat(c.send("{\"type\":\"auth\",\"token\":\"" + globexUser + "\"}").next())
                    .isEqualTo("{\"type\":\"auth\",\"status\":\"ok\"}");
            assertThat(c.send(acme).next()).as("the old tenant's channel").isEqualTo(ERROR_FORBIDDEN);
            assertThat(c.send(kick).next()).as("the role the new token lacks").isEqualTo(ERROR_FORBIDDEN);
            assertThat(c.send(globex).next()).as("the new tenant's channel").startsWith("{\"type\":\"published\"");
        }
    }

    @Test
    void revokeUserWhenSessionsOpenThenClosed4401AndOldTokensRefusedUntilNewLogin() throws Exception {
        java.time.Instant issued = java.time.Instant.now().minusSeconds(5).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        // A subject of its own: a revocation outlives the server, and a subclass runs this test again.
        String nina = "nina-" + java.util.UUID.randomUUID();
        String old = TestTokens.token().subject(nina).issuedAt(issued).expiresAt(issued.plusSeconds(300)).sign();
        try (WsClient a = guarded(old); WsClient b = guarded(old); WsClient bystander = guarded(user("oscar"))) {
            assertThat(a.send("{\"type\":\"ping\"}").next()).isEqualTo(PONG);
            assertThat(Revocations.shared().revokeUser(nina)).isEqualTo(2);
            assertThat(a.closeCode()).isEqualTo(4401);
            assertThat(b.closeCode()).isEqualTo(4401);
            assertThat(bystander.send("{\"type\":\"ping\"}").next()).isEqualTo(PONG);
        }
        assertThat(dev.wsguard.testing.RawHandshake.to(server.uri(guardedPath)).origin(ORIGIN).bearer(old).send()
                .status()).as("the revoked token cannot come back").isEqualTo(401);
        Thread.sleep(1100);
        try (WsClient again = guarded(TestTokens.token().subject(nina).sign())) {
            assertThat(again.send("{\"type\":\"ping\"}").next()).as("a new login passes").isEqualTo(PONG);
        }
        assertThat(reasons()).contains(Rejection.TOKEN_REVOKED);
    }

    @Test
    void revokeTokenWhenSessionHoldsItThenClosedAndOtherTokensOfUserStay() throws Exception {
        // Token ids of their own: revocations outlive the server, and a subclass runs this test again.
        String stolenId = "stolen-" + java.util.UUID.randomUUID();
        String stolen = TestTokens.token().subject("paul").claim("jti", stolenId).sign();
        String other = TestTokens.token().subject("paul").claim("jti", "other-" + stolenId).sign();
        try (WsClient thief = guarded(stolen); WsClient owner = guarded(other)) {
            assertThat(Revocations.shared().revokeToken(stolenId)).isEqualTo(1);
            assertThat(thief.closeCode()).isEqualTo(4401);
            assertThat(owner.send("{\"type\":\"ping\"}").next()).isEqualTo(PONG);
        }
    }

    @Test
    void messageWhenOverSizeCapThenClose1009() throws Exception {
        try (WsClient c = guarded(alice())) {
            c.send("{\"type\":\"publish\",\"channel\":\"tenant:acme:general\",\"text\":\"" + "x".repeat(70_000)
                    + "\"}");
            assertThat(c.closeCode()).isEqualTo(1009);
        }
    }
}
