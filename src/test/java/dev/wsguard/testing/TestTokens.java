package dev.wsguard.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.opts.AllowWeakRSAKey;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.wsguard.GuardConfig.JwtSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Mints bearer tokens and keys for tests, good and deliberately bad, with Nimbus.
 *
 * <p>Start from {@link #token()}: it is valid by default for {@link #settings(String)} (issuer {@value #ISSUER},
 * audience {@value #AUDIENCE}, subject {@value #SUBJECT}, issued now, expiring in 5 minutes, groups
 * {@code [user]}, scope {@code "read write"}, claim {@code tenant=acme}, RS256 with {@link #rsa2048()}), and each
 * test overrides what it is about:
 *
 * <pre>{@code
 * String token = TestTokens.token().subject("bob").groups("admin").sign();
 * String expired = TestTokens.token().issuedAt(now.minusSeconds(600)).expiresAt(now.minusSeconds(300)).sign();
 * String forged = TestTokens.token().unsigned();                 // alg=none
 * JwtSettings settings = TestTokens.settings(TestTokens.publicKeyPem(TestTokens.rsa2048()));
 * }</pre>
 *
 * <p>Key generation is slow (RSA 2048 takes up to a second), so {@link #rsa2048()} and {@link #ecP256()} are
 * generated once per JVM; the {@code new...} methods make fresh keys for rotation tests. Thread-safe.
 */
public final class TestTokens {

    /** Default {@code iss}. */
    public static final String ISSUER = "https://issuer.test";
    /** Default {@code aud}. */
    public static final String AUDIENCE = "wsguard-test";
    /** Default {@code sub}. */
    public static final String SUBJECT = "alice";
    /** Default tenant claim value. */
    public static final String TENANT = "acme";
    /** Key ID of {@link #rsa2048()}. */
    public static final String RSA_KID = "rsa-2048";
    /** Key ID of {@link #ecP256()}. */
    public static final String EC_KID = "ec-p256";

    private static volatile RSAKey rsa2048;
    private static volatile ECKey ecP256;
    private static volatile CertifiedKey selfSigned;

    private TestTokens() {
    }

    // ---------------------------------------------------------------- keys

    /** The shared RSA 2048 key pair (private parts included), key ID {@value #RSA_KID}. */
    public static RSAKey rsa2048() {
        RSAKey key = rsa2048;
        if (key == null) {
            synchronized (TestTokens.class) {
                if (rsa2048 == null) {
                    rsa2048 = newRsa2048(RSA_KID);
                }
                key = rsa2048;
            }
        }
        return key;
    }

    /** A fresh RSA 2048 key pair; {@code kid} may be null. */
    public static RSAKey newRsa2048(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A fresh RSA 1024 key pair, too weak for wsguard; {@code kid} may be null. Generated with the JDK because
     * Nimbus refuses to generate (or sign with) RSA keys under 2048 bits.
     */
    public static RSAKey rsa1024(String kid) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(1024);
            KeyPair pair = generator.generateKeyPair();
            return new RSAKey.Builder((RSAPublicKey) pair.getPublic())
                    .privateKey((RSAPrivateKey) pair.getPrivate())
                    .keyID(kid)
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The shared EC P-256 key pair (private parts included), key ID {@value #EC_KID}. */
    public static ECKey ecP256() {
        ECKey key = ecP256;
        if (key == null) {
            synchronized (TestTokens.class) {
                if (ecP256 == null) {
                    ecP256 = newEcP256(EC_KID);
                }
                key = ecP256;
            }
        }
        return key;
    }

    /** A fresh EC P-256 key pair; {@code kid} may be null. */
    public static ECKey newEcP256(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An RSA 2048 key pair and a self-signed certificate for its public key. */
    public record CertifiedKey(RSAKey key, X509Certificate certificate) {
    }

    /**
     * A shared RSA 2048 key with a self-signed X.509 certificate (no key ID). The JDK has no public API to issue
     * certificates, so this runs the JDK's {@code keytool} once per JVM.
     */
    public static CertifiedKey selfSigned() {
        CertifiedKey result = selfSigned;
        if (result == null) {
            synchronized (TestTokens.class) {
                if (selfSigned == null) {
                    selfSigned = runKeytool();
                }
                result = selfSigned;
            }
        }
        return result;
    }

    private static CertifiedKey runKeytool() {
        try {
            Path dir = Files.createTempDirectory("wsguard-keytool");
            Path store = dir.resolve("test.p12");
            char[] password = "changeit".toCharArray();
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "test",
                    "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=wsguard-test", "-validity", "3650",
                    "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(password))
                    .redirectErrorStream(true)
                    .start();
            process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool failed");
            }
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keyStore.load(in, password);
            }
            X509Certificate certificate = (X509Certificate) keyStore.getCertificate("test");
            PrivateKey privateKey = (PrivateKey) keyStore.getKey("test", password);
            RSAKey key = new RSAKey.Builder((RSAPublicKey) certificate.getPublicKey())
                    .privateKey(privateKey)
                    .build();
            Files.delete(store);
            Files.delete(dir);
            return new CertifiedKey(key, certificate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- key formats

    /** {@code -----BEGIN PUBLIC KEY-----} PEM of the key's public part (RSA or EC). */
    public static String publicKeyPem(JWK key) {
        try {
            PublicKey publicKey = key instanceof RSAKey rsa ? rsa.toRSAPublicKey() : ((ECKey) key).toECPublicKey();
            return publicKeyPem(publicKey);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code -----BEGIN PUBLIC KEY-----} PEM of a JDK public key. */
    public static String publicKeyPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    /** {@code -----BEGIN CERTIFICATE-----} PEM of a certificate. */
    public static String certificatePem(X509Certificate certificate) {
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    /** The JSON of one JWK, public parts only. */
    public static String jwk(JWK key) {
        return key.toPublicJWK().toJSONString();
    }

    /** A JWKS document {@code {"keys":[...]}} of the keys' public parts. */
    public static String jwks(JWK... keys) {
        return new JWKSet(Arrays.asList(keys)).toString(true);
    }

    // ---------------------------------------------------------------- settings

    /**
     * Settings matching {@link #token()}'s defaults: RS256, PS256 and ES256 allowed, issuer {@value #ISSUER},
     * audience {@value #AUDIENCE}, 60 s skew, 1 h maximum lifetime, 10 min JWKS refresh, system clock.
     *
     * @param inlineKey PEM, JWK or JWKS text
     */
    public static JwtSettings settings(String inlineKey) {
        return new JwtSettings(inlineKey, null, Set.of("RS256", "PS256", "ES256"), ISSUER, Set.of(AUDIENCE),
                Duration.ofSeconds(60), Duration.ofHours(1), Duration.ofMinutes(10), Clock.systemUTC());
    }

    /** Like {@link #settings(String)} with a key location instead of inline key material. */
    public static JwtSettings settingsAt(String location) {
        return new JwtSettings(null, location, Set.of("RS256", "PS256", "ES256"), ISSUER, Set.of(AUDIENCE),
                Duration.ofSeconds(60), Duration.ofHours(1), Duration.ofMinutes(10), Clock.systemUTC());
    }

    // ---------------------------------------------------------------- tokens

    /** A builder holding a valid token; see the class comment for the defaults. */
    public static Builder token() {
        return new Builder();
    }

    /** A token that is valid but for its signature: made with a fresh key under the test key's {@code kid}. */
    public static String forged() {
        return token().signedWith(newRsa2048(RSA_KID)).sign();
    }

    /** Signs the claims with {@code key}; {@code kid} may be null. Allows RSA keys under 2048 bits. */
    public static String sign(JWTClaimsSet claims, JWSAlgorithm alg, JWK key, String kid) {
        return sign(new JWSHeader.Builder(alg).keyID(kid).build(), claims, key);
    }

    /** Signs the claims with {@code key} under a header of the caller's making. */
    public static String sign(JWSHeader header, JWTClaimsSet claims, JWK key) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(signer(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsigned token: header {@code {"alg":"none"}}, empty signature. */
    public static String unsigned(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize();
    }

    /**
     * The classic algorithm-confusion forgery: HS256 with the RSA public key's DER encoding (what
     * {@link PublicKey#getEncoded()} returns) as the HMAC secret. A verifier that lets the token pick the
     * algorithm and hands the public key to an HMAC check would accept it.
     */
    public static String hs256WithPublicKey(JWTClaimsSet claims, RSAKey key, String kid) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid).build(), claims);
            jwt.sign(new MACSigner(key.toRSAPublicKey().getEncoded()));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWSSigner signer(JWK key) throws JOSEException {
        if (key instanceof RSAKey rsa) {
            return new RSASSASigner(rsa.toRSAPrivateKey(), Set.of(AllowWeakRSAKey.getInstance()));
        }
        if (key instanceof ECKey ec) {
            return new ECDSASigner(ec);
        }
        throw new IllegalArgumentException("RSA or EC key expected");
    }

    /**
     * A mutable token under construction, valid by default. Not thread-safe; make one per token.
     */
    public static final class Builder {
        private final Map<String, Object> claims = new LinkedHashMap<>();
        private JWSAlgorithm algorithm = JWSAlgorithm.RS256;
        private JWK key = rsa2048();
        private String keyId = RSA_KID;
        private JOSEObjectType type;

        private Builder() {
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            claims.put("iss", ISSUER);
            claims.put("aud", AUDIENCE);
            claims.put("sub", SUBJECT);
            claims.put("iat", now);
            claims.put("exp", now.plus(Duration.ofMinutes(5)));
            claims.put("jti", UUID.randomUUID().toString());
            claims.put("groups", List.of("user"));
            claims.put("scope", "read write");
            claims.put("tenant", TENANT);
        }

        /** Sets {@code iat} to {@code now} and {@code exp} to {@code now + 5 min}, for tests with a fixed clock. */
        public Builder at(Instant now) {
            claims.put("iat", now);
            claims.put("exp", now.plus(Duration.ofMinutes(5)));
            return this;
        }

        public Builder issuer(String issuer) {
            return claim("iss", issuer);
        }

        /** One audience is written as a string, several as an array. */
        public Builder audience(String... audiences) {
            return claim("aud", audiences.length == 1 ? audiences[0] : List.of(audiences));
        }

        public Builder subject(String subject) {
            return claim("sub", subject);
        }

        public Builder issuedAt(Instant iat) {
            return claim("iat", iat);
        }

        public Builder expiresAt(Instant exp) {
            return claim("exp", exp);
        }

        public Builder notBefore(Instant nbf) {
            return claim("nbf", nbf);
        }

        public Builder groups(String... groups) {
            return claim("groups", List.of(groups));
        }

        /** The space-separated {@code scope} claim. */
        public Builder scope(String scope) {
            return claim("scope", scope);
        }

        public Builder tenant(String tenant) {
            return claim("tenant", tenant);
        }

        /**
         * Sets any claim. {@link Instant} values become numeric dates; other values are written as given, so
         * {@code claim("exp", "tomorrow")} makes a mistyped claim.
         */
        public Builder claim(String name, Object value) {
            claims.put(name, value);
            return this;
        }

        /** Removes a claim, default or not. */
        public Builder without(String name) {
            claims.remove(name);
            return this;
        }

        /** The JWS algorithm; must suit the signing key (RS/PS for RSA, ES256 for P-256). */
        public Builder algorithm(JWSAlgorithm algorithm) {
            this.algorithm = algorithm;
            return this;
        }

        /** The signing key; also sets the header {@code kid} to the key's own (possibly null). */
        public Builder signedWith(JWK key) {
            this.key = key;
            this.keyId = key.getKeyID();
            return this;
        }

        /** The header {@code kid}; null for none. */
        public Builder keyId(String kid) {
            this.keyId = kid;
            return this;
        }

        /** The header {@code typ}, e.g. {@code "at+jwt"}; none by default. */
        public Builder type(String typ) {
            this.type = typ == null ? null : new JOSEObjectType(typ);
            return this;
        }

        /** The claims as Nimbus holds them. */
        public JWTClaimsSet claims() {
            JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder();
            claims.forEach((name, value) ->
                    builder.claim(name, value instanceof Instant instant ? Date.from(instant) : value));
            return builder.build();
        }

        /** Signs and serializes the token. */
        public String sign() {
            JWSHeader header = new JWSHeader.Builder(algorithm).keyID(keyId).type(type).build();
            return TestTokens.sign(header, claims(), key);
        }

        /** The same claims as an {@code alg=none} token. */
        public String unsigned() {
            return TestTokens.unsigned(claims());
        }

        /** The same claims, HS256-signed with the RSA public key's bytes as secret. */
        public String hs256WithPublicKey() {
            if (!(key instanceof RSAKey rsa)) {
                throw new IllegalStateException("signing key is not RSA");
            }
            return TestTokens.hs256WithPublicKey(claims(), rsa, keyId);
        }
    }
}
