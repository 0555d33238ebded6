package dev.wsguard.internal.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.wsguard.GuardConfig;
import dev.wsguard.RateLimit;
import dev.wsguard.internal.message.Limit;
import dev.wsguard.internal.message.LimitProbe;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Heap held by wsguard's per-key state after a flood of distinct keys, in a JVM of its own: one per-user rate
 * limit after 1,000,000 users (default cap 100,000 keys) and the verified-token cache after 1,000,000 distinct
 * tokens (default cap 10,000). Prints {@code name value} lines for the driver. In this package because the cache
 * is internal to it.
 */
public final class StateMemory {

    private StateMemory() {
    }

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        GuardConfig defaults = GuardConfig.builder().allowedOrigins("https://a.example").publicKey("unused")
                .issuer("i").audiences("a").build();
        // One method each, so nothing of the first is reachable (from a local slot) while the second is measured.
        limiter(defaults, keys);
        cache(defaults, keys);
    }

    private static void limiter(GuardConfig defaults, int keys) throws InterruptedException {
        long base = usedAfterGc();
        Limit limit = new Limit("publish", RateLimit.Key.USER, new GuardConfig.RateLimitSetting(20,
                Duration.ofSeconds(1)), defaults.maxRateLimitKeys(), 0);
        long allowed = 0;
        for (int i = 0; i < keys; i++) {
            if (limit.acquireShared("user-" + i)) {
                allowed++;
            }
        }
        keepAlive(limit);
        long bytes = usedAfterGc() - base;
        System.out.println("limiter.keys " + keys);
        System.out.println("limiter.cap " + defaults.maxRateLimitKeys());
        System.out.println("limiter.admitted " + allowed);
        System.out.println("limiter.tracked " + LimitProbe.trackedKeys(limit));
        System.out.println("limiter.bytes " + bytes);
        keepAlive(null);
    }

    private static void cache(GuardConfig defaults, int keys) throws InterruptedException {
        long base = usedAfterGc();
        VerifiedTokenCache cache = new VerifiedTokenCache(defaults.tokenCacheSize(), defaults.tokenCacheTtl(),
                Clock.systemUTC());
        Instant exp = Instant.now().plusSeconds(3600);
        for (int i = 0; i < keys; i++) {
            String sub = "user-" + i;
            VerifiedToken token = new VerifiedToken(new JWTClaimsSet.Builder().issuer("https://idp.example")
                    .audience("chat").subject(sub).issueTime(new Date()).expirationTime(Date.from(exp))
                    .claim("scope", "chat:read chat:write").claim("tenant", "acme").claim("groups", List.of("user"))
                    .build());
            cache.put(VerifiedTokenCache.keyOf("token-of-" + sub), token, 0);
        }
        keepAlive(cache);
        long bytes = usedAfterGc() - base;
        System.out.println("cache.tokens " + keys);
        System.out.println("cache.cap " + defaults.tokenCacheSize());
        System.out.println("cache.size " + cache.size());
        System.out.println("cache.bytes " + bytes);
        keepAlive(null);
    }

    private static volatile Object sink;

    /** Keeps {@code o} reachable through the measurement that follows (a local could be collected early). */
    private static void keepAlive(Object o) {
        sink = o;
    }

    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
