package dev.wsguard.contract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;

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

    /** The guarded endpoint of one shape: {@code contract} (base class) or {@code standard-contract}. */
    URI endpoint(String shape) {
        return endpoint().resolve(shape);
    }

    /** Every contract case runs on both shapes of guarded endpoint, with the same expected answers. */
    static Stream<String> shapes() {
        return Stream.of("contract", "standard-contract");
    }

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

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void handshakeWhenOriginForeignThen403BeforeUpgrade(String shape) throws Exception {
        RawUpgrade.Answer answer = RawUpgrade.send(endpoint(shape), Tokens.FOREIGN_ORIGIN, Tokens.valid(user("o")));
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.header("Sec-WebSocket-Accept")).isEmpty();
        assertThat(answer.bodyBytes()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void handshakeWhenOriginMissingThen403BeforeUpgrade(String shape) throws Exception {
        RawUpgrade.Answer answer = RawUpgrade.send(endpoint(shape), null, Tokens.valid(user("o")));
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.header("Sec-WebSocket-Accept")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void handshakeWhenTokenMissingThen401WithBearerChallenge(String shape) throws Exception {
        RawUpgrade.Answer answer = RawUpgrade.send(endpoint(shape), Tokens.ORIGIN, null);
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.header("WWW-Authenticate")).hasValue("Bearer");
        assertThat(answer.header("Sec-WebSocket-Accept")).isEmpty();
        assertThat(answer.bodyBytes()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void handshakeWhenSignatureForgedThen401InvalidToken(String shape) throws Exception {
        RawUpgrade.Answer answer = RawUpgrade.send(endpoint(shape), Tokens.ORIGIN, Tokens.forged(user("f")));
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.header("WWW-Authenticate")).hasValue("Bearer error=\"invalid_token\"");
        assertThat(answer.header("Sec-WebSocket-Accept")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void handshakeWhenTokenExpiredThen401InvalidToken(String shape) throws Exception {
        RawUpgrade.Answer answer = RawUpgrade.send(endpoint(shape), Tokens.ORIGIN, Tokens.expired(user("e")));
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.header("WWW-Authenticate")).hasValue("Bearer error=\"invalid_token\"");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void handshakeWhenUserOverQuotaThen429WithRetryAfter(String shape) throws Exception {
        String subject = user("quota");
        try (Client first = Client.open(endpoint(shape), Tokens.valid(subject));
             Client second = Client.open(endpoint(shape), Tokens.valid(subject))) {
            // Both are really open: each answers.
            first.send("{\"type\":\"echo\",\"text\":\"1\"}");
            second.send("{\"type\":\"echo\",\"text\":\"2\"}");
            assertThat(first.next()).contains("\"from\":\"" + subject + "\"");
            assertThat(second.next()).contains("\"from\":\"" + subject + "\"");

            RawUpgrade.Answer third = RawUpgrade.send(endpoint(shape), Tokens.ORIGIN, Tokens.valid(subject));
            assertThat(third.status()).isEqualTo(429);
            assertThat(third.header("Retry-After")).hasValue("10");
            assertThat(third.header("Sec-WebSocket-Accept")).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void handshakeWhenValidThen101(String shape) throws Exception {
        RawUpgrade.Answer answer = RawUpgrade.send(endpoint(shape), Tokens.ORIGIN, Tokens.valid(user("ok")));
        assertThat(answer.status()).isEqualTo(101);
        assertThat(answer.header("Sec-WebSocket-Accept")).isPresent();
    }

    // ------------------------------------------------------------------ after the 101

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void messageWhenWellBehavedThenHandlerAnswersWithVerifiedSubject(String shape) throws Exception {
        String subject = user("alice");
        try (Client client = Client.open(endpoint(shape), Tokens.valid(subject))) {
            client.send("{\"type\":\"echo\",\"text\":\"hello\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"echo\",\"from\":\"" + subject + "\",\"length\":5}");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void identityWhenTokenVerifiedByWsguardThenScopesFromScopeClaim(String shape) throws Exception {
        try (Client client = Client.open(endpoint(shape), Tokens.valid(user("who")))) {
            client.send("{\"type\":\"whoami\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"whoami\",\"verifier\":\"wsguard\",\"scopes\":\"read\"}");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void messageWhenMalformedThenClose1007(String shape) throws Exception {
        try (Client client = Client.open(endpoint(shape), Tokens.valid(user("m")))) {
            client.send("{\"type\":\"echo\",\"text\":\"x\",\"extra\":1}");
            assertThat(client.awaitClose(Duration.ofSeconds(20))).isEqualTo(1007);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void messageWhenRoleMissingThenForbiddenErrorAndSessionStaysUsable(String shape) throws Exception {
        try (Client client = Client.open(endpoint(shape), Tokens.valid(user("u")))) {
            client.send("{\"type\":\"revoke\",\"user\":\"nobody\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"error\",\"code\":\"forbidden\"}");
            client.send("{\"type\":\"echo\",\"text\":\"still here\"}");
            assertThat(client.next()).contains("\"length\":10");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void messageWhenOverRateLimitThenRateLimitedError(String shape) throws Exception {
        try (Client client = Client.open(endpoint(shape), Tokens.valid(user("r")))) {
            client.send("{\"type\":\"burst\"}");
            client.send("{\"type\":\"burst\"}");
            client.send("{\"type\":\"burst\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"burst\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"burst\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"error\",\"code\":\"rate_limited\"}");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void messageWhenOverSizeCapThenClose1009(String shape) throws Exception {
        try (RawSocket socket = RawSocket.open(endpoint(shape), Tokens.valid(user("big")))) {
            socket.send("{\"type\":\"echo\",\"text\":\"" + "a".repeat(70_000) + "\"}", true, true);
            assertThat(socket.awaitCloseCode()).isEqualTo(1009);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void messageWhenHugeAndFragmentedThenClose1009WhileReading(String shape) throws Exception {
        String fragment = "a".repeat(1 << 20);
        int total = 64;
        int sent = 0;
        try (RawSocket socket = RawSocket.open(endpoint(shape), Tokens.valid(user("huge")))) {
            socket.send("{\"type\":\"echo\",\"text\":\"", true, false);
            // Like a real client, it stops sending once the server has answered (with its close frame).
            while (sent < total && !socket.serverSpoke() && socket.send(fragment, false, false)) {
                sent++;
            }
            assertThat(socket.awaitCloseCode()).isEqualTo(1009);
        }
        System.out.println("MEASURE " + getClass().getSimpleName() + " " + System.getProperty("arquillian.launch")
                + " " + shape
                + ": 1 MB fragments written before the server refused the message: " + sent + " of " + total);
        // Refused while reading: the answer came long before the whole 64 MB was sent.
        assertThat(sent).isLessThan(total);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void messageWhenManyOversizedThenServerHeapDoesNotGrow(String shape) throws Exception {
        long before = heap();
        String fragment = "b".repeat(48 * 1024);
        for (int i = 0; i < 300; i++) {
            try (RawSocket socket = RawSocket.open(endpoint(shape), Tokens.valid(user("heap")))) {
                socket.send("{\"type\":\"echo\",\"text\":\"", true, false);
                socket.send(fragment, false, false);
                socket.send(fragment, false, false); // takes the message over 64 KiB
                assertThat(socket.awaitCloseCode()).isEqualTo(1009);
            }
        }
        long after = heap();
        System.out.println("MEASURE " + getClass().getSimpleName() + " " + System.getProperty("arquillian.launch")
                + " " + shape
                + ": server heap after GC before 300 oversized messages " + (before >> 20) + " MB, after "
                + (after >> 20) + " MB");
        // 300 sessions kept with their 96 KB messages would be 30 MB and more.
        assertThat(after - before).isLessThan(16L << 20);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void messageWhenOneHugeFrameThenClose1009(String shape) throws Exception {
        // Known limit, in SECURITY.md: Tyrus in Payara reads a whole frame into its incoming buffer (about 4 MB)
        // before any handler sees a part, and closes 1011 when the frame is larger. Skipped there, not passed.
        assumeFalse("payara".equals(System.getProperty("arquillian.launch")),
                "Payara buffers one frame up to its incoming buffer and answers 1011 above it");
        try (RawSocket socket = RawSocket.open(endpoint(shape), Tokens.valid(user("frame")))) {
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void sessionWhenTokenExpiresThenClose4401(String shape) throws Exception {
        try (Client client = Client.open(endpoint(shape), Tokens.expiringIn(user("exp"), Duration.ofSeconds(3)))) {
            client.send("{\"type\":\"echo\",\"text\":\"ok\"}");
            assertThat(client.next()).contains("\"length\":2");
            assertThat(client.awaitClose(Duration.ofSeconds(20))).isEqualTo(4401);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void sessionWhenUserRevokedThenClose4401AndNoNewHandshake(String shape) throws Exception {
        String victim = user("victim");
        String token = Tokens.valid(victim);
        try (Client target = Client.open(endpoint(shape), token);
             Client admin = Client.open(endpoint(shape), Tokens.valid(user("admin"), "admin"))) {
            admin.send("{\"type\":\"revoke\",\"user\":\"" + victim + "\"}");
            assertThat(admin.next()).isEqualTo("{\"type\":\"revoked\"}");
            assertThat(target.awaitClose(Duration.ofSeconds(20))).isEqualTo(4401);
        }
        RawUpgrade.Answer again = RawUpgrade.send(endpoint(shape), Tokens.ORIGIN, token);
        assertThat(again.status()).isEqualTo(401);
    }
}
