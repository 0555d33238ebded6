package dev.wsguard.examples.chat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An identity provider for runs outside dev mode: an RSA key whose public half the jar is configured with
 * ({@link #properties()}), and tokens signed with the private half.
 */
final class TestIdp {

    static final String ISSUER = "https://idp.test";
    static final String AUDIENCE = "chat";

    private final KeyPair keys;
    private final Path publicKey;

    /** A fresh key, its public half written as PEM into {@code dir}. */
    TestIdp(Path dir) throws GeneralSecurityException, IOException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
        publicKey = dir.resolve("idp.pem");
        Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
    }

    /** {@code properties} and the {@code mp.jwt.verify.*} ones that make the jar trust this provider. */
    String[] with(String... properties) {
        return Stream.concat(Stream.of(properties), Stream.of("mp.jwt.verify.publickey.location=" + publicKey,
                "mp.jwt.verify.issuer=" + ISSUER, "mp.jwt.verify.audiences=" + AUDIENCE)).toArray(String[]::new);
    }

    /** A token for {@code subject}, valid five minutes, with {@code claims} besides the required ones. */
    String token(String subject, Map<String, Object> claims) throws JOSEException {
        Instant now = Instant.now();
        JWTClaimsSet.Builder set = new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject(subject)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
        claims.forEach(set::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), set.build());
        jwt.sign(new RSASSASigner(keys.getPrivate()));
        return jwt.serialize();
    }

    /** A chat user's token: both chat scopes, the tenant, and the groups (roles) given. */
    String chatUser(String subject, String tenant, String... groups) throws JOSEException {
        return token(subject, Map.of("scope", "chat:read chat:write", "tenant", tenant, "groups", List.of(groups)));
    }
}
