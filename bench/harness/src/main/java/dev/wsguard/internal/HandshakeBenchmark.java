package dev.wsguard.internal;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.wsguard.GuardConfig;
import dev.wsguard.bench.BenchKeys;
import dev.wsguard.bench.Wire;
import dev.wsguard.internal.jwt.TokenVerifier;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The handshake checks one by one, and the whole handshake pipeline ({@link HandshakeGuard#check}: address limit,
 * origin, token extraction, verification, revocation, events) with and without the verified-token cache. The
 * yardstick is {@link #bareSignature}: one RS256 verification with Nimbus, which no token check can avoid.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HandshakeBenchmark {

    private static final Logger AUDIT = Logger.getLogger(EventSink.AUDIT_LOGGER);

    private GuardConfig config;
    private TokenExtractor extractor;
    private TokenVerifier uncached;
    private TokenVerifier cached;
    private HandshakeGuard guardCached;
    private HandshakeGuard guardUncached;
    private HandshakeView view;
    private String token;
    private RSASSAVerifier bare;

    private OriginAllowlist origins;

    @Setup
    public void setup() throws Exception {
        // As in the load servers: accepted handshakes are not written to the console.
        AUDIT.setLevel(Level.WARNING);
        BenchKeys keys = new BenchKeys();
        token = keys.token("alice");
        GuardConfig.Builder b = GuardConfig.builder().allowedOrigins(Wire.ORIGIN).publicKey(keys.publicKeyPem())
                .issuer(Wire.ISSUER).audiences(Wire.AUDIENCE).handshakeRateLimit(1_000_000_000, Duration.ofSeconds(1));
        config = b.build();
        guardCached = new HandshakeGuard(config);
        guardUncached = new HandshakeGuard(b.tokenCacheSize(0).build());
        extractor = new TokenExtractor(config);
        origins = OriginAllowlist.of(config.allowedOrigins());
        cached = new TokenVerifier(config.jwt(), config.tokenCacheSize(), config.tokenCacheTtl());
        uncached = new TokenVerifier(config.jwt());
        bare = new RSASSAVerifier(keys.key.toRSAPublicKey());
        view = new HandshakeView("/chat", Map.of(
                "origin", List.of(Wire.ORIGIN),
                "authorization", List.of("Bearer " + token),
                "host", List.of("127.0.0.1:8025"),
                "upgrade", List.of("websocket"),
                "connection", List.of("Upgrade"),
                "sec-websocket-key", List.of("dGhlIHNhbXBsZSBub25jZQ=="),
                "sec-websocket-version", List.of("13")), Map.of(), "127.0.0.1");
    }

    @Benchmark
    public boolean origin() {
        return origins.allows(Wire.ORIGIN);
    }

    @Benchmark
    public Object tokenExtraction() {
        return extractor.extract(view, true);
    }

    @Benchmark
    public boolean bareSignature() throws Exception {
        return SignedJWT.parse(token).verify(bare);
    }

    @Benchmark
    public Object jwtVerification() {
        return uncached.verify(token);
    }

    @Benchmark
    public Object jwtVerificationCached() {
        return cached.verify(token);
    }

    @Benchmark
    public Object handshakePipeline() {
        return guardUncached.check(view, false);
    }

    @Benchmark
    public Object handshakePipelineCached() {
        return guardCached.check(view, false);
    }
}
