package dev.wsguard.internal.jwt;

import static dev.wsguard.internal.jwt.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.EncryptedJWT;
import dev.wsguard.Rejection;
import dev.wsguard.testing.TestTokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenVerifierTest {

    private static final RSAKey RSA = TestTokens.rsa2048();
    private static final TokenVerifier PEM_VERIFIER = Fixtures.inline(TestTokens.publicKeyPem(RSA)).verifier();

    private static TestTokens.Builder token() {
        return TestTokens.token().at(NOW);
    }

    private static JsonWebToken valid(Verification verification) {
        assertThat(verification).isInstanceOf(Verification.Valid.class);
        return ((Verification.Valid) verification).token();
    }

    private static Rejection reason(Verification verification) {
        assertThat(verification).isInstanceOf(Verification.Invalid.class);
        return ((Verification.Invalid) verification).reason();
    }

    private static String base64Url(String json) {
        return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
    }

    // ------------------------------------------------------------------ valid tokens

    @Test
    void verifyWhenRs256AndPemKeyThenValid() {
        JsonWebToken jwt = valid(PEM_VERIFIER.verify(token().sign()));

        assertThat(jwt.getSubject()).isEqualTo(TestTokens.SUBJECT);
        assertThat(jwt.getIssuer()).isEqualTo(TestTokens.ISSUER);
        assertThat(jwt.getExpirationTime()).isEqualTo(NOW.getEpochSecond() + 300);
    }

    @Test
    void verifyWhenRs256AndJwkKeyThenValid() {
        TokenVerifier verifier = Fixtures.inline(TestTokens.jwk(RSA)).verifier();

        assertThat(valid(verifier.verify(token().sign())).getName()).isEqualTo(TestTokens.SUBJECT);
    }

    @Test
    void verifyWhenRs256AndJwksKeyThenValid() {
        RSAKey other = TestTokens.newRsa2048("other");
        TokenVerifier verifier = Fixtures.inline(TestTokens.jwks(other, RSA)).verifier();

        assertThat(valid(verifier.verify(token().sign())).getName()).isEqualTo(TestTokens.SUBJECT);
        assertThat(valid(verifier.verify(token().signedWith(other).subject("bob").sign())).getName())
                .isEqualTo("bob");
    }

    @Test
    void verifyWhenCertificatePemThenValidWhateverKid() {
        TestTokens.CertifiedKey certified = TestTokens.selfSigned();
        TokenVerifier verifier = Fixtures.inline(TestTokens.certificatePem(certified.certificate())).verifier();

        assertThat(verifier.verify(token().signedWith(certified.key()).keyId("any-kid").sign()))
                .isInstanceOf(Verification.Valid.class);
        assertThat(reason(verifier.verify(token().sign()))).isEqualTo(Rejection.TOKEN_SIGNATURE_INVALID);
    }

    @Test
    void verifyWhenPs256ThenValid() {
        assertThat(PEM_VERIFIER.verify(token().algorithm(JWSAlgorithm.PS256).sign()))
                .isInstanceOf(Verification.Valid.class);
    }

    @Test
    void verifyWhenEs256AndEs256AllowedThenValid() {
        ECKey ec = TestTokens.ecP256();
        TokenVerifier verifier = Fixtures.inline(TestTokens.publicKeyPem(ec)).verifier();

        assertThat(valid(verifier.verify(token().signedWith(ec).algorithm(JWSAlgorithm.ES256).sign())).getSubject())
                .isEqualTo(TestTokens.SUBJECT);
    }

    @Test
    void verifyWhenEs256JwkAndTokenWithoutKidThenValid() {
        ECKey ec = TestTokens.ecP256();
        TokenVerifier verifier = Fixtures.inline(TestTokens.jwks(ec, RSA)).verifier();

        assertThat(verifier.verify(token().signedWith(ec).keyId(null).algorithm(JWSAlgorithm.ES256).sign()))
                .isInstanceOf(Verification.Valid.class);
    }

    @Test
    void verifyWhenTypIsAccessTokenTypeThenValid() {
        assertThat(PEM_VERIFIER.verify(token().type("at+jwt").sign())).isInstanceOf(Verification.Valid.class);
    }

    @Test
    void verifyWhenSingleKeyWithoutKidThenAnyTokenKidIsAccepted() {
        RSAKey noKid = TestTokens.newRsa2048(null);
        TokenVerifier verifier = Fixtures.inline(TestTokens.jwk(noKid)).verifier();

        assertThat(verifier.verify(token().signedWith(noKid).keyId("whatever").sign()))
                .isInstanceOf(Verification.Valid.class);
        assertThat(verifier.verify(token().signedWith(noKid).keyId(null).sign()))
                .isInstanceOf(Verification.Valid.class);
    }

    @Test
    void verifyWhenTokenWithoutKidAndSeveralKeysThenEachFittingKeyIsTried() {
        RSAKey second = TestTokens.newRsa2048("second");
        TokenVerifier verifier = Fixtures.inline(TestTokens.jwks(RSA, second)).verifier();

        assertThat(verifier.verify(token().signedWith(second).keyId(null).sign()))
                .isInstanceOf(Verification.Valid.class);
    }

    @Test
    void verifyWhenManyThreadsThenAllValid() throws Exception {
        String token = token().sign();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Verification>> tasks = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                tasks.add(() -> PEM_VERIFIER.verify(token));
            }
            for (Future<Verification> f : pool.invokeAll(tasks)) {
                assertThat(f.get()).isInstanceOf(Verification.Valid.class);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ TOKEN_MALFORMED

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "garbage", "a.b", "a.b.c.d", "a.b.c.d.e", "..", "a..c", ".b.c",
            "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln=", "eyJ+.e30.c2ln",
            "%%%.%%%.%%%", "e30.e30.e30"})
    void verifyWhenNotCompactJwsThenMalformed(String token) {
        assertThat(reason(PEM_VERIFIER.verify(token))).isEqualTo(Rejection.TOKEN_MALFORMED);
    }

    @Test
    void verifyWhenNullThenMalformed() {
        assertThat(reason(PEM_VERIFIER.verify(null))).isEqualTo(Rejection.TOKEN_MALFORMED);
    }

    @Test
    void verifyWhenLongerThan8192CharactersThenMalformed() {
        String justOver = token().claim("padding", "x".repeat(7000)).sign();
        assertThat(justOver.length()).isGreaterThan(TokenVerifier.MAX_TOKEN_LENGTH);
        String within = token().claim("padding", "x".repeat(5000)).sign();
        assertThat(within.length()).isLessThanOrEqualTo(TokenVerifier.MAX_TOKEN_LENGTH);

        assertThat(reason(PEM_VERIFIER.verify(justOver))).isEqualTo(Rejection.TOKEN_MALFORMED);
        assertThat(PEM_VERIFIER.verify(within)).isInstanceOf(Verification.Valid.class);
        assertThat(reason(PEM_VERIFIER.verify("a".repeat(10_000_000)))).isEqualTo(Rejection.TOKEN_MALFORMED);
    }

    @Test
    void verifyWhenHeaderIsNotJsonThenMalformed() {
        String token = base64Url("not json") + "." + base64Url("{}") + ".c2ln";
        assertThat(reason(PEM_VERIFIER.verify(token))).isEqualTo(Rejection.TOKEN_MALFORMED);
    }

    @Test
    void verifyWhenPartLengthCannotBeBase64ThenMalformed() {
        String header = new JWSHeader(JWSAlgorithm.RS256).toBase64URL().toString();
        String payload = base64Url("{\"sub\":\"a\"}");
        // One character over a whole number of quads never encodes any bytes (4n + 1).
        for (String token : List.of(header + "." + payload + "A.c2ln", header + "A." + payload + ".c2ln",
                "A." + payload + ".c2ln")) {
            assertThat(reason(PEM_VERIFIER.verify(token))).as(token).isEqualTo(Rejection.TOKEN_MALFORMED);
        }
    }

    @Test
    void verifyWhenHeaderHasNoAlgThenMalformed() {
        String token = base64Url("{\"kid\":\"x\"}") + "." + base64Url("{}") + ".c2ln";
        assertThat(reason(PEM_VERIFIER.verify(token))).isEqualTo(Rejection.TOKEN_MALFORMED);
    }

    @Test
    void verifyWhenPayloadIsNotJsonObjectThenMalformed() {
        String header = new JWSHeader(JWSAlgorithm.RS256).toBase64URL().toString();
        for (String payload : List.of("not json", "[1,2]", "\"text\"", "{\"a\":" + "[".repeat(3000))) {
            String token = header + "." + base64Url(payload) + ".c2ln";
            assertThat(reason(PEM_VERIFIER.verify(token))).as(payload).isEqualTo(Rejection.TOKEN_MALFORMED);
        }
    }

    @Test
    void verifyWhenDeeplyNestedJsonThenRejectedWithoutError() {
        String header = new JWSHeader(JWSAlgorithm.RS256).toBase64URL().toString();
        String payload = "{\"a\":" + "[".repeat(2500) + "]".repeat(2500) + "}";
        String token = header + "." + base64Url(payload) + ".c2ln";
        assertThat(token.length()).isLessThanOrEqualTo(TokenVerifier.MAX_TOKEN_LENGTH);

        assertThat(PEM_VERIFIER.verify(token)).isInstanceOf(Verification.Invalid.class);
    }

    @Test
    void verifyWhenSignatureEmptyThenMalformed() {
        String signed = token().sign();
        String stripped = signed.substring(0, signed.lastIndexOf('.') + 1);
        assertThat(reason(PEM_VERIFIER.verify(stripped))).isEqualTo(Rejection.TOKEN_MALFORMED);
    }

    @Test
    void verifyWhenEncryptedJwtThenMalformed() throws JOSEException {
        EncryptedJWT jwe = new EncryptedJWT(new JWEHeader(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A128GCM),
                token().claims());
        jwe.encrypt(new RSAEncrypter(RSA));

        assertThat(reason(PEM_VERIFIER.verify(jwe.serialize()))).isEqualTo(Rejection.TOKEN_MALFORMED);
    }

    @Test
    void verifyWhenJweHeaderInThreePartsThenMalformed() {
        String token = base64Url("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A128GCM\"}") + "." + base64Url("{}") + ".c2ln";
        assertThat(reason(PEM_VERIFIER.verify(token))).isEqualTo(Rejection.TOKEN_MALFORMED);
    }

    @Test
    void verifyWhenCriticalHeaderThenMalformed() {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(TestTokens.RSA_KID)
                .criticalParams(Set.of("exp-ext")).customParam("exp-ext", 1).build();
        String token = TestTokens.sign(header, token().claims(), RSA);

        assertThat(reason(PEM_VERIFIER.verify(token))).isEqualTo(Rejection.TOKEN_MALFORMED);
    }

    @Test
    void verifyWhenRandomInputThenNeverThrows() {
        Random random = new Random(42);
        String signed = token().sign();
        for (int i = 0; i < 2000; i++) {
            char[] chars = signed.toCharArray();
            for (int j = 0; j < 1 + random.nextInt(5); j++) {
                chars[random.nextInt(chars.length)] = (char) random.nextInt(128);
            }
            String mutated = new String(chars);
            if (sameBytes(mutated, signed)) {
                // Base64url's unused trailing bits: a different string for the very same token.
                continue;
            }
            assertThat(PEM_VERIFIER.verify(mutated)).as(mutated).isInstanceOf(Verification.Invalid.class);
        }
    }

    private static boolean sameBytes(String a, String b) {
        String[] left = a.split("\\.", -1);
        String[] right = b.split("\\.", -1);
        if (left.length != right.length) {
            return false;
        }
        try {
            for (int i = 0; i < left.length; i++) {
                if (!java.util.Arrays.equals(java.util.Base64.getUrlDecoder().decode(left[i]),
                        java.util.Base64.getUrlDecoder().decode(right[i]))) {
                    return false;
                }
            }
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ TOKEN_ALGORITHM_NOT_ALLOWED

    @Test
    void verifyWhenAlgIsNoneThenAlgorithmNotAllowed() {
        assertThat(reason(PEM_VERIFIER.verify(token().unsigned()))).isEqualTo(Rejection.TOKEN_ALGORITHM_NOT_ALLOWED);
    }

    @Test
    void verifyWhenAlgIsNoneWithSignaturePartThenAlgorithmNotAllowed() {
        assertThat(reason(PEM_VERIFIER.verify(token().unsigned() + "c2ln")))
                .isEqualTo(Rejection.TOKEN_ALGORITHM_NOT_ALLOWED);
        String upperCase = base64Url("{\"alg\":\"NONE\"}") + "." + base64Url("{}") + ".";
        assertThat(reason(PEM_VERIFIER.verify(upperCase))).isEqualTo(Rejection.TOKEN_ALGORITHM_NOT_ALLOWED);
    }

    @Test
    void verifyWhenHs256SignedWithPublicKeyThenAlgorithmNotAllowed() {
        assertThat(reason(PEM_VERIFIER.verify(token().hs256WithPublicKey())))
                .isEqualTo(Rejection.TOKEN_ALGORITHM_NOT_ALLOWED);
    }

    @Test
    void verifyWhenAlgNotInAllowlistThenAlgorithmNotAllowedBeforeKeyOrSignature() {
        Fixtures settings = Fixtures.inline(TestTokens.publicKeyPem(RSA));
        settings.algorithms = Set.of("RS256");
        TokenVerifier verifier = settings.verifier();
        // A valid RS384 signature, and an RS384 header with an unknown kid and garbage signature: both refused
        // on the header alone.
        String rs384 = token().algorithm(JWSAlgorithm.RS384).sign();
        String junk = new JWSHeader.Builder(JWSAlgorithm.RS384).keyID("nope").build().toBase64URL() + "."
                + base64Url("not even json") + ".c2ln";

        assertThat(reason(verifier.verify(rs384))).isEqualTo(Rejection.TOKEN_ALGORITHM_NOT_ALLOWED);
        assertThat(reason(verifier.verify(junk))).isEqualTo(Rejection.TOKEN_ALGORITHM_NOT_ALLOWED);
    }

    @Test
    void verifyWhenEs256TokenAndOnlyRs256AllowedThenAlgorithmNotAllowed() {
        ECKey ec = TestTokens.ecP256();
        Fixtures settings = Fixtures.inline(TestTokens.jwks(RSA, ec));
        settings.algorithms = Set.of("RS256");

        assertThat(reason(settings.verifier().verify(token().signedWith(ec).algorithm(JWSAlgorithm.ES256).sign())))
                .isEqualTo(Rejection.TOKEN_ALGORITHM_NOT_ALLOWED);
    }

    // ------------------------------------------------------------------ keys and signature

    @Test
    void verifyWhenKidUnknownThenKeyUnknown() {
        TokenVerifier verifier = Fixtures.inline(TestTokens.jwks(RSA)).verifier();

        assertThat(reason(verifier.verify(token().keyId("unknown").sign()))).isEqualTo(Rejection.TOKEN_KEY_UNKNOWN);
    }

    @Test
    void verifyWhenOnlyKeyHasWrongTypeThenKeyUnknown() {
        ECKey ec = TestTokens.ecP256();
        TokenVerifier verifier = Fixtures.inline(TestTokens.jwks(RSA)).verifier();
        // ES256 is allowed, the kid names the RSA key, and the RSA key cannot check an ES256 signature.
        String token = token().signedWith(ec).keyId(TestTokens.RSA_KID).algorithm(JWSAlgorithm.ES256).sign();

        assertThat(reason(verifier.verify(token))).isEqualTo(Rejection.TOKEN_KEY_UNKNOWN);
    }

    @Test
    void verifyWhenKeyIsForEncryptionThenKeyUnknown() {
        RSAKey sig = TestTokens.newRsa2048("sig");
        RSAKey enc = new RSAKey.Builder(TestTokens.newRsa2048("enc")).keyUse(com.nimbusds.jose.jwk.KeyUse.ENCRYPTION)
                .build();
        TokenVerifier verifier = Fixtures.inline(TestTokens.jwks(sig, enc)).verifier();

        assertThat(reason(verifier.verify(token().signedWith(enc).sign()))).isEqualTo(Rejection.TOKEN_KEY_UNKNOWN);
        assertThat(verifier.verify(token().signedWith(sig).sign())).isInstanceOf(Verification.Valid.class);
    }

    @Test
    void verifyWhenSignedByAnotherKeyThenSignatureInvalid() {
        RSAKey attacker = TestTokens.newRsa2048(TestTokens.RSA_KID);

        assertThat(reason(PEM_VERIFIER.verify(token().signedWith(attacker).sign())))
                .isEqualTo(Rejection.TOKEN_SIGNATURE_INVALID);
    }

    @Test
    void verifyWhenPayloadTamperedThenSignatureInvalid() {
        String[] parts = token().sign().split("\\.");
        String tampered = parts[0] + "." + token().subject("mallory").claims().toPayload().toBase64URL() + "."
                + parts[2];

        assertThat(reason(PEM_VERIFIER.verify(tampered))).isEqualTo(Rejection.TOKEN_SIGNATURE_INVALID);
    }

    @Test
    void verifyWhenSignatureIsGarbageThenSignatureInvalid() {
        String signed = token().sign();
        String garbage = signed.substring(0, signed.lastIndexOf('.') + 1) + "c2lnbmF0dXJl";

        assertThat(reason(PEM_VERIFIER.verify(garbage))).isEqualTo(Rejection.TOKEN_SIGNATURE_INVALID);
    }

    @Test
    void verifyWhenBadSignatureAndBadClaimsThenSignatureInvalid() {
        RSAKey attacker = TestTokens.newRsa2048(TestTokens.RSA_KID);

        assertThat(reason(PEM_VERIFIER.verify(token().signedWith(attacker).issuer("https://evil.test").sign())))
                .isEqualTo(Rejection.TOKEN_SIGNATURE_INVALID);
        assertThat(reason(PEM_VERIFIER.verify(token().signedWith(attacker).claim("exp", "tomorrow").sign())))
                .isEqualTo(Rejection.TOKEN_SIGNATURE_INVALID);
        assertThat(reason(PEM_VERIFIER.verify(token().signedWith(attacker).without("sub").sign())))
                .isEqualTo(Rejection.TOKEN_SIGNATURE_INVALID);
    }

    // ------------------------------------------------------------------ claims

    @ParameterizedTest
    @ValueSource(strings = {"exp", "iat", "sub", "iss", "aud"})
    void verifyWhenRequiredClaimMissingThenClaimMissing(String claim) {
        assertThat(reason(PEM_VERIFIER.verify(token().without(claim).sign())))
                .isEqualTo(Rejection.TOKEN_CLAIM_MISSING);
    }

    @Test
    void verifyWhenRequiredClaimMistypedThenClaimMissing() {
        List<TestTokens.Builder> mistyped = List.of(
                token().claim("exp", "tomorrow"),
                token().claim("iat", true),
                token().claim("sub", 42),
                token().claim("iss", List.of(TestTokens.ISSUER)),
                token().claim("aud", List.of(1, 2)),
                token().claim("aud", 7),
                token().claim("aud", List.of()),
                token().subject(" "),
                token().issuer(""));
        for (TestTokens.Builder builder : mistyped) {
            assertThat(reason(PEM_VERIFIER.verify(builder.sign()))).as(builder.claims().toString())
                    .isEqualTo(Rejection.TOKEN_CLAIM_MISSING);
        }
    }

    @Test
    void verifyWhenIssuerDiffersThenIssuerMismatch() {
        assertThat(reason(PEM_VERIFIER.verify(token().issuer("https://evil.test").sign())))
                .isEqualTo(Rejection.TOKEN_ISSUER_MISMATCH);
        assertThat(reason(PEM_VERIFIER.verify(token().issuer(TestTokens.ISSUER + "/").sign())))
                .isEqualTo(Rejection.TOKEN_ISSUER_MISMATCH);
        assertThat(reason(PEM_VERIFIER.verify(token().issuer(TestTokens.ISSUER.toUpperCase()).sign())))
                .isEqualTo(Rejection.TOKEN_ISSUER_MISMATCH);
    }

    @Test
    void verifyWhenAudienceDiffersThenAudienceMismatch() {
        assertThat(reason(PEM_VERIFIER.verify(token().audience("other-api").sign())))
                .isEqualTo(Rejection.TOKEN_AUDIENCE_MISMATCH);
        assertThat(reason(PEM_VERIFIER.verify(token().audience("a", "b").sign())))
                .isEqualTo(Rejection.TOKEN_AUDIENCE_MISMATCH);
    }

    @Test
    void verifyWhenOneOfSeveralAudiencesMatchesThenValid() {
        JsonWebToken jwt = valid(PEM_VERIFIER.verify(token().audience("other", TestTokens.AUDIENCE).sign()));

        assertThat(jwt.getAudience()).containsExactly("other", TestTokens.AUDIENCE);
    }

    @Test
    void verifyWhenExpiredBeyondSkewThenExpired() {
        String token = token().issuedAt(NOW.minusSeconds(600)).expiresAt(NOW.minusSeconds(61)).sign();

        assertThat(reason(PEM_VERIFIER.verify(token))).isEqualTo(Rejection.TOKEN_EXPIRED);
    }

    @Test
    void verifyWhenExpiredWithinSkewThenValid() {
        String token = token().issuedAt(NOW.minusSeconds(600)).expiresAt(NOW.minusSeconds(60)).sign();

        assertThat(PEM_VERIFIER.verify(token)).isInstanceOf(Verification.Valid.class);
    }

    @Test
    void verifyWhenExpHugeThenExpiredNotOverflowedIntoValid() {
        // Nimbus turns 1e300 seconds into Long.MAX_VALUE seconds, then milliseconds overflow into the past.
        assertThat(reason(PEM_VERIFIER.verify(token().claim("exp", 1e300).sign())))
                .isIn(Rejection.TOKEN_EXPIRED, Rejection.TOKEN_LIFETIME_TOO_LONG);
        assertThat(reason(PEM_VERIFIER.verify(token().claim("exp", Long.MAX_VALUE).sign())))
                .isIn(Rejection.TOKEN_EXPIRED, Rejection.TOKEN_LIFETIME_TOO_LONG);
    }

    @Test
    void verifyWhenNotBeforeBeyondSkewThenNotYetValid() {
        assertThat(reason(PEM_VERIFIER.verify(token().notBefore(NOW.plusSeconds(61)).sign())))
                .isEqualTo(Rejection.TOKEN_NOT_YET_VALID);
        assertThat(PEM_VERIFIER.verify(token().notBefore(NOW.plusSeconds(60)).sign()))
                .isInstanceOf(Verification.Valid.class);
    }

    @Test
    void verifyWhenIssuedInFutureBeyondSkewThenIssuedInFuture() {
        String token = token().issuedAt(NOW.plusSeconds(61)).expiresAt(NOW.plusSeconds(300)).sign();

        assertThat(reason(PEM_VERIFIER.verify(token))).isEqualTo(Rejection.TOKEN_ISSUED_IN_FUTURE);
        assertThat(PEM_VERIFIER.verify(token().issuedAt(NOW.plusSeconds(60)).sign()))
                .isInstanceOf(Verification.Valid.class);
    }

    @Test
    void verifyWhenLifetimeAboveMaximumThenLifetimeTooLong() {
        String tooLong = token().issuedAt(NOW).expiresAt(NOW.plus(Duration.ofHours(1)).plusSeconds(1)).sign();
        String exact = token().issuedAt(NOW).expiresAt(NOW.plus(Duration.ofHours(1))).sign();

        assertThat(reason(PEM_VERIFIER.verify(tooLong))).isEqualTo(Rejection.TOKEN_LIFETIME_TOO_LONG);
        assertThat(PEM_VERIFIER.verify(exact)).isInstanceOf(Verification.Valid.class);
    }

    @Test
    void verifyWhenSeveralClaimsFailThenFirstRuleInOrderWins() {
        String expiredWrongIssuer = token().issuer("https://evil.test").issuedAt(NOW.minusSeconds(900))
                .expiresAt(NOW.minusSeconds(600)).sign();
        String expiredWrongAudience = token().audience("x").issuedAt(NOW.minusSeconds(900))
                .expiresAt(NOW.minusSeconds(600)).sign();
        String missingSubWrongIssuer = token().without("sub").issuer("https://evil.test").sign();

        assertThat(reason(PEM_VERIFIER.verify(expiredWrongIssuer))).isEqualTo(Rejection.TOKEN_ISSUER_MISMATCH);
        assertThat(reason(PEM_VERIFIER.verify(expiredWrongAudience))).isEqualTo(Rejection.TOKEN_AUDIENCE_MISMATCH);
        assertThat(reason(PEM_VERIFIER.verify(missingSubWrongIssuer))).isEqualTo(Rejection.TOKEN_CLAIM_MISSING);
    }

    @Test
    void verifyWhenClockMovesThenSameTokenExpires() {
        String token = token().sign();
        Fixtures later = Fixtures.inline(TestTokens.publicKeyPem(RSA));
        later.clock = java.time.Clock.fixed(NOW.plusSeconds(300 + 61), java.time.ZoneOffset.UTC);

        assertThat(PEM_VERIFIER.verify(token)).isInstanceOf(Verification.Valid.class);
        assertThat(reason(later.verifier().verify(token))).isEqualTo(Rejection.TOKEN_EXPIRED);
    }
}
