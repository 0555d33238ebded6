package dev.wsguard.contract;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

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
    void identityWhenTokenVerifiedByWsguardThenScopesFromScopeClaim() throws Exception {
        try (Client client = Client.open(endpoint(), Tokens.valid(user("who")))) {
            client.send("{\"type\":\"whoami\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"whoami\",\"verifier\":\"wsguard\",\"scopes\":\"read\"}");
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
        try (RawSocket socket = RawSocket.open(endpoint(), Tokens.valid(user("big")))) {
            socket.send("{\"type\":\"echo\",\"text\":\"" + "a".repeat(70_000) + "\"}", true, true);
            assertThat(socket.awaitCloseCode()).isEqualTo(1009);
        }
    }

    @Test
    void messageWhenHugeAndFragmentedThenClose1009WhileReading() throws Exception {
        String fragment = "a".repeat(1 << 20);
        int total = 64;
        int sent = 0;
        try (RawSocket socket = RawSocket.open(endpoint(), Tokens.valid(user("huge")))) {
            socket.send("{\"type\":\"echo\",\"text\":\"", true, false);
            // Like a real client, it stops sending once the server has answered (with its close frame).
            while (sent < total && !socket.serverSpoke() && socket.send(fragment, false, false)) {
                sent++;
            }
            assertThat(socket.awaitCloseCode()).isEqualTo(1009);
        }
        System.out.println("MEASURE " + getClass().getSimpleName() + " " + System.getProperty("arquillian.launch")
                + ": 1 MB fragments written before the server refused the message: " + sent + " of " + total);
        // Refused while reading: the answer came long before the whole 64 MB was sent.
        assertThat(sent).isLessThan(total);
    }

    @Test
    void messageWhenManyOversizedThenServerHeapDoesNotGrow() throws Exception {
        long before = heap();
        String fragment = "b".repeat(48 * 1024);
        for (int i = 0; i < 300; i++) {
            try (RawSocket socket = RawSocket.open(endpoint(), Tokens.valid(user("heap")))) {
                socket.send("{\"type\":\"echo\",\"text\":\"", true, false);
                socket.send(fragment, false, false);
                socket.send(fragment, false, false); // takes the message over 64 KiB
                assertThat(socket.awaitCloseCode()).isEqualTo(1009);
            }
        }
        long after = heap();
        System.out.println("MEASURE " + getClass().getSimpleName() + " " + System.getProperty("arquillian.launch")
                + ": server heap after GC before 300 oversized messages " + (before >> 20) + " MB, after "
                + (after >> 20) + " MB");
        // 300 sessions kept with their 96 KB messages would be 30 MB and more.
        assertThat(after - before).isLessThan(16L << 20);
    }

    @Test
    void messageWhenOneHugeFrameThenClose1009() throws Exception {
        // Known limit, in SECURITY.md: Tyrus in Payara reads a whole frame into its incoming buffer (about 4 MB)
        // before any handler sees a part, and closes 1011 when the frame is larger. Skipped there, not passed.
        assumeFalse("payara".equals(System.getProperty("arquillian.launch")),
                "Payara buffers one frame up to its incoming buffer and answers 1011 above it");
        try (RawSocket socket = RawSocket.open(endpoint(), Tokens.valid(user("frame")))) {
            socket.send("{\"type\":\"echo\",\"text\":\"" + "c".repeat(10 << 20) + "\"}", true, true);
            assertThat(socket.awaitCloseCode()).isEqualTo(1009);
        }
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
