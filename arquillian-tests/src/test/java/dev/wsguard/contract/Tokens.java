package dev.wsguard.contract;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The suite's token issuer: one RSA key per test JVM, published to the runtime under test as an inline JWKS
 * ({@code mp.jwt.verify.publickey}), and the configuration every runtime gets.
 */
public final class Tokens {

    static final String ISSUER = "https://issuer.contract.test";
    static final String AUDIENCE = "wsguard-contract";
    public static final String ORIGIN = "https://app.contract.test";
    /** Every token's {@code tenant} claim. */
    static final String TENANT = "acme";
    static final String FOREIGN_ORIGIN = "https://evil.contract.test";
    /** Small enough for the quota test to reach it with a few connections. */
    static final int MAX_PER_USER = 2;

    private static final RSAKey KEY = generate();
    private static final RSAKey OTHER_KEY = generate();

    private Tokens() {
    }

    private static RSAKey generate() {
        try {
            return new RSAKeyGenerator(2048).keyID("contract").generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The configuration of the application under test, identical on every runtime. */
    public static Map<String, String> config() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("wsguard.origins.allowed", ORIGIN);
        config.put("mp.jwt.verify.publickey", new JWKSet(KEY.toPublicJWK()).toString());
        config.put("mp.jwt.verify.issuer", ISSUER);
        config.put("mp.jwt.verify.audiences", AUDIENCE);
        config.put("wsguard.connections.max-per-user", Integer.toString(MAX_PER_USER));
        // Every carrier a browser can use, so that each is proven on each runtime; the query string stays off.
        config.put("wsguard.token.sources", "header,subprotocol,cookie");
        // The suite opens many connections from one address; the per-address rate is not what it tests.
        config.put("wsguard.handshake.limit-for-period", "10000");
        // Nor are abuse bans: the suite commits hundreds of deliberate violations from that one address.
        config.put("wsguard.bans.max-violations", "100000");
        return config;
    }

    /** The key the EE deployments read from {@code ContractConfigSource} rather than the properties file. */
    static final String ORIGINS_KEY = "wsguard.origins.allowed";

    /** The same configuration as a properties file, without the {@code excluded} keys. */
    public static String properties(String... excluded) {
        StringBuilder out = new StringBuilder();
        config().forEach((k, v) -> {
            if (!List.of(excluded).contains(k)) {
                out.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n');
            }
        });
        return out.toString();
    }

    static String valid(String subject, String... groups) {
        return sign(KEY, subject, Instant.now(), Duration.ofMinutes(5), groups);
    }

    static String expiringIn(String subject, Duration lifetime) {
        return sign(KEY, subject, Instant.now(), lifetime);
    }

    /** Well formed, right claims, signed by a key the server does not know under the server's key id. */
    static String forged(String subject) {
        return sign(OTHER_KEY, subject, Instant.now(), Duration.ofMinutes(5));
    }

    /** Well formed, right claims, signed by a key the server does not know, under a key id it has never seen. */
    static String unknownKid(String subject, String kid) {
        return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID(kid).build(),
                claims(subject, Instant.now(), Duration.ofMinutes(5)).build(), OTHER_KEY);
    }

    /** The server's public key as a JWKS document, as a key server publishes it. */
    static String jwks() {
        return new JWKSet(KEY.toPublicJWK()).toString();
    }

    /** A valid token changed by {@code change}: claims set or removed, signed by the server's key. */
    static String with(String subject, UnaryOperator<JWTClaimsSet.Builder> change) {
        return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID(KEY.getKeyID()).build(),
                change.apply(claims(subject, Instant.now(), Duration.ofMinutes(5))).build(), KEY);
    }

    /** The server's verification key as PEM, for the attack kit's key-confusion forgeries. */
    static String publicKeyPem() {
        try {
            return pem("PUBLIC KEY", KEY.toRSAPublicKey().getEncoded());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The server's signing key as PKCS#8 PEM, for the attack kit's tokens wrong in one claim. */
    static String signingKeyPem() {
        try {
            return pem("PRIVATE KEY", KEY.toRSAPrivateKey().getEncoded());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + java.util.Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static String sign(RSAKey key, String subject, Instant iat, Duration lifetime, String... groups) {
        return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID(key.getKeyID()).build(),
                claims(subject, iat, lifetime, groups).build(), key);
    }

    private static JWTClaimsSet.Builder claims(String subject, Instant iat, Duration lifetime, String... groups) {
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER).audience(AUDIENCE).subject(subject)
                .issueTime(Date.from(iat)).expirationTime(Date.from(iat.plus(lifetime)))
                .claim("upn", subject)
                .claim("groups", List.of(groups.length == 0 ? new String[] {"user"} : groups))
                .claim("scope", "read")
                .claim("tenant", TENANT)
                .jwtID(java.util.UUID.randomUUID().toString());
    }

    private static String sign(JWSHeader header, JWTClaimsSet claims, RSAKey key) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
