package dev.wsguard.internal;

import dev.wsguard.GuardConfig;
import dev.wsguard.Rejection;
import dev.wsguard.testing.PlainClaims;
import dev.wsguard.testing.TestTokens;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The handshake guard over plain values: a request's path, headers, parameters and address in, an
 * {@link HandshakeGuard.Outcome} out, with no runtime. The real-socket proofs of the same rules are
 * {@code HandshakeAttackIT}, {@code ConnectionQuotaIT} and the contract suite.
 */
class HandshakeGuardTest {

    private static final String ORIGIN = "https://chat.test";
    private final List<HandshakeGuard> guards = new ArrayList<>();

    @AfterEach
    void close() {
        guards.forEach(HandshakeGuard::close);
    }

    private static GuardConfig.Builder config() {
        return GuardConfig.builder().allowedOrigins(ORIGIN).publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048()))
                .issuer(TestTokens.ISSUER).audiences(TestTokens.AUDIENCE);
    }

    private HandshakeGuard guard(GuardConfig config) {
        HandshakeGuard guard = new HandshakeGuard(config);
        guards.add(guard);
        return guard;
    }

    private static HandshakeView request(String origin, String token, String address) {
        Map<String, List<String>> headers = new HashMap<>();
        if (origin != null) {
            headers.put("origin", List.of(origin));
        }
        if (token != null) {
            headers.put("Authorization", List.of("Bearer " + token));
        }
        return new HandshakeView("/chat", headers, Map.of(), address);
    }

    private static HandshakeGuard.Outcome check(HandshakeGuard guard, HandshakeView request) {
        return guard.check(request, true, "/chat", null);
    }

    private static Rejection reason(HandshakeGuard.Outcome outcome) {
        assertThat(outcome).isInstanceOf(HandshakeGuard.Rejected.class);
        return ((HandshakeGuard.Rejected) outcome).reason();
    }

    @Test
    void checkWhenOriginMissingOrForeignOrDoubledThenRefusedBeforeTheToken() {
        HandshakeGuard guard = guard(config().build());
        String token = TestTokens.token().subject("ann").sign();
        assertThat(reason(check(guard, request(null, token, "192.0.2.1")))).isEqualTo(Rejection.ORIGIN_MISSING);
        assertThat(reason(check(guard, request("https://evil.test", token, "192.0.2.1"))))
                .isEqualTo(Rejection.ORIGIN_NOT_ALLOWED);
        HandshakeView doubled = new HandshakeView("/chat", Map.of("Origin", List.of(ORIGIN, ORIGIN),
                "Authorization", List.of("Bearer " + token)), Map.of(), "192.0.2.1");
        assertThat(reason(check(guard, doubled))).isEqualTo(Rejection.ORIGIN_NOT_ALLOWED);
    }

    @Test
    void checkWhenTokenMissingOrForgedThenRefused() {
        HandshakeGuard guard = guard(config().build());
        assertThat(reason(check(guard, request(ORIGIN, null, "192.0.2.1")))).isEqualTo(Rejection.TOKEN_MISSING);
        assertThat(reason(check(guard, request(ORIGIN, TestTokens.token().subject("x").unsigned(), "192.0.2.1"))))
                .isEqualTo(Rejection.TOKEN_ALGORITHM_NOT_ALLOWED);
    }

    @Test
    void checkWhenValidThenAcceptedWithIdentityAddressAndSlot() {
        HandshakeGuard.Outcome outcome = check(guard(config().build()),
                request(ORIGIN, TestTokens.token().subject("bea").sign(), "192.0.2.7"));
        assertThat(outcome).isInstanceOfSatisfying(HandshakeGuard.Accepted.class, accepted -> {
            assertThat(accepted.identity().getSubject()).isEqualTo("bea");
            assertThat(accepted.clientAddress()).isEqualTo("192.0.2.7");
            assertThat(accepted.slot()).isNotNull();
        });
    }

    @Test
    void checkWhenTokenExpiredWithinTheClockSkewThenRefusedExpiredNotOpenedToCloseAtOnce() {
        java.time.Instant now = java.time.Instant.now();
        String token = TestTokens.token().subject("eli").issuedAt(now.minusSeconds(600)).expiresAt(now.minusSeconds(5))
                .sign();
        assertThat(reason(check(guard(config().build()), request(ORIGIN, token, "192.0.2.1"))))
                .isEqualTo(Rejection.TOKEN_EXPIRED);
    }

    @Test
    void checkWhenTokenRevokedThenRefusedRevoked() {
        HandshakeGuard guard = guard(config().revocations(token -> "cy".equals(token.getSubject())).build());
        assertThat(reason(check(guard, request(ORIGIN, TestTokens.token().subject("cy").sign(), "192.0.2.1"))))
                .isEqualTo(Rejection.TOKEN_REVOKED);
    }

    @Test
    void checkWhenUserQuotaFullThen429UntilASlotIsReleased() {
        HandshakeGuard guard = guard(config().connectionQuotas(100, 1, 100, 100).build());
        String token = TestTokens.token().subject("dee").sign();
        HandshakeGuard.Accepted first = (HandshakeGuard.Accepted) check(guard, request(ORIGIN, token, "192.0.2.1"));
        HandshakeGuard.Outcome second = check(guard, request(ORIGIN, token, "192.0.2.2"));
        assertThat(reason(second)).isEqualTo(Rejection.CONNECTION_QUOTA_EXCEEDED);
        assertThat(((HandshakeGuard.Rejected) second).retryAfterSeconds()).isEqualTo(10);
        first.slot().release();
        assertThat(check(guard, request(ORIGIN, token, "192.0.2.2"))).isInstanceOf(HandshakeGuard.Accepted.class);
    }

    @Test
    void checkWhenAddressOverHandshakeRateThen429WithRetryAfterAndOtherAddressesPass() {
        HandshakeGuard guard = guard(config().handshakeRateLimit(2, Duration.ofSeconds(30)).build());
        for (int i = 0; i < 2; i++) {
            assertThat(reason(check(guard, request(ORIGIN, null, "192.0.2.9")))).isEqualTo(Rejection.TOKEN_MISSING);
        }
        HandshakeGuard.Outcome limited = check(guard, request(ORIGIN, null, "192.0.2.9"));
        assertThat(reason(limited)).isEqualTo(Rejection.HANDSHAKE_RATE_LIMITED);
        assertThat(((HandshakeGuard.Rejected) limited).retryAfterSeconds()).isEqualTo(30);
        assertThat(reason(check(guard, request(ORIGIN, null, "192.0.2.10")))).isEqualTo(Rejection.TOKEN_MISSING);
    }

    @Test
    void checkWhenContainerVerifiedThenItsIdentityServesAndExpiryAndRevocationStillHold() {
        HandshakeGuard guard = guard(config().revocations(token -> "revoked".equals(token.getSubject())).build());
        long now = System.currentTimeMillis() / 1000;
        HandshakeView noToken = request(ORIGIN, null, "192.0.2.1");
        assertThat(guard.check(noToken, true, "/chat", container("ed", now + 60)))
                .isInstanceOfSatisfying(HandshakeGuard.Accepted.class,
                        accepted -> assertThat(accepted.identity().getSubject()).isEqualTo("ed"));
        assertThat(reason(guard.check(noToken, true, "/chat", container("ed", now - 1))))
                .isEqualTo(Rejection.TOKEN_EXPIRED);
        assertThat(reason(guard.check(noToken, true, "/chat", container("revoked", now + 60))))
                .isEqualTo(Rejection.TOKEN_REVOKED);
        assertThat(reason(guard.check(request("https://evil.test", null, "192.0.2.1"), true, "/chat",
                container("ed", now + 60)))).as("the origin rule holds for container identities")
                .isEqualTo(Rejection.ORIGIN_NOT_ALLOWED);
    }

    @Test
    void checkWhenFirstMessageModeThenAcceptedWithoutIdentity() {
        HandshakeGuard guard = guard(config().authMode(GuardConfig.AuthMode.FIRST_MESSAGE)
                .authDeadline(Duration.ofSeconds(5)).build());
        assertThat(check(guard, request(ORIGIN, null, "192.0.2.1")))
                .isInstanceOfSatisfying(HandshakeGuard.Accepted.class,
                        accepted -> assertThat(accepted.identity()).isNull());
    }

    private static JsonWebToken container(String subject, long exp) {
        return PlainClaims.of(Map.of("sub", subject, "exp", exp, "groups", Set.of()));
    }
}
