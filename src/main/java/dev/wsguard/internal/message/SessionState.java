package dev.wsguard.internal.message;

import io.github.resilience4j.ratelimiter.RateLimiter;

import java.util.concurrent.Future;

/**
 * The guard's state for one session: the guard that opened it, its per-session limiters, its violation counters, its
 * timers and its outbound queue account. Created when the session opens, stored in the session's user properties,
 * gone with the session. Thread-safe.
 */
final class SessionState {

    static final String KEY = "dev.wsguard.session-state";

    private final RateLimiter[] sessionLimiters;
    private final MessageGuard guard;
    private final long maxQueuedBytes;
    private final int maxQueuedMessages;
    private long windowStart;
    private int violations;
    private int excess;
    private Future<?> expiry;
    private Future<?> lifetime;
    private Future<?> authDeadline;
    private Future<?> pings;
    private boolean authenticated;
    private long queuedBytes;
    private int queuedMessages;
    private boolean shed;
    private boolean released;
    private boolean overflowed;
    private volatile long lastHeard;

    SessionState(MessageGuard guard, int limits, long maxQueuedBytes, int maxQueuedMessages) {
        this.guard = guard;
        this.sessionLimiters = new RateLimiter[limits];
        this.maxQueuedBytes = maxQueuedBytes;
        this.maxQueuedMessages = maxQueuedMessages;
    }

    MessageGuard guard() {
        return guard;
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

    synchronized void authDeadline(Future<?> timer) {
        this.authDeadline = timer;
    }

    synchronized void pings(Future<?> timer) {
        this.pings = timer;
    }

    /** Whether the session has an identity: from the handshake, or from its first message. */
    synchronized boolean authenticated() {
        return authenticated;
    }

    /** Marks the session authenticated and stops its authentication deadline; false if it already was. */
    synchronized boolean authenticate() {
        if (authenticated) {
            return false;
        }
        authenticated = true;
        cancel(authDeadline);
        authDeadline = null;
        return true;
    }

    /** Cancels the token-expiry timer (a refreshed token arms a new one). */
    synchronized void cancelExpiry() {
        cancel(expiry);
        expiry = null;
    }

    /** Cancels every timer; the session is gone. */
    synchronized void release() {
        cancelExpiry();
        cancel(lifetime);
        cancel(authDeadline);
        cancel(pings);
        lifetime = null;
        authDeadline = null;
        pings = null;
        shed = true;
        released = true;
    }

    /** Whether the session has closed (its close has been handled). */
    synchronized boolean released() {
        return released;
    }

    private static void cancel(Future<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    /**
     * Accounts for one more queued message of {@code bytes}; false when it would pass either bound (the session is
     * then marked shed and every later reservation fails too) or the session is already gone.
     */
    synchronized boolean reserve(long bytes) {
        if (shed) {
            return false;
        }
        if (queuedBytes + bytes > maxQueuedBytes || queuedMessages + 1 > maxQueuedMessages) {
            shed = true;
            overflowed = true;
            return false;
        }
        queuedBytes += bytes;
        queuedMessages++;
        return true;
    }

    /** True exactly once after a reservation passed the bound: the caller that sees it closes the session. */
    synchronized boolean shedNow() {
        boolean now = overflowed;
        overflowed = false;
        return now;
    }

    /** The client sent something (a message or a pong) at {@code nanoTime}. */
    void heard(long nanoTime) {
        lastHeard = nanoTime;
    }

    long lastHeard() {
        return lastHeard;
    }

    /** One queued message of {@code bytes} was written to the socket, or failed. */
    synchronized void sent(long bytes) {
        queuedBytes -= bytes;
        queuedMessages--;
    }

    synchronized long queuedBytes() {
        return queuedBytes;
    }

    synchronized int queuedMessages() {
        return queuedMessages;
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
