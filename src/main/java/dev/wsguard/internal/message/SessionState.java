package dev.wsguard.internal.message;

import dev.wsguard.Rejection;
import dev.wsguard.internal.ConnectionQuotas;
import dev.wsguard.internal.Deadlines;
import dev.wsguard.internal.TransportLink;
import io.github.resilience4j.ratelimiter.RateLimiter;
import jakarta.websocket.Session;

import java.util.concurrent.Future;

/**
 * The guard's state for one session: the guard that opened it, when, its per-session limiters, its violation
 * counters, its timers, its outbound queue account and the link to its connection. Created when the session opens,
 * stored in the session's user properties under one key (every open session holds one: it is kept to a few fields,
 * and hears from the transport itself rather than through a callback object), gone with the session.
 * Thread-safe.
 */
final class SessionState extends Deadlines.Entry implements TransportLink.Listener {

    static final String KEY = "dev.wsguard.session-state";

    private final int limits;
    private RateLimiter[] sessionLimiters;
    private final SessionGuard guard;
    private final Session session;
    private long openedAt;
    private long lifetimeEnd;
    private TransportLink link;
    private ConnectionQuotas.Slot slot;
    private String addressKey;
    private boolean closingByGuard;
    private final long maxQueuedBytes;
    private final int maxQueuedMessages;
    private long windowStart;
    private int violations;
    private int excess;
    private Future<?> authDeadline;
    private Future<?> pings;
    private boolean authenticated;
    private long queuedBytes;
    private int queuedMessages;
    private boolean shed;
    private boolean released;
    private boolean overflowed;
    private volatile long lastHeard;
    /** What the standard-endpoint adapter keeps for the session (its user instance); a field, not a user property. */
    private volatile Object adapted;

    SessionState(SessionGuard guard, Session session, int limits, long maxQueuedBytes, int maxQueuedMessages) {
        this.guard = guard;
        this.session = session;
        this.limits = limits;
        this.maxQueuedBytes = maxQueuedBytes;
        this.maxQueuedMessages = maxQueuedMessages;
    }

    SessionGuard guard() {
        return guard;
    }

    Object adapted() {
        return adapted;
    }

    void adapted(Object value) {
        adapted = value;
    }

    /**
     * The session opened at {@code nanoTime} on the connection {@code link} reaches (null where the runtime gives no
     * link); its lifetime ends at {@code lifetimeEnd} (epoch milliseconds, 0 for none); it holds {@code slot} of the
     * connection quotas (or none); its client address counts under {@code addressKey} (null where unknown).
     */
    synchronized void opened(long nanoTime, TransportLink link, long lifetimeEnd, ConnectionQuotas.Slot slot,
                             String addressKey) {
        this.openedAt = nanoTime;
        this.link = link;
        this.lifetimeEnd = lifetimeEnd;
        this.slot = slot;
        this.addressKey = addressKey;
    }

    /** What the client address counts under in per-address limits ({@code ClientAddress.key}), null where unknown. */
    synchronized String addressKey() {
        return addressKey;
    }

    synchronized ConnectionQuotas.Slot slot() {
        return slot;
    }

    /** When the session's maximum lifetime ends (epoch milliseconds), 0 for never. */
    synchronized long lifetimeEnd() {
        return lifetimeEnd;
    }

    /** The deadline fired (see {@code SessionGuard.arm}): the state is its own entry, no timer task per session. */
    @Override
    protected void due() {
        guard.deadline(session, this);
    }

    /** When the session opened ({@link System#nanoTime()}), 0 before; for the duration of its close event. */
    synchronized long openedAt() {
        return openedAt;
    }

    /** The session's connection, or null where the runtime gives no link to it. */
    synchronized TransportLink link() {
        return link;
    }

    /** True for the guard's first decision to close the session, so that one close is one event. */
    synchronized boolean closingByGuard() {
        if (closingByGuard) {
            return false;
        }
        closingByGuard = true;
        return true;
    }

    @Override
    public void refused(Rejection refusal, int closeCode) {
        guard.refusedByTransport(session, refusal, closeCode);
    }

    @Override
    public void close(Rejection reason, int closeCode, String phrase) {
        guard.closeFor(session, reason, closeCode, phrase);
    }

    @Override
    public void controlFrames(int count, long queuedBytes) {
        guard.controlFrames(session, this, count, queuedBytes);
    }

    synchronized RateLimiter limiter(Limit limit) {
        if (sessionLimiters == null) {
            // Made at the first message: an idle session holds none.
            sessionLimiters = new RateLimiter[limits];
        }
        RateLimiter limiter = sessionLimiters[limit.index];
        if (limiter == null) {
            limiter = limit.newLimiter();
            sessionLimiters[limit.index] = limiter;
        }
        return limiter;
    }

    /** Arms the session's deadline {@code delayMillis} from now; not once the session has been released. */
    synchronized void expiry(long delayMillis) {
        if (released) {
            // Armed again by a deadline that fired as the session closed: it must not hold the session until it fires.
            return;
        }
        Deadlines.arm(this, delayMillis);
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
        Deadlines.cancel(this);
    }

    /** Cancels every timer; the session is gone. */
    synchronized void release() {
        cancelExpiry();
        cancel(authDeadline);
        cancel(pings);
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

    /** Counts {@code count} rate-limit excesses; returns the count within the current window. */
    synchronized int excess(long now, long windowNanos, int count) {
        roll(now, windowNanos);
        excess += count;
        return excess;
    }

    private void roll(long now, long windowNanos) {
        if (now - windowStart > windowNanos) {
            windowStart = now;
            violations = 0;
            excess = 0;
        }
    }
}
