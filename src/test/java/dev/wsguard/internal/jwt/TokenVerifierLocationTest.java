package dev.wsguard.internal.jwt;

import static dev.wsguard.internal.jwt.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import dev.wsguard.Rejection;
import dev.wsguard.testing.JwksServer;
import dev.wsguard.testing.TestTokens;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys read from a location: file path, {@code file:} URL, classpath, and an http JWKS endpoint. */
class TokenVerifierLocationTest {

    private static final RSAKey RSA = TestTokens.rsa2048();

    private static String token() {
        return TestTokens.token().at(NOW).sign();
    }

    private static Rejection reason(Verification verification) {
        assertThat(verification).isInstanceOf(Verification.Invalid.class);
        return ((Verification.Invalid) verification).reason();
    }

    /** Runs {@code action} with a context class loader that sees only {@code dir}. */
    private static <T> T withClasspath(Path dir, Supplier<T> action) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            thread.setContextClassLoader(loader);
            return action.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Test
    void verifyWhenKeyFromFilePathThenValid(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("public.pem"), TestTokens.publicKeyPem(RSA));

        assertThat(Fixtures.at(file.toString()).verifier().verify(token())).isInstanceOf(Verification.Valid.class);
    }

    @Test
    void verifyWhenKeyFromFileUrlThenValid(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("jwks.json"), TestTokens.jwks(RSA));

        assertThat(Fixtures.at(file.toUri().toString()).verifier().verify(token()))
                .isInstanceOf(Verification.Valid.class);
    }

    @Test
    void verifyWhenJwkFromClasspathLocationThenValid(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("keys"));
        Files.writeString(dir.resolve("keys/jwk.json"), TestTokens.jwk(RSA));

        TokenVerifier prefixed = withClasspath(dir, () -> Fixtures.at("classpath:keys/jwk.json").verifier());
        TokenVerifier slash = withClasspath(dir, () -> Fixtures.at("classpath:/keys/jwk.json").verifier());
        TokenVerifier relative = withClasspath(dir, () -> Fixtures.at("keys/jwk.json").verifier());

        assertThat(prefixed.verify(token())).isInstanceOf(Verification.Valid.class);
        assertThat(slash.verify(token())).isInstanceOf(Verification.Valid.class);
        assertThat(relative.verify(token())).isInstanceOf(Verification.Valid.class);
    }

    @Test
    void verifyWhenCertificateFromFileThenValid(@TempDir Path dir) throws Exception {
        TestTokens.CertifiedKey certified = TestTokens.selfSigned();
        Path file = Files.writeString(dir.resolve("cert.pem"),
                "Bag Attributes\n    friendlyName: test\n" + TestTokens.certificatePem(certified.certificate()));

        TokenVerifier verifier = Fixtures.at(file.toString()).verifier();

        assertThat(verifier.verify(TestTokens.token().at(NOW).signedWith(certified.key()).sign()))
                .isInstanceOf(Verification.Valid.class);
    }

    // ------------------------------------------------------------------ http(s) JWKS

    @Test
    void verifyWhenJwksOverHttpThenValidAndFetchedOnce() {
        try (JwksServer server = JwksServer.start(TestTokens.jwks(RSA))) {
            // The first fetch starts in the background at construction; the first token waits for it, within bounds.
            TokenVerifier verifier = Fixtures.at(server.url()).verifier();

            assertThat(verifier.verify(token())).isInstanceOf(Verification.Valid.class);
            assertThat(verifier.verify(token())).isInstanceOf(Verification.Valid.class);
            assertThat(server.fetches()).isEqualTo(1);
        }
    }

    @Test
    void verifyWhenNewKidPublishedAfterFirstFetchThenPickedUp() {
        RSAKey next = TestTokens.newRsa2048("rotated");
        try (JwksServer server = JwksServer.start(TestTokens.jwks(RSA))) {
            TokenVerifier verifier = Fixtures.at(server.url()).verifier();
            String rotatedToken = TestTokens.token().at(NOW).signedWith(next).sign();

            assertThat(verifier.verify(token())).isInstanceOf(Verification.Valid.class);
            server.publish(TestTokens.jwks(RSA, next));

            assertThat(verifier.verify(rotatedToken)).isInstanceOf(Verification.Valid.class);
            assertThat(server.fetches()).isEqualTo(2);
            assertThat(verifier.verify(token())).isInstanceOf(Verification.Valid.class);
            assertThat(server.fetches()).isEqualTo(2);
        }
    }

    @Test
    void verifyWhenUnknownKidsFloodThenRefreshIsRateLimited() {
        try (JwksServer server = JwksServer.start(TestTokens.jwks(RSA))) {
            TokenVerifier verifier = Fixtures.at(server.url()).verifier();
            assertThat(verifier.verify(token())).isInstanceOf(Verification.Valid.class);

            for (int i = 0; i < 20; i++) {
                String unknown = TestTokens.token().at(NOW).keyId("unknown-" + i).sign();
                assertThat(reason(verifier.verify(unknown))).isEqualTo(Rejection.TOKEN_KEY_UNKNOWN);
            }

            // Two fetches start per 30 s window: the first fetch and one refresh (FetchGate).
            assertThat(server.fetches()).isEqualTo(2);
            assertThat(verifier.verify(token())).isInstanceOf(Verification.Valid.class);
        }
    }

    @Test
    void verifyWhenOnlyCandidateFromJwksIsRsa1024ThenKeyTooWeak() {
        RSAKey weak = TestTokens.rsa1024("weak");
        try (JwksServer server = JwksServer.start(TestTokens.jwks(weak, RSA))) {
            TokenVerifier verifier = Fixtures.at(server.url()).verifier();

            assertThat(reason(verifier.verify(TestTokens.token().at(NOW).signedWith(weak).sign())))
                    .isEqualTo(Rejection.TOKEN_KEY_TOO_WEAK);
            assertThat(verifier.verify(token())).isInstanceOf(Verification.Valid.class);
        }
    }

    @Test
    void verifyWhenTokenWithoutKidAndJwksHasWeakAndStrongKeysThenWeakIsNeverTried() {
        RSAKey weak = TestTokens.rsa1024("weak");
        try (JwksServer server = JwksServer.start(TestTokens.jwks(weak, RSA))) {
            TokenVerifier verifier = Fixtures.at(server.url()).verifier();

            assertThat(reason(verifier.verify(TestTokens.token().at(NOW).signedWith(weak).keyId(null).sign())))
                    .isEqualTo(Rejection.TOKEN_SIGNATURE_INVALID);
            assertThat(verifier.verify(TestTokens.token().at(NOW).keyId(null).sign()))
                    .isInstanceOf(Verification.Valid.class);
        }
    }

    @Test
    void verifyWhenSingleWeakKeyWithoutKidInJwksThenKeyTooWeak() {
        RSAKey weak = TestTokens.rsa1024(null);
        try (JwksServer server = JwksServer.start(TestTokens.jwks(weak))) {
            TokenVerifier verifier = Fixtures.at(server.url()).verifier();

            assertThat(reason(verifier.verify(TestTokens.token().at(NOW).signedWith(weak).keyId("x").sign())))
                    .isEqualTo(Rejection.TOKEN_KEY_TOO_WEAK);
        }
    }

    @Test
    void verifyWhenEs256FromJwksThenValid() {
        try (JwksServer server = JwksServer.start(TestTokens.jwks(RSA, TestTokens.ecP256()))) {
            TokenVerifier verifier = Fixtures.at(server.url()).verifier();
            String token = TestTokens.token().at(NOW).signedWith(TestTokens.ecP256()).algorithm(JWSAlgorithm.ES256)
                    .sign();

            assertThat(verifier.verify(token)).isInstanceOf(Verification.Valid.class);
        }
    }

    @Test
    void verifyWhenJwksEndpointUnreachableThenKeyUnknownWithoutThrowing() {
        JwksServer server = JwksServer.start(TestTokens.jwks(RSA));
        String url = server.url();
        server.close();
        TokenVerifier verifier = Fixtures.at(url).verifier();

        assertThat(reason(verifier.verify(token()))).isEqualTo(Rejection.TOKEN_KEY_UNKNOWN);
        assertThat(reason(verifier.verify(token()))).isEqualTo(Rejection.TOKEN_KEY_UNKNOWN);
    }

    @Test
    void verifyWhenJwksEndpointServesGarbageThenKeyUnknown() {
        try (JwksServer server = JwksServer.start("<html>not json</html>")) {
            TokenVerifier verifier = Fixtures.at(server.url()).verifier();

            assertThat(reason(verifier.verify(token()))).isEqualTo(Rejection.TOKEN_KEY_UNKNOWN);
        }
    }
}
