package dev.wsguard.internal.jwt;

import dev.wsguard.GuardConfig.JwtSettings;
import dev.wsguard.testing.TestTokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

/** Settings for these tests, with a fixed clock at {@link #NOW}; change a field, then {@link #build()}. */
final class Fixtures {

    static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");

    String publicKey;
    String publicKeyLocation;
    Set<String> algorithms = Set.of("RS256", "PS256", "ES256");
    String issuer = TestTokens.ISSUER;
    Set<String> audiences = Set.of(TestTokens.AUDIENCE);
    Duration clockSkew = Duration.ofSeconds(60);
    Duration maxLifetime = Duration.ofHours(1);
    Duration jwksRefresh = Duration.ofMinutes(10);
    Duration jwksFetchWait = Duration.ofMillis(500);
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    static Fixtures inline(String publicKey) {
        Fixtures f = new Fixtures();
        f.publicKey = publicKey;
        return f;
    }

    static Fixtures at(String location) {
        Fixtures f = new Fixtures();
        f.publicKeyLocation = location;
        return f;
    }

    JwtSettings build() {
        return new JwtSettings(publicKey, publicKeyLocation, algorithms, issuer, audiences, clockSkew, maxLifetime,
                jwksRefresh, jwksFetchWait, clock);
    }

    TokenVerifier verifier() {
        return new TokenVerifier(build());
    }
}
