package dev.wsguard.internal.jwt;

import static dev.wsguard.internal.jwt.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.wsguard.GuardConfigException;
import dev.wsguard.Rejection;
import dev.wsguard.testing.JwksServer;
import dev.wsguard.testing.TestTokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import org.junit.jupiter.api.Test;

/**
 * The verified-token cache: a reconnect with the same token reuses the verdict (the same identity object comes
 * back), but never past the token's {@code exp} or the ttl, never for a token that differs in any character, and
 * never after the key set changed.
 */
class VerifiedTokenCacheTest {

    private static final RSAKey RSA = TestTokens.rsa2048();

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        private volatile Instant now = NOW;

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private final MovableClock clock = new MovableClock();

    private TokenVerifier verifier(Fixtures f, int size, Duration ttl) {
        f.clock = clock;
        return new TokenVerifier(f.build(), size, ttl);
    }

    private TokenVerifier inline() {
        return verifier(Fixtures.inline(TestTokens.publicKeyPem(RSA)), 100, Duration.ofMinutes(5));
    }

    private static VerifiedToken identity(Verification v) {
        assertThat(v).isInstanceOf(Verification.Valid.class);
        return (VerifiedToken) ((Verification.Valid) v).token();
    }

    private static Rejection reason(Verification v) {
        assertThat(v).isInstanceOf(Verification.Invalid.class);
        return ((Verification.Invalid) v).reason();
    }

    @Test
    void verifyWhenSameTokenAgainThenCachedIdentityReturned() {
        TokenVerifier verifier = inline();
        String token = TestTokens.token().at(NOW).sign();

        VerifiedToken first = identity(verifier.verify(token));

        assertThat(identity(verifier.verify(token))).isSameAs(first);
    }

    @Test
    void verifyWhenCacheSizeZeroThenEveryTokenVerifiedAgain() {
        TokenVerifier verifier = verifier(Fixtures.inline(TestTokens.publicKeyPem(RSA)), 0, null);
        String token = TestTokens.token().at(NOW).sign();

        VerifiedToken first = identity(verifier.verify(token));

        assertThat(identity(verifier.verify(token))).isNotSameAs(first);
    }

    @Test
    void verifyWhenCachedTokenReachesExpThenNotServedFromCache() {
        TokenVerifier verifier = inline();
        String token = TestTokens.token().issuedAt(NOW).expiresAt(NOW.plusSeconds(120)).sign();
        VerifiedToken first = identity(verifier.verify(token));

        clock.advance(Duration.ofSeconds(120));
        // Inside the 60 s skew the token still verifies, but only by a full verification.
        assertThat(identity(verifier.verify(token))).isNotSameAs(first);

        clock.advance(Duration.ofSeconds(61));
        assertThat(reason(verifier.verify(token))).isEqualTo(Rejection.TOKEN_EXPIRED);
    }

    @Test
    void verifyWhenTtlPassedThenVerifiedAgain() {
        TokenVerifier verifier = verifier(Fixtures.inline(TestTokens.publicKeyPem(RSA)), 100, Duration.ofSeconds(30));
        String token = TestTokens.token().at(NOW).sign();
        VerifiedToken first = identity(verifier.verify(token));

        clock.advance(Duration.ofSeconds(29));
        assertThat(identity(verifier.verify(token))).isSameAs(first);
        clock.advance(Duration.ofSeconds(1));
        assertThat(identity(verifier.verify(token))).isNotSameAs(first);
    }

    @Test
    void verifyWhenSignatureOfCachedTokenTamperedThenSignatureInvalid() {
        TokenVerifier verifier = inline();
        String token = TestTokens.token().at(NOW).sign();
        identity(verifier.verify(token));

        int sig = token.lastIndexOf('.') + 1;
        char c = token.charAt(sig);
        String tampered = token.substring(0, sig) + (c == 'A' ? 'B' : 'A') + token.substring(sig + 1);

        assertThat(reason(verifier.verify(tampered))).isEqualTo(Rejection.TOKEN_SIGNATURE_INVALID);
    }

    @Test
    void verifyWhenClaimsOfCachedTokenSwappedThenSignatureInvalid() {
        TokenVerifier verifier = inline();
        String alice = TestTokens.token().at(NOW).sign();
        String admin = TestTokens.token().at(NOW).groups("admin").sign();
        identity(verifier.verify(alice));

        // alice's header and signature around another payload: same signature bytes, different token.
        String[] a = alice.split("\\.");
        String[] b = admin.split("\\.");
        String forged = a[0] + "." + b[1] + "." + a[2];

        assertThat(reason(verifier.verify(forged))).isEqualTo(Rejection.TOKEN_SIGNATURE_INVALID);
    }

    @Test
    void verifyWhenRemoteKeySetChangesThenCachedVerdictDropped() throws Exception {
        RSAKey other = TestTokens.newRsa2048("other");
        try (JwksServer server = JwksServer.start(TestTokens.jwks(RSA))) {
            Fixtures f = Fixtures.at(server.url());
            f.jwksRefresh = Duration.ofSeconds(1);
            TokenVerifier verifier = verifier(f, 100, Duration.ofMinutes(5));
            String token = TestTokens.token().at(NOW).sign();
            VerifiedToken first = identity(verifier.verify(token));
            assertThat(identity(verifier.verify(token))).isSameAs(first);

            server.publish(TestTokens.jwks(other));

            // The JWKS cache expires after 1 s of real time; until then the old set is still the current one.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            Verification v = verifier.verify(token);
            while (v instanceof Verification.Valid && System.nanoTime() < deadline) {
                Thread.sleep(50);
                v = verifier.verify(token);
            }
            assertThat(reason(v)).isEqualTo(Rejection.TOKEN_KEY_UNKNOWN);
        }
    }

    @Test
    void putWhenFullThenSizeStaysAtBound() {
        VerifiedTokenCache cache = new VerifiedTokenCache(3, Duration.ofMinutes(5), clock);
        for (int i = 0; i < 1000; i++) {
            cache.put(VerifiedTokenCache.keyOf("token-" + i), token(NOW.plusSeconds(300)), 0);
        }
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.get(VerifiedTokenCache.keyOf("token-999"), 0)).isNotNull();
    }

    @Test
    void getWhenKeySetVersionDiffersOrUnknownThenMiss() {
        VerifiedTokenCache cache = new VerifiedTokenCache(3, Duration.ofMinutes(5), clock);
        TokenDigest key = VerifiedTokenCache.keyOf("t");
        cache.put(key, token(NOW.plusSeconds(300)), 1);

        assertThat(cache.get(key, -1)).isNull();
        assertThat(cache.get(key, 2)).isNull();
        assertThat(cache.get(key, 1)).as("a stale entry is removed, not kept for later").isNull();
    }

    @Test
    void putWhenTokenAlreadyExpiredThenNotStored() {
        VerifiedTokenCache cache = new VerifiedTokenCache(3, Duration.ofMinutes(5), clock);
        TokenDigest key = VerifiedTokenCache.keyOf("t");
        cache.put(key, token(NOW), 0);
        assertThat(cache.size()).isZero();
    }

    @Test
    void constructWhenCacheSizeNegativeThenGuardConfigException() {
        assertThatThrownBy(() -> verifier(Fixtures.inline(TestTokens.publicKeyPem(RSA)), -1, Duration.ofMinutes(1)))
                .isInstanceOf(GuardConfigException.class);
        assertThatThrownBy(() -> verifier(Fixtures.inline(TestTokens.publicKeyPem(RSA)), 10, Duration.ZERO))
                .isInstanceOf(GuardConfigException.class);
    }

    private static VerifiedToken token(Instant exp) {
        return new VerifiedToken(new JWTClaimsSet.Builder().subject("alice").expirationTime(Date.from(exp)).build());
    }
}
