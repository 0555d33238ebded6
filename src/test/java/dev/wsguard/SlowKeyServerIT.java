package dev.wsguard;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import dev.wsguard.testing.IdentityEcho;
import dev.wsguard.testing.JwksServer;
import dev.wsguard.testing.RawHandshake;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.tyrus.GuardedServer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A slow key server (issue 17, item 6) against a real {@link GuardedServer} and a real JWKS endpoint: handshakes
 * naming unknown {@code kid}s must not hold the server's worker threads while a fetch hangs, a handshake whose
 * {@code kid} is in the cached key set must pass at its normal speed whatever a fetch is doing, and a key rotated
 * in at the key server must still be picked up. Each test gets its own key server and guard, so fetch counts and
 * the refresh budget start from zero.
 */
class SlowKeyServerIT {

    static final String ORIGIN = "https://desk.test";
    static final RSAKey KEY = TestTokens.rsa2048();
    /** Signs the attackers' tokens: a valid signature under a key the server has never published. */
    static final RSAKey ROGUE = TestTokens.newRsa2048("rogue");
    static final Duration SLOW = Duration.ofSeconds(5);

    JwksServer jwks;
    GuardedServer server;

    void start(Duration jwksRefresh) throws Exception {
        jwks = JwksServer.start(TestTokens.jwks(KEY.toPublicJWK()));
        GuardConfig config = GuardConfig.builder()
                .allowedOrigins(ORIGIN)
                .publicKeyLocation(jwks.url())
                .issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE)
                .handshakeRateLimit(100_000, Duration.ofSeconds(1))
                .jwksRefresh(jwksRefresh)
                .build();
        server = GuardedServer.builder()
                .endpoint(ServerEndpointConfig.Builder.create(IdentityEcho.class, "/guarded")
                        .configurator(new WsGuardConfigurator(config) { })
                        .build())
                .build();
        server.start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (jwks != null) {
            jwks.close();
        }
    }

    int handshake(String token) throws Exception {
        return RawHandshake.to(server.uri("/guarded")).origin(ORIGIN).bearer(token).send().status();
    }

    /** A fresh token (never seen, so never a cache hit) signed with the published key. */
    static String legit(String subject) {
        return TestTokens.token().subject(subject).sign();
    }

    static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /**
     * A valid handshake until it passes: the first fetch starts at deployment, and on a cold JVM it may take longer
     * than a handshake waits for it. Then the key set is in, fetched exactly once.
     */
    void warmUp() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int status = handshake(legit("warm-up"));
        while (status != 101 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            status = handshake(legit("warm-up"));
        }
        assertThat(status).isEqualTo(101);
        assertThat(jwks.fetches()).isEqualTo(1);
    }

    /** A fresh valid token passes within a handshake's normal latency, far under the key server's delay. */
    void assertPassesAtOnce(String subject, String why) throws Exception {
        long start = System.nanoTime();
        int status = handshake(legit(subject));
        long millis = millisSince(start);

        assertThat(status).isEqualTo(101);
        assertThat(millis).as(why).isLessThan(500);
    }

    /** A server whose key set is in, then a second key published at the key server, as a rotation does. */
    RSAKey startAndRotate() throws Exception {
        start(Duration.ofMinutes(10));
        warmUp();
        RSAKey next = TestTokens.newRsa2048("rotated");
        jwks.publish(TestTokens.jwks(KEY.toPublicJWK(), next.toPublicJWK()));
        return next;
    }

    /** Waits up to 5 s for the key server to have seen {@code count} requests. */
    void awaitFetches(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (jwks.fetches() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void handshakeWhenKeyServerSlowAndUnknownKidsFloodThenCachedKidPassesAtOnce() throws Exception {
        start(Duration.ofMinutes(10));
        warmUp();
        jwks.delay(SLOW);

        int attackers = 24;
        ExecutorService pool = Executors.newFixedThreadPool(attackers);
        try {
            List<Future<long[]>> flood = new ArrayList<>();
            for (int i = 0; i < attackers; i++) {
                String bogus = TestTokens.token().signedWith(ROGUE).keyId("rogue-" + i).sign();
                Callable<long[]> attack = () -> {
                    long start = System.nanoTime();
                    int status = handshake(bogus);
                    return new long[] {status, millisSince(start)};
                };
                flood.add(pool.submit(attack));
            }
            // Let the flood reach the server and start whatever fetch it can start.
            Thread.sleep(300);

            assertPassesAtOnce("bob", "a cached kid never waits for the hanging fetch");
            for (Future<long[]> attack : flood) {
                long[] outcome = attack.get(20, TimeUnit.SECONDS);
                assertThat(outcome[0]).isEqualTo(401);
                // Answer plus the close RawHandshake waits for; a refusal that waited for the fetch takes 5 s.
                assertThat(outcome[1]).as("unknown kid refused without waiting for the fetch").isLessThan(2_000);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(jwks.fetches()).as("the first fetch and one coalesced refresh").isLessThanOrEqualTo(2);
    }

    @Test
    void handshakeWhenKeySetDueAndKeyServerSlowThenCachedKidPassesAtOnce() throws Exception {
        start(Duration.ofSeconds(2));
        warmUp();
        jwks.delay(SLOW);
        Thread.sleep(2_100);

        assertPassesAtOnce("carol", "the due refresh runs in the background");
        assertThat(handshake(legit("dave"))).isEqualTo(101);
        awaitFetches(2);
        assertThat(jwks.fetches()).as("one refresh, started by the first handshake past the refresh age").isEqualTo(2);
    }

    @Test
    void handshakeWhenKidRotatedInThenAcceptedAfterOneRefresh() throws Exception {
        RSAKey next = startAndRotate();

        assertThat(handshake(TestTokens.token().signedWith(next).sign()))
                .as("the refresh this handshake starts lands within the wait").isEqualTo(101);
        assertThat(handshake(legit("erin"))).isEqualTo(101);
        assertThat(jwks.fetches()).isEqualTo(2);
    }

    @Test
    void handshakeWhenKidRotatedInAndFetchSlowerThanWaitThenRefusedUntilRefreshLands() throws Exception {
        RSAKey next = startAndRotate();
        // Slower than the handshake's bounded wait, faster than the fetch's read timeout.
        jwks.delay(Duration.ofMillis(1_200));
        String rotated = TestTokens.token().signedWith(next).sign();

        long start = System.nanoTime();
        assertThat(handshake(rotated)).isEqualTo(401);
        assertThat(millisSince(start)).as("waited at most the bound, not for the fetch").isLessThan(1_100);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int status = handshake(rotated);
        while (status != 101 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            status = handshake(rotated);
        }
        assertThat(status).as("accepted once the background refresh landed").isEqualTo(101);
        assertThat(jwks.fetches()).as("the retries started no fetch of their own").isEqualTo(2);
    }
}
