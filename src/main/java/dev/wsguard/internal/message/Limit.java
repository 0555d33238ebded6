package dev.wsguard.internal.message;

import dev.wsguard.GuardConfig;
import dev.wsguard.RateLimit;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One named rate limit of an endpoint, with its limiters: per session (kept in the session's state), or per user or
 * client address (kept here, at most {@code maxKeys} of them; idle limiters are evicted first, and when every
 * tracked key is busy a new key is refused rather than tracked: the map never grows past the cap, about 500 bytes
 * a key). resilience4j with a zero timeout, so a denied permit never blocks. Thread-safe.
 */
public final class Limit {

    final String name;
    final RateLimit.Key key;
    final int index;
    private final RateLimiterConfig config;
    private final int maxKeys;
    private final ConcurrentHashMap<String, RateLimiter> shared = new ConcurrentHashMap<>();
    private final long sweepIntervalNanos;
    private long lastSweep = System.nanoTime() - Long.MAX_VALUE / 2;

    public Limit(String name, RateLimit.Key key, GuardConfig.RateLimitSetting setting, int maxKeys, int index) {
        this.name = name;
        this.key = key;
        this.index = index;
        this.maxKeys = maxKeys;
        this.config = RateLimiterConfig.custom()
                .limitForPeriod(setting.limitForPeriod())
                .limitRefreshPeriod(setting.refreshPeriod())
                .timeoutDuration(Duration.ZERO)
                .build();
        // A full map is swept at most once per period (at most once a second): new keys arriving faster than
        // that are refused without a sweep, so a flood of fresh keys cannot turn eviction into a CPU sink.
        this.sweepIntervalNanos = Math.min(setting.refreshPeriod().toNanos(), Duration.ofSeconds(1).toNanos());
    }

    RateLimiter newLimiter() {
        return RateLimiter.of(name, config);
    }

    /** A permit for {@code keyValue} (user or address), false when over the limit or the key cannot be tracked. */
    public boolean acquireShared(String keyValue) {
        RateLimiter limiter = shared.get(keyValue);
        if (limiter == null) {
            if (shared.size() >= maxKeys && !evictIdle()) {
                return false;
            }
            limiter = shared.computeIfAbsent(keyValue, k -> newLimiter());
        }
        return limiter.acquirePermission();
    }

    /** Whether {@code keyValue} has a limiter here: a refusal for an untracked key says nothing about the key. */
    public boolean tracks(String keyValue) {
        return shared.containsKey(keyValue);
    }

    /** Removes limiters that hold all their permits (idle for at least one period); true if room was made. */
    private synchronized boolean evictIdle() {
        if (shared.size() < maxKeys) {
            return true;
        }
        long now = System.nanoTime();
        if (now - lastSweep < sweepIntervalNanos) {
            return false;
        }
        lastSweep = now;
        int full = config.getLimitForPeriod();
        for (Iterator<RateLimiter> it = shared.values().iterator(); it.hasNext(); ) {
            if (it.next().getMetrics().getAvailablePermissions() >= full) {
                it.remove();
            }
        }
        return shared.size() < maxKeys;
    }

    int trackedKeys() {
        return shared.size();
    }
}
