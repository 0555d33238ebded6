package dev.wsguard.contract;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract of a guarded endpoint, written once and run unchanged on every runtime (Payara Micro, WildFly,
 * embedded Tyrus): the same statuses before the 101, the same close codes and error frames after it. Each runtime
 * supplies the endpoint's address; the application and its configuration ({@link Tokens#config()}) are the same.
 */
abstract class ContractSuite {

    /** {@code ws://127.0.0.1:PORT/CONTEXT/contract} on the runtime under test. */
    abstract URI endpoint();

    /** The unguarded endpoint next to it. */
    URI open() {
        return endpoint().resolve("open");
    }

    static String user(String role) {
        return role + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    // ------------------------------------------------------------------ before the 101

    @Test
    void handshakeWhenEndpointUnguardedThenForeignOriginWithoutTokenUpgrades() throws Exception {
        // The attack the guarded endpoint must stop: the runtime alone lets it through.
        RawUpgrade.Answer answer = RawUpgrade.send(open(), Tokens.FOREIGN_ORIGIN, null);
        assertThat(answer.status()).isEqualTo(101);
    }

    @Test
    void handshakeWhenOriginForeignThen403BeforeUpgrade() throws Exception {
        RawUpgrade.Answer answer = RawUpgrade.send(endpoint(), Tokens.FOREIGN_ORIGIN, Tokens.valid(user("o")));
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.header("Sec-WebSocket-Accept")).isEmpty();
        assertThat(answer.bodyBytes()).isZero();
    }

    @Test
    void handshakeWhenOriginMissingThen403BeforeUpgrade() throws Exception {
        RawUpgrade.Answer answer = RawUpgrade.send(endpoint(), null, Tokens.valid(user("o")));
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.header("Sec-WebSocket-Accept")).isEmpty();
    }

    @Test
    void handshakeWhenTokenMissingThen401WithBearerChallenge() throws Exception {
        RawUpgrade.Answer answer = RawUpgrade.send(endpoint(), Tokens.ORIGIN, null);
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.header("WWW-Authenticate")).hasValue("Bearer");
        assertThat(answer.header("Sec-WebSocket-Accept")).isEmpty();
        assertThat(answer.bodyBytes()).isZero();
    }

    @Test
    void handshakeWhenSignatureForgedThen401InvalidToken() throws Exception {
        RawUpgrade.Answer answer = RawUpgrade.send(endpoint(), Tokens.ORIGIN, Tokens.forged(user("f")));
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.header("WWW-Authenticate")).hasValue("Bearer error=\"invalid_token\"");
        assertThat(answer.header("Sec-WebSocket-Accept")).isEmpty();
    }

    @Test
    void handshakeWhenTokenExpiredThen401InvalidToken() throws Exception {
        RawUpgrade.Answer answer = RawUpgrade.send(endpoint(), Tokens.ORIGIN, Tokens.expired(user("e")));
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.header("WWW-Authenticate")).hasValue("Bearer error=\"invalid_token\"");
    }

    @Test
    void handshakeWhenUserOverQuotaThen429WithRetryAfter() throws Exception {
        String subject = user("quota");
        try (Client first = Client.open(endpoint(), Tokens.valid(subject));
             Client second = Client.open(endpoint(), Tokens.valid(subject))) {
            // Both are really open: each answers.
            first.send("{\"type\":\"echo\",\"text\":\"1\"}");
            second.send("{\"type\":\"echo\",\"text\":\"2\"}");
            assertThat(first.next()).contains("\"from\":\"" + subject + "\"");
            assertThat(second.next()).contains("\"from\":\"" + subject + "\"");

            RawUpgrade.Answer third = RawUpgrade.send(endpoint(), Tokens.ORIGIN, Tokens.valid(subject));
            assertThat(third.status()).isEqualTo(429);
            assertThat(third.header("Retry-After")).hasValue("10");
            assertThat(third.header("Sec-WebSocket-Accept")).isEmpty();
        }
    }

    @Test
    void handshakeWhenValidThen101() throws Exception {
        RawUpgrade.Answer answer = RawUpgrade.send(endpoint(), Tokens.ORIGIN, Tokens.valid(user("ok")));
        assertThat(answer.status()).isEqualTo(101);
        assertThat(answer.header("Sec-WebSocket-Accept")).isPresent();
    }

    // ------------------------------------------------------------------ after the 101

    @Test
    void messageWhenWellBehavedThenHandlerAnswersWithVerifiedSubject() throws Exception {
        String subject = user("alice");
        try (Client client = Client.open(endpoint(), Tokens.valid(subject))) {
            client.send("{\"type\":\"echo\",\"text\":\"hello\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"echo\",\"from\":\"" + subject + "\",\"length\":5}");
        }
    }

    @Test
    void messageWhenMalformedThenClose1007() throws Exception {
        try (Client client = Client.open(endpoint(), Tokens.valid(user("m")))) {
            client.send("{\"type\":\"echo\",\"text\":\"x\",\"extra\":1}");
            assertThat(client.awaitClose(Duration.ofSeconds(20))).isEqualTo(1007);
        }
    }

    @Test
    void messageWhenRoleMissingThenForbiddenErrorAndSessionStaysUsable() throws Exception {
        try (Client client = Client.open(endpoint(), Tokens.valid(user("u")))) {
            client.send("{\"type\":\"revoke\",\"user\":\"nobody\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"error\",\"code\":\"forbidden\"}");
            client.send("{\"type\":\"echo\",\"text\":\"still here\"}");
            assertThat(client.next()).contains("\"length\":10");
        }
    }

    @Test
    void messageWhenOverRateLimitThenRateLimitedError() throws Exception {
        try (Client client = Client.open(endpoint(), Tokens.valid(user("r")))) {
            client.send("{\"type\":\"burst\"}");
            client.send("{\"type\":\"burst\"}");
            client.send("{\"type\":\"burst\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"burst\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"burst\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"error\",\"code\":\"rate_limited\"}");
        }
    }

    @Test
    void messageWhenOverSizeCapThenClose1009() throws Exception {
        try (Client client = Client.open(endpoint(), Tokens.valid(user("big")))) {
            client.send("{\"type\":\"echo\",\"text\":\"" + "a".repeat(70_000) + "\"}");
            assertThat(client.awaitClose(Duration.ofSeconds(20))).isEqualTo(1009);
        }
    }

    @Test
    void messageWhenHugeAndFragmentedThenClose1009WhileReading() throws Exception {
        String fragment = "a".repeat(1 << 20);
        int total = 64;
        int sent = 0;
        try (Client client = Client.open(endpoint(), Tokens.valid(user("huge")))) {
            client.socket().sendText("{\"type\":\"echo\",\"text\":\"", false).get(20, TimeUnit.SECONDS);
            try {
                while (sent < total && !client.closeCode.isDone()) {
                    client.socket().sendText(fragment, false).get(20, TimeUnit.SECONDS);
                    sent++;
                }
            } catch (ExecutionException e) {
                // The server closed while we were still sending: what the cap is for.
            }
            assertThat(client.awaitClose(Duration.ofSeconds(20))).isEqualTo(1009);
        }
        // Refused while reading: the client could not push the whole 64 MB before the close reached it.
        assertThat(sent).isLessThan(total);
    }

    @Test
    void messageWhenManyOversizedThenServerHeapDoesNotGrow() throws Exception {
        long before = heap();
        String fragment = "b".repeat(48 * 1024);
        for (int i = 0; i < 300; i++) {
            try (Client client = Client.open(endpoint(), Tokens.valid(user("heap")))) {
                client.socket().sendText("{\"type\":\"echo\",\"text\":\"", false).get(20, TimeUnit.SECONDS);
                try {
                    for (int f = 0; f < 4 && !client.closeCode.isDone(); f++) {
                        client.socket().sendText(fragment, false).get(20, TimeUnit.SECONDS);
                    }
                } catch (ExecutionException e) {
                    // Closed by the server mid-message.
                }
                assertThat(client.awaitClose(Duration.ofSeconds(20))).isEqualTo(1009);
            }
        }
        long after = heap();
        // 300 sessions holding their 64-192 KB messages would be 20-60 MB; a kept session more.
        assertThat(after - before).isLessThan(16L << 20);
    }

    private long heap() throws Exception {
        try (Client client = Client.open(endpoint(), Tokens.valid(user("probe")))) {
            client.send("{\"type\":\"heap\"}");
            String answer = client.next();
            return Long.parseLong(answer.replaceAll("\\D", ""));
        }
    }

    @Test
    void sessionWhenTokenExpiresThenClose4401() throws Exception {
        try (Client client = Client.open(endpoint(), Tokens.expiringIn(user("exp"), Duration.ofSeconds(3)))) {
            client.send("{\"type\":\"echo\",\"text\":\"ok\"}");
            assertThat(client.next()).contains("\"length\":2");
            assertThat(client.awaitClose(Duration.ofSeconds(20))).isEqualTo(4401);
        }
    }

    @Test
    void sessionWhenUserRevokedThenClose4401AndNoNewHandshake() throws Exception {
        String victim = user("victim");
        String token = Tokens.valid(victim);
        try (Client target = Client.open(endpoint(), token);
             Client admin = Client.open(endpoint(), Tokens.valid(user("admin"), "admin"))) {
            admin.send("{\"type\":\"revoke\",\"user\":\"" + victim + "\"}");
            assertThat(admin.next()).isEqualTo("{\"type\":\"revoked\"}");
            assertThat(target.awaitClose(Duration.ofSeconds(20))).isEqualTo(4401);
        }
        RawUpgrade.Answer again = RawUpgrade.send(endpoint(), Tokens.ORIGIN, token);
        assertThat(again.status()).isEqualTo(401);
    }
}
