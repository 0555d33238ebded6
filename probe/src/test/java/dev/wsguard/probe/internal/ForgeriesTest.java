package dev.wsguard.probe.internal;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.wsguard.probe.MessageAttack;
import dev.wsguard.probe.NotApplicable;
import dev.wsguard.probe.ProbeSuite;
import dev.wsguard.probe.TokenCarrier;
import dev.wsguard.probe.UpgradeAttack;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Map;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The token forgeries and hostile payloads are what their names say, byte for byte. */
class ForgeriesTest {

    private static final String TOKEN = jws("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}",
            "{\"sub\":\"alice\",\"exp\":4102444800}");
    private static final String PEM = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n"
            + "-----END PUBLIC KEY-----\n";

    @Test
    void algNoneWhenValidTokenThenHeaderSaysNoneAndSignatureIsEmpty() {
        String[] parts = Tokens.algNone(TOKEN).split("\\.", -1);
        assertThat(decode(parts[0])).isEqualTo("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"k1\"}");
        assertThat(parts[1]).isEqualTo(TOKEN.split("\\.")[1]);
        assertThat(parts[2]).isEmpty();
    }

    @Test
    void hs256WhenPublicKeyGivenThenAValidHmacUnderThePemBytes() throws Exception {
        SignedJWT forged = SignedJWT.parse(Tokens.hs256WithKey(TOKEN, PEM.getBytes(StandardCharsets.US_ASCII)));
        assertThat(forged.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
        assertThat(forged.verify(new MACVerifier(PEM.getBytes(StandardCharsets.US_ASCII)))).isTrue();
        assertThat(forged.getJWTClaimsSet().getSubject()).isEqualTo("alice");
    }

    @Test
    void tamperedWhenValidTokenThenClaimAddedAndSignatureKept() {
        String[] parts = Tokens.tampered(TOKEN).split("\\.");
        assertThat(decode(parts[1])).isEqualTo("{\"wsguard_probe\":true,\"sub\":\"alice\",\"exp\":4102444800}");
        assertThat(parts[2]).isEqualTo(TOKEN.split("\\.")[2]);
    }

    @Test
    void claimWhenSigningKeyGivenThenOneClaimChangedAndSignatureVerifiesUnderTheTestKey() throws Exception {
        KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        String token = jws("{\"alg\":\"RS256\",\"kid\":\"k1\"}", "{\"sub\":\"alice\",\"aud\":[\"a\",\"b\"],\"exp\":1}");
        UpgradeAttack.Given given = UpgradeAttack.Given.of("https://app.test", token).withSigningKey(pem(rsa));

        SignedJWT audience = SignedJWT.parse(Tokens.claim(given, "aud", "other"));
        assertThat(audience.verify(new RSASSAVerifier((RSAPublicKey) rsa.getPublic()))).isTrue();
        assertThat(decode(audience.getParsedParts()[1].toString()))
                .isEqualTo("{\"sub\":\"alice\",\"aud\":\"other\",\"exp\":1}");
        assertThat(decode(SignedJWT.parse(Tokens.claim(given, "exp", null)).getParsedParts()[1].toString()))
                .isEqualTo("{\"sub\":\"alice\",\"aud\":[\"a\",\"b\"]}");
        SignedJWT expired = SignedJWT.parse(Tokens.expired(given));
        assertThat(expired.verify(new RSASSAVerifier((RSAPublicKey) rsa.getPublic()))).isTrue();
        assertThat(expired.getJWTClaimsSet().getExpirationTime()).isInThePast()
                .isAfter(expired.getJWTClaimsSet().getIssueTime());
        assertThat(expired.getJWTClaimsSet().getSubject()).isEqualTo("alice");
        SignedJWT kid = SignedJWT.parse(Tokens.unknownKid(given));
        assertThat(kid.getHeader().getKeyID()).isEqualTo("wsguard-probe-unknown-kid");
        assertThat(kid.verify(new RSASSAVerifier((RSAPublicKey) rsa.getPublic()))).isTrue();
    }

    @Test
    void foreignKeyWhenEs256TokenThenAValidP256SignatureUnderAnotherKey() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair mine = ec.generateKeyPair();
        String token = jws("{\"alg\":\"ES256\"}", "{\"sub\":\"alice\"}");
        String resigned = Tokens.claim(UpgradeAttack.Given.of("https://app.test", token).withSigningKey(pem(mine)),
                "sub", "bob");
        assertThat(SignedJWT.parse(resigned).verify(new ECDSAVerifier((ECPublicKey) mine.getPublic()))).isTrue();
        SignedJWT foreign = SignedJWT.parse(Signed.withForeignKey(token));
        assertThat(foreign.getSignature().decode()).hasSize(64);
        assertThat(foreign.verify(new ECDSAVerifier((ECPublicKey) mine.getPublic()))).isFalse();
    }

    @Test
    void unknownKidWhenTokenNamesNoKidThenSkipped() throws Exception {
        String token = jws("{\"alg\":\"RS256\"}", "{\"sub\":\"alice\"}");
        UpgradeAttack.Given given = UpgradeAttack.Given.of("https://app.test", token)
                .withSigningKey(pem(KeyPairGenerator.getInstance("RSA").generateKeyPair()));
        assertThatThrownBy(() -> Tokens.unknownKid(given)).isInstanceOf(NotApplicable.class)
                .hasMessageContaining("names no kid");
        assertThatThrownBy(() -> Tokens.claim(UpgradeAttack.Given.of("https://app.test", token), "exp", null))
                .isInstanceOf(NotApplicable.class).hasMessage("no signing key given");
    }

    @Test
    void upgradeAttacksWhenListedThenEachHasAStatusAndBuildsARequestFromTheOriginAndToken() {
        UpgradeAttack.Given given = UpgradeAttack.Given.of("https://app.test", TOKEN);
        assertThat(ProbeSuite.upgradeAttacks()).extracting(UpgradeAttack::status).containsOnly(401, 403);
        UpgradeAttack twoOrigins = ProbeSuite.upgradeAttacks().stream()
                .filter(a -> a.attack().id().equals("origin.two-headers")).findFirst().orElseThrow();
        assertThat(twoOrigins.requestFor(given).headers()).containsExactly(Map.entry("Origin", "https://app.test"),
                Map.entry("Origin", "https://wsguard-probe.invalid"), Map.entry("Authorization", "Bearer " + TOKEN));
    }

    @Test
    void requestWhenCarrierIsCookieThenTokenInTheNamedCookieAndCookieAttackUsesThatName() {
        UpgradeAttack.Given given = new UpgradeAttack.Given("https://app.test", TOKEN, TokenCarrier.COOKIE, "sid",
                java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());
        assertThat(given.request("https://app.test", TOKEN).headers())
                .containsExactly(Map.entry("Origin", "https://app.test"), Map.entry("Cookie", "sid=" + TOKEN));
        UpgradeAttack cookie = ProbeSuite.upgradeAttacks().stream()
                .filter(a -> a.attack().id().equals("origin.cookie")).findFirst().orElseThrow();
        assertThat(cookie.requestFor(given).headers())
                .containsExactly(Map.entry("Origin", "https://wsguard-probe.invalid"),
                        Map.entry("Cookie", "sid=" + TOKEN));
    }

    @Test
    void floodsWhenLimitGivenThenEachSendsMoreThanIt() {
        assertThat(ProbeSuite.floodAttacks()).extracting(f -> f.attack().id()).containsExactly("flood.connections",
                "flood.message-rate", "flood.user-message-rate", "flood.handshake-rate");
        assertThat(ProbeSuite.floodAttacks()).extracting(f -> f.sentAgainst(2)).containsExactly(5, 16, 3, 9);
        assertThat(ProbeSuite.floodAttacks()).allSatisfy(f -> assertThat(f.sentAgainst(500)).isGreaterThan(500)
                .isLessThanOrEqualTo(Load.MAX_BURST));
    }

    @Test
    void sizeAttacksWhenSampleGivenThenFragmentsAddUpToTheirSize() {
        MessageAttack.Given given = new MessageAttack.Given("{\"type\":\"echo\",\"text\":\"a\"}", 65_536);
        Map<String, Integer> sizes = new java.util.LinkedHashMap<>();
        Map<String, Integer> frames = new java.util.LinkedHashMap<>();
        for (MessageAttack a : ProbeSuite.messageAttacks()) {
            if (a.attack().category().equals("size")) {
                java.util.List<String> f = a.fragmentsFor(given);
                sizes.put(a.attack().id(), f.stream().mapToInt(String::length).sum());
                frames.put(a.attack().id(), f.size());
                assertThat(a.close()).isEqualTo(1009);
                assertThat(String.join("", f.size() > 3 ? f.subList(0, 2) : f)).startsWith("{\"wsguardProbePad\":\"x");
                assertThat(f.get(f.size() - 1)).endsWith("\"type\":\"echo\",\"text\":\"a\"}");
            }
        }
        assertThat(sizes).containsEntry("size.oversized-frame", 65_536 + 1024)
                .containsEntry("size.oversized-fragments", 65_536 + 1024);
        assertThat(sizes.get("size.huge-fragments")).isGreaterThan(64 << 20);
        assertThat(sizes.get("size.huge-frame")).isGreaterThan(10 << 20);
        assertThat(frames).containsExactly(Map.entry("size.oversized-frame", 1),
                Map.entry("size.oversized-fragments", 9), Map.entry("size.huge-fragments", 66),
                Map.entry("size.huge-frame", 1));
        assertThat(ProbeSuite.messageAttacks()).filteredOn(MessageAttack::refusedMidway)
                .extracting(a -> a.attack().id()).containsExactly("size.huge-fragments");
    }

    @Test
    void markupWhenEchoMessageGivenThenEachStringMemberInTurnAndJsonStringsToldApart() {
        String markup = Messages.BREAKOUT;
        String publish = "{\"type\":\"publish\",\"channel\":\"c\",\"text\":\"hi\",\"n\":1}";
        assertThat(Payloads.everyString(publish, markup, "x"))
                .containsExactly("{\"type\":\"publish\",\"channel\":\"\\\"><img src=x onerror=wsguardProbe()>\","
                                + "\"text\":\"hi\",\"n\":1}",
                        "{\"type\":\"publish\",\"channel\":\"c\",\"text\":\"\\\"><img src=x onerror=wsguardProbe()>\","
                                + "\"n\":1}");
        assertThat(Payloads.everyString("{\"type\":\"ping\"}", markup, "x"))
                .containsExactly("{\"x\":\"\\\"><img src=x onerror=wsguardProbe()>\",\"type\":\"ping\"}");
        // Escaped inside a JSON string: data. Broken out of a hand-built reply, or in an HTML fragment: markup.
        assertThat(Payloads.escapedJson("{\"text\":\"\\\"><img src=x onerror=wsguardProbe()>\"}", markup)).isTrue();
        assertThat(Payloads.escapedJson("[{\"text\":\"\\\"><img src=x onerror=wsguardProbe()>\"}]", markup)).isTrue();
        assertThat(Payloads.escapedJson("{\"text\":\"\"><img src=x onerror=wsguardProbe()>\"}", markup)).isFalse();
        assertThat(Payloads.escapedJson("<p>\\\"><img src=x onerror=wsguardProbe()></p>", markup)).isFalse();
        assertThat(Payloads.escapedJson("{\"type\":\"echo\",\"text\":\"{\"x\":\"\\\"><img src=x "
                + "onerror=wsguardProbe()>\"}\"}", markup)).isFalse();
    }

    private static String pem(KeyPair pair) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    @Test
    void forgeryWhenTokenIsNotAJwsThenSkipped() {
        assertThatThrownBy(() -> Tokens.algNone("opaque-token")).isInstanceOf(Outcome.Skip.class)
                .hasMessageContaining("not a compact JWS");
    }

    @Test
    void payloadsWhenSampleGivenThenEachDiffersInOneWay() {
        String sample = "{\"type\":\"publish\",\"text\":\"hi\"}";
        assertThat(Payloads.malformed(sample)).isEqualTo("{\"type\":\"publish\",\"text\":\"hi\"");
        assertThat(Payloads.unknownType(sample)).isEqualTo("{\"type\":\"wsguard-probe-unknown\",\"text\":\"hi\"}");
        assertThat(Payloads.duplicateKey(sample))
                .isEqualTo("{\"type\":\"publish\",\"text\":\"wsguard-probe\",\"text\":\"hi\"}");
        assertThat(Payloads.duplicateKey("{\"type\":\"ping\"}"))
                .isEqualTo("{\"type\":\"wsguard-probe\",\"type\":\"ping\"}");
        assertThat(Payloads.inField(sample, "n", "1e400")).isEqualTo("{\"type\":\"publish\",\"text\":1e400}");
        assertThat(Payloads.inField("{\"type\":\"ping\"}", "n", "1e400")).isEqualTo("{\"n\":1e400,\"type\":\"ping\"}");
        assertThat(Payloads.deepNesting(new MessageAttack.Given(sample, 65_536)))
                .startsWith("{\"type\":\"publish\",\"text\":[[[").endsWith("]]]}").hasSize(4000 + 26);
        assertThat(Payloads.inField("{\"a\":1,\"type\":\"t\",\"b\":[1]}", "n", "\"<b>\""))
                .isEqualTo("{\"type\":\"t\",\"b\":[1],\"a\":\"<b>\"}");
        assertThat(Payloads.duplicateKey("{\"id\":7,\"type\":\"t\",\"text\":\"a\\\"b\"}"))
                .isEqualTo("{\"type\":\"t\",\"text\":\"a\\\"b\",\"id\":0,\"id\":7}");
        assertThat(Payloads.withMember("{}", "n", "1")).isEqualTo("{\"n\":1}");
        assertThat(Payloads.padded(sample, 1000)).hasSize(1000).endsWith(",\"type\":\"publish\",\"text\":\"hi\"}");
    }

    @Test
    void payloadsWhenSampleIsNoJsonObjectThenSkipped() {
        assertThatThrownBy(() -> Payloads.inField("{\"type\":", "n", "1e400")).isInstanceOf(Outcome.Skip.class)
                .hasMessage("not a JSON object");
        assertThatThrownBy(() -> Payloads.duplicateKey("[1]")).isInstanceOf(Outcome.Skip.class)
                .hasMessage("not a JSON object");
        assertThatThrownBy(() -> Payloads.duplicateKey("{}")).isInstanceOf(Outcome.Skip.class)
                .hasMessage("the sample has no member");
    }

    @Test
    void originsWhenAllowedOriginGivenThenLookAlikesDifferFromIt() {
        String allowed = "https://chat.example.test";
        assertThat(Origins.prefixed(allowed)).isEqualTo("https://evilchat.example.test");
        assertThat(Origins.suffixed(allowed)).isEqualTo("https://chat.example.test.wsguard-probe.invalid");
        assertThat(Origins.otherScheme(allowed)).isEqualTo("http://chat.example.test");
        assertThat(Origins.otherPort(allowed)).isEqualTo("https://chat.example.test:8443");
        assertThat(Origins.otherPort("http://127.0.0.1:8080")).isEqualTo("http://127.0.0.1:8081");
    }

    private static String jws(String header, String payload) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + ".c2lnbmF0dXJlLXBsYWNlaG9sZGVy";
    }

    private static String decode(String part) {
        return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
    }
}
