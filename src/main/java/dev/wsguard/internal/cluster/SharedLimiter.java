package dev.wsguard.internal.cluster;

import io.github.resilience4j.ratelimiter.RateLimiter;

/**
 * A rate limit whose allowance is shared by every node. Each key holds a local {@link Lease} of tokens taken from the
 * shared bucket in batches, so that most permits cost no network round trip. Thread-safe.
 */
public interface SharedLimiter {

    /** A fresh, empty local lease for one key. */
    Lease newLease();

    /**
     * A permit for {@code key}: from its lease, else from a new batch taken from the shared bucket.
     *
     * @param local the key's own limiter, used while the store is unreachable under the local policy
     */
    boolean acquire(String key, Lease lease, RateLimiter local);

    /** The tokens one key holds locally, and until when they may be spent ({@link System#nanoTime()}). */
    final class Lease {
        int tokens;
        long until;
        /** The shared bucket was empty (or unreachable) when last asked: refuse locally until {@link #until}. */
        boolean dry;
    }
}
