package dev.wsguard;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import dev.wsguard.testing.IdentityEcho;
import dev.wsguard.testing.JwksServer;
import dev.wsguard.testing.RawHandshake;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.tyrus.GuardedServer;
import jakarta.websocket.server.ServerEndpointConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Attacks on the opening handshake, against a real Tyrus server over real sockets. Every attack is first shown to
 * get a 101 from the same endpoint with no guard ({@code /open}), then refused by the guarded one
 * ({@code /guarded}) with the documented status, exactly one security event with the documented reason, a closed
 * connection, and no {@code @OnOpen}.
 */
class HandshakeAttackIT {

    static final String ALLOWED = "http://desk.test:8080";
    static final String WILDCARD = "https://*.tenant.test";

    static final RSAKey KEY = TestTokens.rsa2048();
    static final RSAKey OTHER_KEY = TestTokens.newRsa2048(TestTokens.RSA_KID);
    static final RSAKey WEAK_KEY = TestTokens.rsa1024("weak");

    static final ConcurrentLinkedQueue<SecurityEvent> EVENTS = new ConcurrentLinkedQueue<>();

    static JwksServer jwks;
    static GuardedServer server;

    @BeforeAll
    static void start() throws Exception {
        // Keys come from a JWKS URL, as from a real identity provider; the 1024-bit key can only reach the
        // verifier this way (inline and file keys that weak fail at start-up).
        jwks = JwksServer.start(TestTokens.jwks(KEY.toPublicJWK(), WEAK_KEY.toPublicJWK()));
        GuardConfig.Builder base = GuardConfig.builder()
                .allowedOrigins(ALLOWED, WILDCARD)
                .publicKeyLocation(jwks.url())
                .issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE)
                .maxTokenLifetime(Duration.ofHours(1))
                .handshakeRateLimit(100_000, Duration.ofSeconds(1))
                .listener(EVENTS::add);
        GuardConfig guarded = base.tokenSources(TokenSource.HEADER, TokenSource.SUBPROTOCOL, TokenSource.COOKIE)
                .build();
        GuardConfig queryEnabled = base.tokenSources(TokenSource.QUERY).build();
        GuardConfig missingOriginAllowed = base.allowMissingOrigin(true)
                .tokenSources(TokenSource.HEADER, TokenSource.COOKIE).build();
        GuardConfig throttled = base.allowMissingOrigin(false).tokenSources(TokenSource.HEADER)
                .handshakeRateLimit(3, Duration.ofSeconds(30)).build();
        server = GuardedServer.builder()
                .endpoint(ServerEndpointConfig.Builder.create(IdentityEcho.class, "/open").build())
                .endpoint(guardedAt("/guarded", guarded))
                .endpoint(guardedAt("/guarded-query", queryEnabled))
                .endpoint(guardedAt("/guarded-no-origin", missingOriginAllowed))
                .endpoint(guardedAt("/guarded-throttled", throttled))
                .build();
        server.start();
    }

    static ServerEndpointConfig guardedAt(String path, GuardConfig config) {
        return ServerEndpointConfig.Builder.create(IdentityEcho.class, path)
                .configurator(new WsGuardConfigurator(config) { })
                .build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (jwks != null) {
            jwks.close();
        }
    }

    @BeforeEach
    void clearEvents() {
        EVENTS.clear();
    }

    static String valid() {
        return TestTokens.token().sign();
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    /** An attack: how it changes a request that would otherwise pass, and what the guard must answer. */
    record Attack(String name, UnaryOperator<RawHandshake> request, int status, Rejection reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Attack origin(String name, String origin) {
        return new Attack(name, r -> r.origin(origin).bearer(valid()), 403, Rejection.ORIGIN_NOT_ALLOWED);
    }

    static Attack token(String name, String token, Rejection reason) {
        return new Attack(name, r -> r.origin(ALLOWED).bearer(token), 401, reason);
    }

    static Stream<Attack> attacks() {
        Instant now = now();
        return Stream.of(
                origin("foreign origin", "https://evil.test"),
                origin("prefix look-alike", "http://desk.test.evil.test:8080"),
                origin("suffix look-alike", "http://evildesk.test:8080"),
                origin("subdomain of an exact entry", "http://a.desk.test:8080"),
                origin("wildcard parent domain", "https://tenant.test"),
                origin("wildcard dash look-alike", "https://evil-tenant.test"),
                origin("wildcard suffix look-alike", "https://a.tenant.test.evil.test"),
                origin("other port", "http://desk.test:8081"),
                origin("other scheme", "https://desk.test:8080"),
                origin("case-folding character (KELVIN SIGN for k)", "http://des\u212A.test:8080"),
                origin("null origin", "null"),
                origin("origin with path", "http://desk.test:8080/"),
                origin("trailing comma (Tyrus splits the value on it)", ALLOWED + ","),
                origin("NUL after the origin (Tyrus trims it)", ALLOWED + "\0"),
                origin("control character after the origin", ALLOWED + "\u0001"),
                origin("tab after the origin", ALLOWED + "\t"),
                origin("allowed origin and another in one value", ALLOWED + ", https://evil.test"),
                new Attack("two Origin headers", r -> r.origin(ALLOWED).origin("https://evil.test").bearer(valid()),
                        403, Rejection.ORIGIN_NOT_ALLOWED),
                new Attack("missing origin", r -> r.bearer(valid()), 403, Rejection.ORIGIN_MISSING),
                new Attack("cross-site cookie", r -> r.origin("https://evil.test")
                        .header("Cookie", "Bearer=" + valid()), 403, Rejection.ORIGIN_NOT_ALLOWED),

                new Attack("missing token", r -> r.origin(ALLOWED), 401, Rejection.TOKEN_MISSING),
                new Attack("basic credentials instead of a token", r -> r.origin(ALLOWED)
                        .header("Authorization", "Basic YWxpY2U6c2VjcmV0"), 401, Rejection.TOKEN_MISSING),
                token("malformed token", "not.a-jwt", Rejection.TOKEN_MALFORMED),
                token("alg=none", TestTokens.token().unsigned(), Rejection.TOKEN_ALGORITHM_NOT_ALLOWED),
                token("HS256 signed with the public key", TestTokens.token().hs256WithPublicKey(),
                        Rejection.TOKEN_ALGORITHM_NOT_ALLOWED),
                token("unlisted algorithm (PS256)", TestTokens.token().algorithm(JWSAlgorithm.PS256).sign(),
                        Rejection.TOKEN_ALGORITHM_NOT_ALLOWED),
                token("unknown key under a known kid", TestTokens.token().signedWith(OTHER_KEY).sign(),
                        Rejection.TOKEN_SIGNATURE_INVALID),
                token("unknown kid", TestTokens.token().keyId("no-such-kid").sign(), Rejection.TOKEN_KEY_UNKNOWN),
                token("1024-bit RSA key", TestTokens.token().signedWith(WEAK_KEY).sign(),
                        Rejection.TOKEN_KEY_TOO_WEAK),
                token("expired", TestTokens.token().issuedAt(now.minusSeconds(900)).expiresAt(now.minusSeconds(300))
                        .sign(), Rejection.TOKEN_EXPIRED),
                token("expired seconds ago, within the clock skew", TestTokens.token().issuedAt(now.minusSeconds(600))
                        .expiresAt(now.minusSeconds(5)).sign(), Rejection.TOKEN_EXPIRED),
                token("nbf in the future", TestTokens.token().notBefore(now.plusSeconds(300)).sign(),
                        Rejection.TOKEN_NOT_YET_VALID),
                token("iat in the future", TestTokens.token().issuedAt(now.plusSeconds(300))
                        .expiresAt(now.plusSeconds(600)).sign(), Rejection.TOKEN_ISSUED_IN_FUTURE),
                token("wrong issuer", TestTokens.token().issuer("https://evil-issuer.test").sign(),
                        Rejection.TOKEN_ISSUER_MISMATCH),
                token("wrong audience", TestTokens.token().audience("another-service").sign(),
                        Rejection.TOKEN_AUDIENCE_MISMATCH),
                token("missing exp", TestTokens.token().without("exp").sign(), Rejection.TOKEN_CLAIM_MISSING),
                token("lifetime too long", TestTokens.token().expiresAt(now.plus(Duration.ofDays(3650))).sign(),
                        Rejection.TOKEN_LIFETIME_TOO_LONG),
                new Attack("query token while the query source is disabled", r -> r.origin(ALLOWED)
                        .query("access_token=" + valid()), 401, Rejection.TOKEN_SOURCE_NOT_ALLOWED),
                new Attack("two different tokens", r -> r.origin(ALLOWED).bearer(valid())
                        .header("Sec-WebSocket-Protocol", "bearer, " + TestTokens.token().subject("mallory").sign()),
                        401, Rejection.TOKEN_AMBIGUOUS),
                new Attack("two tokens in one Authorization header", r -> r.origin(ALLOWED)
                        .header("Authorization", "Bearer " + valid() + "," + TestTokens.token().subject("carol").sign()),
                        401, Rejection.TOKEN_AMBIGUOUS),
                new Attack("two Authorization headers", r -> r.origin(ALLOWED).bearer(valid())
                        .header("Authorization", "Bearer " + TestTokens.token().subject("carol").sign()),
                        401, Rejection.TOKEN_AMBIGUOUS),
                new Attack("bearer offered twice in the subprotocol list", r -> r.origin(ALLOWED)
                        .header("Sec-WebSocket-Protocol", "bearer, " + valid() + ", bearer, "
                                + TestTokens.token().subject("carol").sign()), 401, Rejection.TOKEN_AMBIGUOUS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void handshakeWhenAttackThenRefusedBeforeUpgradeAndClosed(Attack attack) throws Exception {
        RawHandshake.Response unguarded = attack.request().apply(RawHandshake.to(server.uri("/open"))).send();
        assertThat(unguarded.status()).as("the attack works on the unguarded endpoint").isEqualTo(101);

        EVENTS.clear();
        int opensBefore = IdentityEcho.opens("/guarded");
        RawHandshake attempt = attack.request().apply(RawHandshake.to(server.uri("/guarded")));
        RawHandshake.Response refused = attempt.send();

        assertThat(refused.status()).isEqualTo(attack.status());
        assertThat(refused.header("Upgrade")).isEmpty();
        assertThat(refused.header("Sec-WebSocket-Accept")).isEmpty();
        assertThat(refused.header("Connection")).contains("close");
        assertThat(refused.body()).isEmpty();
        assertThat(refused.closedByServer()).as("connection closed after the refusal").isTrue();
        if (attack.status() == 401) {
            assertThat(refused.header("WWW-Authenticate")).hasValue(attack.reason().wwwAuthenticate().orElseThrow());
        } else {
            assertThat(refused.header("WWW-Authenticate")).isEmpty();
        }
        assertThat(EVENTS).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(SecurityEvent.Kind.HANDSHAKE_REJECTED);
            assertThat(e.reason()).isEqualTo(attack.reason());
            assertThat(e.endpoint()).isEqualTo("/guarded");
            assertThat(e.clientAddress()).isEqualTo("127.0.0.1");
            assertThat(e.subject()).isNull();
        });
        assertThat(IdentityEcho.opens("/guarded")).as("@OnOpen never runs").isEqualTo(opensBefore);
    }

    @Test
    void handshakeWhenAddressFloodsThenHttp429WithRetryAfterBeforeAnyTokenWork() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertThat(RawHandshake.to(server.uri("/open")).send().status()).as("unguarded").isEqualTo(101);
        }
        assertThat(RawHandshake.to(server.uri("/guarded-throttled")).origin(ALLOWED).bearer(valid()).send().status())
                .isEqualTo(101);
        assertThat(RawHandshake.to(server.uri("/guarded-throttled")).origin(ALLOWED).bearer("junk").send().status())
                .as("a refused attempt spends the budget too").isEqualTo(401);
        assertThat(RawHandshake.to(server.uri("/guarded-throttled")).origin(ALLOWED).bearer(valid()).send().status())
                .isEqualTo(101);
        EVENTS.clear();
        RawHandshake.Response limited = RawHandshake.to(server.uri("/guarded-throttled")).origin(ALLOWED)
                .bearer(valid()).send();
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).hasValue("30");
        assertThat(limited.header("Upgrade")).isEmpty();
        assertThat(limited.closedByServer()).isTrue();
        assertThat(EVENTS).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo(Rejection.HANDSHAKE_RATE_LIMITED);
            assertThat(e.tokenFingerprint()).as("refused before the token was even read").isNull();
        });
        assertThat(RawHandshake.to(server.uri("/guarded")).origin(ALLOWED).bearer(valid()).send().status())
                .as("other endpoints keep their own budget").isEqualTo(101);
    }

    @Test
    void handshakeWhenRefusedThenSameConnectionCannotRetry() throws Exception {
        RawHandshake attempt = RawHandshake.to(server.uri("/guarded")).origin(ALLOWED);
        assertThat(attempt.sendTwiceOnOneConnection()).isEmpty();
        assertThat(EVENTS).as("the verdict is computed once per connection").hasSize(1);
    }

    @Test
    void handshakeWhenRefusedThenNoTokenInResponseOrEvents() throws Exception {
        String token = TestTokens.token().expiresAt(now().minusSeconds(300)).issuedAt(now().minusSeconds(600))
                .sign();
        RawHandshake.Response refused = RawHandshake.to(server.uri("/guarded")).origin(ALLOWED).bearer(token)
                .send();
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.headers().toString() + refused.body()).doesNotContain(token)
                .doesNotContain(token.substring(token.lastIndexOf('.') + 1));
        assertThat(EVENTS).singleElement().satisfies(e -> {
            assertThat(e.toJson()).doesNotContain(token).doesNotContain(token.split("\\.")[1]);
            assertThat(e.tokenFingerprint()).hasSize(16);
        });
    }

    @Test
    void handshakeWhenValidBearerHeaderThenEndpointSeesIdentity() throws Exception {
        String token = TestTokens.token().subject("alice").sign();
        WebSocket ws = jdkClient().header("Origin", ALLOWED).header("Authorization", "Bearer " + token)
                .buildAsync(server.uri("/guarded"), new Replies()).get(10, TimeUnit.SECONDS);
        assertThat(ask(ws)).isEqualTo("sub:alice");
        assertThat(EVENTS).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(SecurityEvent.Kind.HANDSHAKE_ACCEPTED);
            assertThat(e.reason()).isNull();
            assertThat(e.subject()).isEqualTo("alice");
        });
    }

    @Test
    void handshakeWhenRequestHeadOver8KibThenRefused400BeforeAnyCheck() throws Exception {
        // Grizzly's limit on a request head: the token is never read, let alone verified.
        String huge = valid() + "." + "A".repeat(9 * 1024);
        RawHandshake.Response refused = RawHandshake.to(server.uri("/guarded")).origin(ALLOWED).bearer(huge).send();
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.header("Sec-WebSocket-Accept")).isEmpty();
        assertThat(EVENTS).noneMatch(e -> e.kind() == SecurityEvent.Kind.HANDSHAKE_ACCEPTED);
    }

    @Test
    void handshakeWhenWildcardSubdomainOriginThenAccepted() throws Exception {
        RawHandshake.Response ok = RawHandshake.to(server.uri("/guarded")).origin("https://acme.tenant.test")
                .bearer(valid()).send();
        assertThat(ok.status()).isEqualTo(101);
    }

    @Test
    void handshakeWhenTokenInSubprotocolThenServerAnswersBearerOnly() throws Exception {
        String token = TestTokens.token().subject("bob").sign();
        RawHandshake.Response raw = RawHandshake.to(server.uri("/guarded")).origin(ALLOWED)
                .header("Sec-WebSocket-Protocol", "bearer, " + token).send();
        assertThat(raw.status()).isEqualTo(101);
        assertThat(raw.headers().get("sec-websocket-protocol")).containsExactly("bearer");

        WebSocket ws = jdkClient().header("Origin", ALLOWED).subprotocols("bearer", token)
                .buildAsync(server.uri("/guarded"), new Replies()).get(10, TimeUnit.SECONDS);
        assertThat(ws.getSubprotocol()).isEqualTo("bearer");
        assertThat(ask(ws)).isEqualTo("sub:bob");
    }

    @Test
    void handshakeWhenSameTokenOnTwoSourcesThenAccepted() throws Exception {
        String token = valid();
        RawHandshake.Response ok = RawHandshake.to(server.uri("/guarded")).origin(ALLOWED).bearer(token)
                .header("Sec-WebSocket-Protocol", "bearer, " + token).send();
        assertThat(ok.status()).isEqualTo(101);
    }

    @Test
    void handshakeWhenCookieWithAllowedOriginThenAccepted() throws Exception {
        RawHandshake.Response ok = RawHandshake.to(server.uri("/guarded")).origin(ALLOWED)
                .header("Cookie", "theme=dark; Bearer=" + valid()).send();
        assertThat(ok.status()).isEqualTo(101);
    }

    @Test
    void handshakeWhenCookieWithoutOriginThenCookieDoesNotCount() throws Exception {
        // Missing origins are allowed on this endpoint, but a cookie without a verified origin is no credential.
        RawHandshake.Response unverified = RawHandshake.to(server.uri("/guarded-no-origin"))
                .header("Cookie", "Bearer=" + valid()).send();
        assertThat(unverified.status()).isEqualTo(401);
        assertThat(EVENTS).singleElement().extracting(SecurityEvent::reason).isEqualTo(Rejection.TOKEN_MISSING);

        RawHandshake.Response header = RawHandshake.to(server.uri("/guarded-no-origin")).bearer(valid()).send();
        assertThat(header.status()).as("a non-browser client with a header token").isEqualTo(101);
        RawHandshake.Response cookie = RawHandshake.to(server.uri("/guarded-no-origin")).origin(ALLOWED)
                .header("Cookie", "Bearer=" + valid()).send();
        assertThat(cookie.status()).isEqualTo(101);
    }

    @Test
    void handshakeWhenQuerySourceEnabledThenQueryTokenAccepted() throws Exception {
        String token = TestTokens.token().subject("carol").sign();
        WebSocket ws = jdkClient().header("Origin", ALLOWED)
                .buildAsync(URI.create(server.uri("/guarded-query") + "?access_token=" + token), new Replies())
                .get(10, TimeUnit.SECONDS);
        assertThat(ask(ws)).isEqualTo("sub:carol");
        assertThat(EVENTS).singleElement().extracting(SecurityEvent::toJson).asString().doesNotContain(token);
    }

    @Test
    void handshakeWhenJdkClientRefusedThenItSeesStatus() {
        CompletableFuture<WebSocket> attempt = jdkClient().header("Origin", "https://evil.test")
                .header("Authorization", "Bearer " + valid()).buildAsync(server.uri("/guarded"), new Replies());
        assertThatThrownBy(() -> attempt.get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(WebSocketHandshakeException.class)
                .extracting(e -> ((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(403);
    }

    @Test
    void handshakeWhenManyUsersConcurrentlyThenEachSeesOwnIdentity() throws Exception {
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String sub = "user-" + i;
            String token = TestTokens.token().subject(sub).sign();
            Replies replies = new Replies();
            answers.add(jdkClient().header("Origin", ALLOWED).header("Authorization", "Bearer " + token)
                    .buildAsync(server.uri("/guarded"), replies)
                    .thenCompose(ws -> {
                        ws.sendText("who", true);
                        return replies.next;
                    }));
        }
        for (int i = 0; i < answers.size(); i++) {
            assertThat(answers.get(i).get(15, TimeUnit.SECONDS)).isEqualTo("sub:user-" + i);
        }
    }

    private static WebSocket.Builder jdkClient() {
        return HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    }

    private static String ask(WebSocket ws) throws Exception {
        Replies replies = (Replies) listenerOf(ws);
        ws.sendText("who", true);
        return replies.next.get(10, TimeUnit.SECONDS);
    }

    private static final java.util.Map<WebSocket, WebSocket.Listener> LISTENERS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static WebSocket.Listener listenerOf(WebSocket ws) {
        return Optional.ofNullable(LISTENERS.get(ws)).orElseThrow();
    }

    /** Collects the first text message. */
    private static final class Replies implements WebSocket.Listener {
        final CompletableFuture<String> next = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket ws) {
            LISTENERS.put(ws, this);
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                next.complete(partial.toString());
            }
            ws.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            next.completeExceptionally(error);
        }
    }
}
