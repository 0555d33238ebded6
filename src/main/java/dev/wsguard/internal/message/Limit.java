package dev.wsguard.internal.message;

import dev.wsguard.GuardConfig;
import dev.wsguard.RateLimit;
import dev.wsguard.internal.cluster.SharedLimiter;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One named rate limit of an endpoint, with its limiters: per session (kept in the session's state), or per user or
 * client address (kept here, at most {@code maxKeys} of them, about 500 bytes a key). resilience4j with a zero
 * timeout, so a denied permit never blocks. Thread-safe.
 *
 * <p>A full table makes room, it never refuses a key it cannot track: refusing would let anyone with
 * {@code maxKeys} addresses (one IPv6 network holds billions) lock every newcomer out. The limiter evicted is chosen
 * by second chance (the CLOCK approximation of least recently used): the table keeps its keys in insertion order;
 * a key used again since the hand last passed it is moved to the back once, its mark cleared, and the first key
 * without a mark goes, as does any key whose limiter holds all its permits (a fresh limiter would be the same). A
 * key seen only once (a flood of fresh addresses) therefore goes before a key in use, so flooding neither evicts
 * the busy keys first nor resets the flooder's own limiter while it keeps using it. An evicted key that comes back
 * starts with a fresh limiter. A hit costs a map lookup and at most one volatile write; an insertion takes a lock
 * and passes at most every tracked key once, and on average about one: a key is passed over only for a use since
 * it was last passed.
 *
 * <p>A limit {@linkplain #share shared} by the nodes of a cluster takes its permits from a shared bucket through
 * the key's local lease instead ({@link SharedLimiter}); the key's own limiter then serves only while the store is
 * unreachable under the local failure policy. Unshared (the default), a permit costs one null check more.
 */
public final class Limit {

    /** A tracked key: its limiter, and whether it was used since the hand last passed it. */
    private static final class Entry {
        final String key;
        final RateLimiter limiter;
        final SharedLimiter.Lease lease;
        volatile boolean usedAgain;

        Entry(String key, RateLimiter limiter, SharedLimiter.Lease lease) {
            this.key = key;
            this.limiter = limiter;
            this.lease = lease;
        }
    }

    final String name;
    final RateLimit.Key key;
    final int index;
    private final RateLimiterConfig config;
    private final int maxKeys;
    private final ConcurrentHashMap<String, Entry> shared = new ConcurrentHashMap<>();
    /** The keys of {@link #shared} in the hand's order; guarded by {@code this}. */
    private final ArrayDeque<Entry> hand = new ArrayDeque<>();
    private final LongAdder evicted;
    private volatile SharedLimiter remote;

    public Limit(String name, RateLimit.Key key, GuardConfig.RateLimitSetting setting, int maxKeys, int index) {
        this(name, key, setting, maxKeys, index, new LongAdder());
    }

    /** @param evicted counts the keys this limit evicts to make room (shared by the limits of one guard) */
    public Limit(String name, RateLimit.Key key, GuardConfig.RateLimitSetting setting, int maxKeys, int index,
                 LongAdder evicted) {
        this.name = name;
        this.key = key;
        this.index = index;
        this.maxKeys = maxKeys;
        this.evicted = evicted;
        this.config = RateLimiterConfig.custom()
                .limitForPeriod(setting.limitForPeriod())
                .limitRefreshPeriod(setting.refreshPeriod())
                .timeoutDuration(Duration.ZERO)
                .build();
    }

    /** Takes this per-user or per-address limit's permits from {@code shared} from now on; null keeps it local. */
    void share(SharedLimiter shared) {
        this.remote = shared;
    }

    RateLimiter newLimiter() {
        return RateLimiter.of(name, config);
    }

    /** A permit for {@code keyValue} (user or address key); false only when that key is over its limit. */
    public boolean acquireShared(String keyValue) {
        Entry entry = shared.get(keyValue);
        if (entry == null) {
            entry = track(keyValue);
        } else if (!entry.usedAgain) {
            entry.usedAgain = true;
        }
        SharedLimiter sharing = remote;
        return sharing == null ? entry.limiter.acquirePermission()
                : sharing.acquire(keyValue, entry.lease, entry.limiter);
    }

    private synchronized Entry track(String keyValue) {
        Entry entry = shared.get(keyValue);
        if (entry != null) {
            return entry;
        }
        if (hand.size() >= maxKeys) {
            evictOne();
        }
        SharedLimiter sharing = remote;
        entry = new Entry(keyValue, newLimiter(), sharing == null ? null : sharing.newLease());
        shared.put(keyValue, entry);
        hand.addLast(entry);
        return entry;
    }

    /** Second chance: bounded by one pass over the table even while other threads keep marking keys. */
    private void evictOne() {
        int full = config.getLimitForPeriod();
        for (int chances = hand.size(); ; chances--) {
            Entry candidate = hand.pollFirst();
            if (chances > 0 && candidate.usedAgain
                    && candidate.limiter.getMetrics().getAvailablePermissions() < full) {
                candidate.usedAgain = false;
                hand.addLast(candidate);
            } else {
                shared.remove(candidate.key);
                evicted.increment();
                return;
            }
        }
    }

    boolean tracks(String keyValue) {
        return shared.containsKey(keyValue);
    }

    int trackedKeys() {
        return shared.size();
    }

    long evicted() {
        return evicted.sum();
    }
}
