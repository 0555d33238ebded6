package dev.wsguard.internal.jwt;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.util.Base64URL;
import dev.wsguard.Rejection;
import dev.wsguard.testing.TestTokens;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static dev.wsguard.internal.jwt.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compact-JWT pre-parsing and verification on any string: nothing is thrown; the answer is a {@link Verification};
 * only the one genuinely signed token (or a spelling of it with the same bytes) is valid; and a token whose
 * signature does not verify is refused for its shape, header, key or signature, never for a claim (claims are read
 * only after the signature). Plain test runs replay the saved inputs; docs/fuzzing.md says how to fuzz.
 */
class TokenVerifierFuzzTest {

    private static final TokenVerifier VERIFIER = Fixtures.inline(TestTokens.publicKeyPem(TestTokens.rsa2048()))
            .verifier();
    private static final String SIGNED = TestTokens.token().at(NOW).sign();
    private static final Set<Rejection> BEFORE_CLAIMS = EnumSet.of(Rejection.TOKEN_MALFORMED,
            Rejection.TOKEN_ALGORITHM_NOT_ALLOWED, Rejection.TOKEN_KEY_UNKNOWN, Rejection.TOKEN_KEY_TOO_WEAK,
            Rejection.TOKEN_SIGNATURE_INVALID);
    private static final List<String> HEADERS = List.of("{\"alg\":\"RS256\"}", "{\"alg\":\"RS256\",\"kid\":\""
            + TestTokens.RSA_KID + "\"}", "{\"alg\":\"PS256\",\"kid\":\"other\"}", "{\"alg\":\"ES256\"}",
            "{\"alg\":\"none\"}", "{\"alg\":\"HS256\"}", "{\"alg\":\"RSA-OAEP\",\"enc\":\"A128GCM\"}",
            "{\"alg\":\"RS256\",\"crit\":[\"exp\"],\"exp\":1}", "{\"alg\":\"RS256\",\"jwk\":{\"kty\":\"RSA\"}}",
            "{\"alg\":1}", "{\"alg\":null}", "{}", "[]", "{\"alg\":\"RS256\",\"b64\":false,\"crit\":[\"b64\"]}",
            "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"cty\":\"JWT\"}", "{\"alg\":\"RS256\",\"alg\":\"none\"}");
    private static final List<String> PAYLOADS = List.of("{}", "{\"sub\":1}", "{\"exp\":\"x\"}",
            "{\"iss\":\"" + TestTokens.ISSUER + "\",\"aud\":[\"" + TestTokens.AUDIENCE + "\"],\"sub\":\"a\"}",
            "[1]", "null", "{\"aud\":{}}", "{\"nbf\":1e400}", "{\"exp\":-1}");

    @FuzzTest
    @DictionaryEntries({"eyJ", "eyJhbGciOiJSUzI1NiJ9", "\"alg\"", "\"RS256\"", "\"none\"", "\"kid\"", "\"crit\"",
            "\"enc\"", "."})
    void verifyWhenAnyTokenThenRefusedBeforeClaimsUnlessGenuinelySigned(FuzzedDataProvider data) {
        String token = switch (data.consumeInt(0, 2)) {
            case 0 -> structured(data);
            case 1 -> mutated(data);
            default -> data.consumeRemainingAsString();
        };

        Verification verification = VERIFIER.verify(token);

        assertThat(verification).isNotNull();
        if (verification instanceof Verification.Invalid invalid) {
            assertThat(invalid.reason()).as("refused before its claims were read").isIn(BEFORE_CLAIMS);
        } else {
            assertThat(sameToken(token)).as("only the signed token is valid: %s", token).isTrue();
        }
    }

    /** Three parts from header and payload JSON close to real ones, and signature bytes. */
    private static String structured(FuzzedDataProvider data) {
        String header = data.consumeBoolean() ? data.pickValue(HEADERS) : data.consumeString(60);
        String payload = data.consumeBoolean() ? data.pickValue(PAYLOADS) : data.consumeString(60);
        byte[] signature = data.consumeBytes(data.consumeInt(0, 300));
        return encode(header) + data.pickValue(List.of(".", ".", "..", "")) + encode(payload) + "."
                + Base64URL.encode(signature);
    }

    /** The signed token with a few characters changed, inserted or cut. */
    private static String mutated(FuzzedDataProvider data) {
        StringBuilder token = new StringBuilder(SIGNED);
        int edits = data.consumeInt(1, 4);
        for (int i = 0; i < edits && token.length() > 0; i++) {
            int at = data.consumeInt(0, token.length() - 1);
            switch (data.consumeInt(0, 2)) {
                case 0 -> token.setCharAt(at, data.consumeChar());
                case 1 -> token.insert(at, data.consumeChar());
                default -> token.delete(at, Math.min(token.length(), at + data.consumeInt(1, 40)));
            }
        }
        return token.toString();
    }

    private static String encode(String json) {
        return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The signed token's header and payload text and its signature bytes (base64url may spell them two ways). */
    private static boolean sameToken(String token) {
        int cut = token.lastIndexOf('.');
        int signedCut = SIGNED.lastIndexOf('.');
        return cut >= 0 && token.substring(0, cut).equals(SIGNED.substring(0, signedCut))
                && Arrays.equals(new Base64URL(token.substring(cut + 1)).decode(),
                        new Base64URL(SIGNED.substring(signedCut + 1)).decode());
    }
}
