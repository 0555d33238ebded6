package dev.wsguard.examples.chat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * DEV MODE ONLY: an in-process token issuer with an ephemeral RSA key, so the example runs on a fresh machine with
 * no identity provider. It exists only when no {@code mp.jwt.verify.*} key is configured, and says so loudly.
 */
final class DevIssuer {

    static final String ISSUER = "urn:wsguard:dev-issuer";
    static final String AUDIENCE = "wsguard-chat";
    /** Default token lifetime: short, so the demo page visibly refreshes its token in-band. */
    static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(2);

    /** The demo users: a plain user, a user of another tenant, an admin. */
    record DemoUser(String sub, String tenant, List<String> groups, String scope) {
    }

    static final Map<String, DemoUser> USERS = Map.of(
            "alice", new DemoUser("alice", "acme", List.of("user"), "chat:read chat:write"),
            "bob", new DemoUser("bob", "globex", List.of("user"), "chat:read chat:write"),
            "carol", new DemoUser("carol", "acme", List.of("user", "admin"), "chat:read chat:write"));

    private final KeyPair keys;
    private final Duration lifetime;

    /** @param lifetime how long each token is valid ({@code exp - iat}) */
    DevIssuer(Duration lifetime) {
        if (lifetime.isNegative() || lifetime.toSeconds() < 2) {
            throw new IllegalArgumentException("dev token lifetime must be at least 2 s: " + lifetime);
        }
        this.lifetime = lifetime;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            this.keys = generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("RSA is required of every JDK", e);
        }
    }

    /** How long each token is valid. */
    Duration lifetime() {
        return lifetime;
    }

    /** The public key as PEM, for {@code mp.jwt.verify.publickey}. */
    String publicKeyPem() {
        String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
    }

    /** A signed token for a demo user, or empty for an unknown name. */
    Optional<String> tokenFor(String user) {
        DemoUser u = USERS.get(user);
        if (u == null) {
            return Optional.empty();
        }
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(u.sub())
                .claim("upn", u.sub())
                .claim("groups", u.groups())
                .claim("scope", u.scope())
                .claim("tenant", u.tenant())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .jwtID(UUID.randomUUID().toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("dev").build(), claims);
        try {
            jwt.sign(new RSASSASigner((RSAPrivateKey) keys.getPrivate()));
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed", e);
        }
        return Optional.of(jwt.serialize());
    }
}
