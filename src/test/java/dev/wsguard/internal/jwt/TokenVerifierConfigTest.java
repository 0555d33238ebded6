package dev.wsguard.internal.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import dev.wsguard.GuardConfigException;
import dev.wsguard.testing.TestTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenVerifierConfigTest {

    private static final RSAKey RSA = TestTokens.rsa2048();
    private static final String PEM = TestTokens.publicKeyPem(RSA);

    private static void assertConfigError(Fixtures settings, String messagePart) {
        assertThatThrownBy(settings::verifier)
                .isInstanceOf(GuardConfigException.class)
                .hasMessageContaining(messagePart);
    }

    /** The base64 body of a PEM, in chunks long enough that finding one in a message means a leak. */
    private static void assertNoKeyMaterial(Throwable error, String keyText) {
        String body = keyText.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        for (Throwable t = error; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            for (int i = 0; i + 16 <= body.length(); i += 16) {
                assertThat(message).doesNotContain(body.substring(i, i + 16));
            }
        }
    }

    @Test
    void constructWhenSettingsNullThenConfigError() {
        assertThatThrownBy(() -> new TokenVerifier(null)).isInstanceOf(GuardConfigException.class);
    }

    @Test
    void constructWhenValidSettingsThenNoError() {
        assertThat(Fixtures.inline(PEM).verifier()).isNotNull();
    }

    // ------------------------------------------------------------------ key source

    @Test
    void constructWhenNoKeyThenConfigError() {
        assertConfigError(new Fixtures(), "no verification key");
        assertConfigError(Fixtures.inline("  "), "no verification key");
    }

    @Test
    void constructWhenKeyAndLocationBothSetThenConfigError() {
        Fixtures settings = Fixtures.inline(PEM);
        settings.publicKeyLocation = "classpath:key.pem";

        assertConfigError(settings, "only one of");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not a key", "{\"foo\":1}", "{not json", "{\"keys\":\"x\"}", "{\"keys\":[]}",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
            "-----BEGIN PUBLIC KEY-----\nMIIB", "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----"})
    void constructWhenKeyUnparseableThenConfigError(String key) {
        assertThatThrownBy(() -> Fixtures.inline(key).verifier())
                .isInstanceOf(GuardConfigException.class)
                .hasMessageContaining("mp.jwt.verify.publickey");
    }

    @Test
    void constructWhenPemBodyCorruptThenConfigErrorWithoutKeyMaterial() {
        String corrupt = PEM.replace("MIIBIjAN", "MIIBIjAX");
        assertThat(corrupt).isNotEqualTo(PEM);

        Throwable error = org.assertj.core.api.Assertions.catchThrowable(() -> Fixtures.inline(corrupt).verifier());

        assertThat(error).isInstanceOf(GuardConfigException.class).hasMessageContaining("PUBLIC KEY");
        assertNoKeyMaterial(error, corrupt);
    }

    @Test
    void constructWhenPrivateKeyPemThenConfigErrorWithoutKeyMaterial() throws Exception {
        String privatePem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(RSA.toRSAPrivateKey().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";

        Throwable error = org.assertj.core.api.Assertions.catchThrowable(
                () -> Fixtures.inline(privatePem).verifier());

        assertThat(error).isInstanceOf(GuardConfigException.class).hasMessageContaining("unsupported type");
        assertNoKeyMaterial(error, privatePem);
    }

    @Test
    void constructWhenLocationFileMissingThenConfigError(@TempDir Path dir) {
        assertConfigError(Fixtures.at(dir.resolve("missing.pem").toString()), "does not exist");
        assertConfigError(Fixtures.at(dir.resolve("missing.pem").toUri().toString()), "does not exist");
        assertConfigError(Fixtures.at(dir.toString()), "does not exist");
    }

    @Test
    void constructWhenLocationNotOnClasspathThenConfigError() {
        assertConfigError(Fixtures.at("classpath:no/such/key.pem"), "is not a file or classpath resource");
        assertConfigError(Fixtures.at("no/such/key.pem"), "is not a file or classpath resource");
    }

    @Test
    void constructWhenLocationFileIsGarbageThenConfigError(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("key.pem"), "garbage");

        assertConfigError(Fixtures.at(file.toString()), "mp.jwt.verify.publickey.location");
    }

    @Test
    void constructWhenLocationFileIsBinaryThenConfigError(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("key.der"), RSA.toRSAPublicKey().getEncoded());

        assertConfigError(Fixtures.at(file.toString()), "not UTF-8");
    }

    @Test
    void constructWhenLocationSchemeUnsupportedThenConfigError() {
        assertConfigError(Fixtures.at("ftp://keys.test/key.pem"), "unsupported scheme");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://", "https://", "http:///jwks.json", "https://exa mple.test/jwks", "http://[::1"})
    void constructWhenHttpLocationMalformedThenConfigError(String location) {
        assertThatThrownBy(() -> Fixtures.at(location).verifier())
                .isInstanceOf(GuardConfigException.class)
                .hasMessageContaining("not a valid http(s) URL");
    }

    @Test
    void constructWhenJwksRefreshMissingOrTooShortForHttpThenConfigError() {
        Fixtures missing = Fixtures.at("https://issuer.test/jwks.json");
        missing.jwksRefresh = null;
        Fixtures tooShort = Fixtures.at("https://issuer.test/jwks.json");
        tooShort.jwksRefresh = Duration.ofMillis(500);

        assertConfigError(missing, "refresh");
        assertConfigError(tooShort, "refresh");
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, 5_001, 60_000})
    void constructWhenJwksFetchWaitNegativeOrOverFiveSecondsThenConfigError(long millis) {
        Fixtures settings = Fixtures.at("https://issuer.test/jwks.json");
        settings.jwksFetchWait = Duration.ofMillis(millis);

        assertConfigError(settings, "jwks-fetch-wait");
    }

    @Test
    void constructWhenShortJwksRefreshThenAccepted() {
        Fixtures settings = Fixtures.at("https://issuer.test/jwks.json");
        settings.jwksRefresh = Duration.ofSeconds(5);

        assertThat(settings.verifier()).isNotNull();
    }

    // ------------------------------------------------------------------ algorithms

    @Test
    void constructWhenAlgorithmsEmptyThenConfigError() {
        Fixtures empty = Fixtures.inline(PEM);
        empty.algorithms = Set.of();
        Fixtures none = Fixtures.inline(PEM);
        none.algorithms = null;

        assertConfigError(empty, "mp.jwt.verify.publickey.algorithm is required");
        assertConfigError(none, "mp.jwt.verify.publickey.algorithm is required");
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "NONE", "None"})
    void constructWhenAlgorithmNoneThenConfigError(String alg) {
        Fixtures settings = Fixtures.inline(PEM);
        settings.algorithms = Set.of("RS256", alg);

        assertConfigError(settings, "'none' is never allowed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS384", "HS512", "hs256"})
    void constructWhenHmacAlgorithmThenConfigError(String alg) {
        Fixtures settings = Fixtures.inline(PEM);
        settings.algorithms = Set.of("RS256", alg);

        assertConfigError(settings, "HMAC");
    }

    @ParameterizedTest
    @ValueSource(strings = {"XX256", "ES256K", "EdDSA", "Ed25519", "RSA-OAEP", "rs256", " "})
    void constructWhenAlgorithmUnsupportedThenConfigError(String alg) {
        Fixtures settings = Fixtures.inline(PEM);
        settings.algorithms = new HashSet<>(Set.of("RS256", alg));

        assertThatThrownBy(settings::verifier).isInstanceOf(GuardConfigException.class);
    }

    // ------------------------------------------------------------------ weak and unfit keys

    @Test
    void constructWhenRsa1024PemThenConfigError() {
        assertConfigError(Fixtures.inline(TestTokens.publicKeyPem(TestTokens.rsa1024(null))), "1024 bits");
    }

    @Test
    void constructWhenRsa1024InStaticJwksThenConfigError(@TempDir Path dir) throws Exception {
        String jwks = TestTokens.jwks(RSA, TestTokens.rsa1024("weak"));
        Path file = Files.writeString(dir.resolve("jwks.json"), jwks);

        assertConfigError(Fixtures.inline(jwks), "1024 bits");
        assertConfigError(Fixtures.at(file.toString()), "1024 bits");
    }

    @Test
    void constructWhenEcKeyAndOnlyRsaAlgorithmsThenConfigError() {
        Fixtures settings = Fixtures.inline(TestTokens.publicKeyPem(TestTokens.ecP256()));
        settings.algorithms = Set.of("RS256", "PS256");

        assertConfigError(settings, "no configured key fits");
    }

    @Test
    void constructWhenEcCurveDoesNotFitAlgorithmThenConfigError() {
        Fixtures settings = Fixtures.inline(TestTokens.publicKeyPem(TestTokens.ecP256()));
        settings.algorithms = Set.of("ES384", "ES512");

        assertConfigError(settings, "no configured key fits");
    }

    @Test
    void constructWhenRsaKeyAndOnlyEcAlgorithmThenConfigError() {
        Fixtures settings = Fixtures.inline(PEM);
        settings.algorithms = Set.of("ES256");

        assertConfigError(settings, "no configured key fits");
    }

    @Test
    void constructWhenSymmetricJwkThenConfigError() throws Exception {
        OctetSequenceKey secret = new OctetSequenceKeyGenerator(256).keyID("hmac").generate();

        Throwable error = org.assertj.core.api.Assertions.catchThrowable(
                () -> Fixtures.inline(secret.toJSONString()).verifier());

        assertThat(error).isInstanceOf(GuardConfigException.class).hasMessageContaining("fits none");
        assertThat(error.getMessage()).doesNotContain(secret.getKeyValue().toString());
    }

    @Test
    void constructWhenOnlyEncryptionKeysThenConfigError() {
        RSAKey enc = new RSAKey.Builder(RSA.toPublicJWK()).keyUse(KeyUse.ENCRYPTION).build();

        assertConfigError(Fixtures.inline(TestTokens.jwks(enc)), "no configured key fits");
    }

    // ------------------------------------------------------------------ claims settings

    @Test
    void constructWhenIssuerBlankThenConfigError() {
        Fixtures blank = Fixtures.inline(PEM);
        blank.issuer = " ";
        Fixtures missing = Fixtures.inline(PEM);
        missing.issuer = null;

        assertConfigError(blank, "mp.jwt.verify.issuer");
        assertConfigError(missing, "mp.jwt.verify.issuer");
    }

    @Test
    void constructWhenAudiencesEmptyThenConfigError() {
        Fixtures empty = Fixtures.inline(PEM);
        empty.audiences = Set.of();
        Fixtures missing = Fixtures.inline(PEM);
        missing.audiences = null;
        Fixtures blankEntry = Fixtures.inline(PEM);
        blankEntry.audiences = Set.of("api", "");

        assertConfigError(empty, "mp.jwt.verify.audiences");
        assertConfigError(missing, "mp.jwt.verify.audiences");
        assertConfigError(blankEntry, "mp.jwt.verify.audiences");
    }

    @Test
    void constructWhenDurationsOrClockInvalidThenConfigError() {
        Fixtures negativeSkew = Fixtures.inline(PEM);
        negativeSkew.clockSkew = Duration.ofSeconds(-1);
        Fixtures zeroLifetime = Fixtures.inline(PEM);
        zeroLifetime.maxLifetime = Duration.ZERO;
        Fixtures noClock = Fixtures.inline(PEM);
        noClock.clock = null;

        assertConfigError(negativeSkew, "clock.skew");
        assertConfigError(zeroLifetime, "lifetime");
        assertConfigError(noClock, "clock");
    }
}
