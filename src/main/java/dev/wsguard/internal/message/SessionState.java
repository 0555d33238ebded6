package dev.wsguard.internal.message;

import io.github.resilience4j.ratelimiter.RateLimiter;

import java.util.concurrent.Future;

/**
 * The guard's state for one session: its per-session limiters and its violation counters. Created at the first
 * message, stored in the session's user properties, gone with the session. Thread-safe.
 */
final class SessionState {

    static final String KEY = "dev.wsguard.session-state";

    private final RateLimiter[] sessionLimiters;
    private long windowStart;
    private int violations;
    private int excess;
    private Future<?> expiry;
    private Future<?> lifetime;

    SessionState(int limits) {
        this.sessionLimiters = new RateLimiter[limits];
    }

    synchronized RateLimiter limiter(Limit limit) {
        RateLimiter limiter = sessionLimiters[limit.index];
        if (limiter == null) {
            limiter = limit.newLimiter();
            sessionLimiters[limit.index] = limiter;
        }
        return limiter;
    }

    synchronized void expiry(Future<?> timer) {
        this.expiry = timer;
    }

    synchronized void lifetime(Future<?> timer) {
        this.lifetime = timer;
    }

    /** Cancels the token-expiry timer (a refreshed token arms a new one). */
    synchronized void cancelExpiry() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
    }

    /** Cancels every timer; the session is gone. */
    synchronized void release() {
        cancelExpiry();
        if (lifetime != null) {
            lifetime.cancel(false);
            lifetime = null;
        }
    }

    /** Counts a refusal; returns the count within the current window. */
    synchronized int violation(long now, long windowNanos) {
        roll(now, windowNanos);
        return ++violations;
    }

    /** Counts a rate-limit excess; returns the count within the current window. */
    synchronized int excess(long now, long windowNanos) {
        roll(now, windowNanos);
        return ++excess;
    }

    private void roll(long now, long windowNanos) {
        if (now - windowStart > windowNanos) {
            windowStart = now;
            violations = 0;
            excess = 0;
        }
    }
}
