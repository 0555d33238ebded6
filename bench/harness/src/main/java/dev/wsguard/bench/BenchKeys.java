package dev.wsguard.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/** An RSA 2048 key and tokens for it, shaped like the ones the load driver sends (for the JMH benchmarks). */
public final class BenchKeys {

    public final RSAKey key;

    public BenchKeys() {
        try {
            key = new RSAKeyGenerator(2048).keyID("bench").generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key as PEM, as {@code mp.jwt.verify.publickey} takes it. */
    public String publicKeyPem() {
        try {
            return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(
                    key.toRSAPublicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A valid token for {@code subject}: tenant acme, role user, scopes chat:read and chat:write, 2 h lifetime. */
    public String token(String subject) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(Wire.ISSUER).audience(Wire.AUDIENCE).subject(subject).jwtID(subject + "-" + now)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(2, ChronoUnit.HOURS)))
                .claim("upn", subject).claim("groups", List.of("user"))
                .claim("scope", "chat:read chat:write").claim("tenant", "acme")
                .build();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("bench").build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
