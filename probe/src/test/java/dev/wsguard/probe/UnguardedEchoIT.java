package dev.wsguard.probe;

import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import org.glassfish.tyrus.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kit against an endpoint with no guard at all (plain Tyrus, any origin, any token, any size, everything echoed in
 * a reply written by hand without escaping, the upgrade request's headers sent back as a greeting): every attack that
 * applies reports a finding, which shows that each of them can fail.
 */
class UnguardedEchoIT {

    static Server tyrus;
    static URI uri;

    /**
     * Echoes every message inside a JSON reply built by concatenation, as careless code does; greets with the request
     * headers, as debugging code left in place would.
     */
    @ServerEndpoint(value = "/echo", configurator = KeepHeaders.class)
    public static class Echo {
        @OnOpen
        public void open(Session session) {
            session.getAsyncRemote().sendText("{\"type\":\"hello\",\"headers\":\""
                    + session.getUserProperties().get("headers") + "\"}");
        }

        @OnMessage
        public void message(Session session, String text) {
            session.getAsyncRemote().sendText("{\"type\":\"echo\",\"text\":\"" + text + "\"}");
        }
    }

    /** Accepts every origin (Tyrus's default) and keeps the headers for the greeting. */
    public static class KeepHeaders extends ServerEndpointConfig.Configurator {
        @Override
        public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request,
                jakarta.websocket.HandshakeResponse response) {
            config.getUserProperties().put("headers", String.valueOf(request.getHeaders()).replace("\"", "'"));
        }
    }

    @BeforeAll
    static void start() throws Exception {
        tyrus = new Server("127.0.0.1", -1, "/", Map.of(), Echo.class);
        tyrus.start();
        uri = URI.create("ws://127.0.0.1:" + tyrus.getPort() + "/echo");
    }

    @AfterAll
    static void stop() {
        tyrus.stop();
    }

    @Test
    void runWhenEndpointUnguardedThenEveryAttackThatAppliesIsAFinding() throws Exception {
        java.security.PrivateKey key = java.security.KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();
        Report report = ProbeSuite.against(uri).origin("https://app.example.test")
                .token(() -> UnguardedEchoIT.jws("{\"sub\":\"alice\",\"groups\":[\"user\"]}"))
                .lowToken(() -> UnguardedEchoIT.jws("{\"sub\":\"bob\"}"))
                .expiredToken(() -> UnguardedEchoIT.jws("{\"sub\":\"alice\",\"exp\":1}"))
                .publicKey("-----BEGIN PUBLIC KEY-----\nMIIBIjANBg==\n-----END PUBLIC KEY-----\n")
                .signingKey("-----BEGIN PRIVATE KEY-----\n"
                        + java.util.Base64.getMimeEncoder().encodeToString(key.getEncoded())
                        + "\n-----END PRIVATE KEY-----\n")
                .adminMessage("{\"type\":\"kick\",\"user\":\"bob\"}")
                .foreignMessage("{\"type\":\"subscribe\",\"channel\":\"tenant:globex:general\"}")
                .bulkMessage("{\"type\":\"ping\",\"pad\":\"" + "p".repeat(60_000) + "\"}")
                .handshakeRate(new Rate(20, Duration.ofSeconds(2))).messageRate(new Rate(50, Duration.ofSeconds(1)))
                .maxConnections(5).handshakeTimeout(Duration.ofSeconds(1)).idleTimeout(Duration.ofSeconds(1))
                .userMessageRate(new Rate(10, Duration.ofSeconds(1)))
                .run();

        System.out.println(report.toTable());
        assertThat(report.auditable()).isTrue();
        assertThat(report.results()).allSatisfy(r -> {
            String id = r.attack().id();
            Verdict expected = id.startsWith("control.") ? Verdict.PASS
                    : id.equals("transport.plain-ws") ? Verdict.NOT_RUN : Verdict.FINDING;
            assertThat(r.verdict()).as(id + ": " + r.observed()).isEqualTo(expected);
        });
        assertThat(report.results()).hasSize(ProbeSuite.catalogue().size());
        assertThat(report.findings()).hasSize(ProbeSuite.catalogue().size() - 3);
    }

    /** A token-shaped RS256 JWS naming a key id, with a made-up signature: the echo server checks nothing. */
    static String jws(String payload) {
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"echo\"}".getBytes())
                + "." + b64.encodeToString(payload.getBytes()) + "."
                + b64.encodeToString("not-a-real-signature-but-long-enough".getBytes());
    }
}
