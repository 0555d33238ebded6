package dev.wsguard.internal.message;

import dev.wsguard.Rejection;
import dev.wsguard.internal.ConnectionQuotas;
import dev.wsguard.internal.Deadlines;
import dev.wsguard.internal.TransportLink;
import io.github.resilience4j.ratelimiter.RateLimiter;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.Future;

/**
 * The guard's state for one session: the guard that opened it, when, its per-session limiters, its violation
 * counters, its timers, its outbound queue account and the link to its connection. Created when the session opens,
 * stored in the session's user properties under one key (every open session holds one: it is kept to a few fields,
 * and hears from the transport itself rather than through a callback object; on a standard endpoint it is also the
 * session's binary handler), gone with the session. Thread-safe.
 */
final class SessionState extends Deadlines.Entry
        implements TransportLink.Listener, MessageHandler.Partial<ByteBuffer> {

    static final String KEY = "dev.wsguard.session-state";

    private static final int CLOSING_BY_GUARD = 1;
    private static final int AUTHENTICATED = 2;
    /** Every later outbound reservation fails. */
    private static final int SHED = 4;
    private static final int RELEASED = 8;
    /** A reservation passed the bound and nobody has closed the session for it yet. */
    private static final int OVERFLOWED = 16;

    /** Made at the first message: an idle session holds none. */
    private static final class Activity {
        /** By {@link Limit#index}, grown to the highest index used. */
        RateLimiter[] limiters = new RateLimiter[0];
        long windowStart;
        int violations;
        int excess;
    }

    /** What a session that has sent messages needs (its limiters, its violation window); null while idle. */
    private Activity activity;
    private final SessionGuard guard;
    private final Session session;
    private long openedAt;
    private TransportLink link;
    /**
     * The connection-quota slot the session holds, or where it holds none its address key (a {@code String}): one
     * field, as a slot knows the address key it was taken for.
     */
    private Object slotOrAddressKey;
    private Future<?> authDeadline;
    private Future<?> pings;
    private long queuedBytes;
    private int queuedMessages;
    /** {@link #CLOSING_BY_GUARD}, {@link #AUTHENTICATED}, ...: one byte, as every open session holds its state. */
    private byte flags;
    private volatile long lastHeard;
    /** What the standard-endpoint adapter keeps for the session (its user instance); a field, not a user property. */
    private volatile Object adapted;

    /** What the guard's configuration fixes (the outbound bounds, the lifetime) is read from the guard. */
    SessionState(SessionGuard guard, Session session) {
        this.guard = guard;
        this.session = session;
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

    /** A part of a binary message, for the standard-endpoint adapter that made this state the session's handler. */
    @Override
    public void onMessage(ByteBuffer part, boolean last) {
        AnnotatedEndpointAdapter.binaryPart(session, adapted, part, last);
    }

    /**
     * The session opened at {@code nanoTime} on the connection {@code link} reaches (null where the runtime gives no
     * link); it holds {@code slot} of the connection quotas (or none); its client address counts under
     * {@code addressKey} (null where unknown), the key a slot was taken for.
     */
    synchronized void opened(long nanoTime, TransportLink link, ConnectionQuotas.Slot slot, String addressKey) {
        this.openedAt = nanoTime;
        this.link = link;
        this.slotOrAddressKey = slot != null ? slot : addressKey;
    }

    /** What the client address counts under in per-address limits ({@code ClientAddress.key}), null where unknown. */
    synchronized String addressKey() {
        return slotOrAddressKey instanceof ConnectionQuotas.Slot slot ? slot.address() : (String) slotOrAddressKey;
    }

    synchronized ConnectionQuotas.Slot slot() {
        return slotOrAddressKey instanceof ConnectionQuotas.Slot slot ? slot : null;
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
        if (is(CLOSING_BY_GUARD)) {
            return false;
        }
        set(CLOSING_BY_GUARD);
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
        Activity active = activity();
        if (limit.index >= active.limiters.length) {
            active.limiters = Arrays.copyOf(active.limiters, limit.index + 1);
        }
        RateLimiter[] sessionLimiters = active.limiters;
        RateLimiter limiter = sessionLimiters[limit.index];
        if (limiter == null) {
            limiter = limit.newLimiter();
            sessionLimiters[limit.index] = limiter;
        }
        return limiter;
    }

    /** Arms the session's deadline {@code delayMillis} from now; not once the session has been released. */
    synchronized void expiry(long delayMillis) {
        if (is(RELEASED)) {
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
        return is(AUTHENTICATED);
    }

    /** Marks the session authenticated and stops its authentication deadline; false if it already was. */
    synchronized boolean authenticate() {
        if (is(AUTHENTICATED)) {
            return false;
        }
        set(AUTHENTICATED);
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
        set(SHED | RELEASED);
    }

    /** Whether the session has closed (its close has been handled). */
    synchronized boolean released() {
        return is(RELEASED);
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
        if (is(SHED)) {
            return false;
        }
        if (queuedBytes + bytes > guard.outboundMaxBytes() || queuedMessages + 1 > guard.outboundMaxMessages()) {
            set(SHED | OVERFLOWED);
            return false;
        }
        queuedBytes += bytes;
        queuedMessages++;
        return true;
    }

    /** True exactly once after a reservation passed the bound: the caller that sees it closes the session. */
    synchronized boolean shedNow() {
        boolean now = is(OVERFLOWED);
        flags &= ~OVERFLOWED;
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
        return ++roll(now, windowNanos).violations;
    }

    /** Counts {@code count} rate-limit excesses; returns the count within the current window. */
    synchronized int excess(long now, long windowNanos, int count) {
        Activity window = roll(now, windowNanos);
        window.excess += count;
        return window.excess;
    }

    private Activity roll(long now, long windowNanos) {
        Activity window = activity();
        if (now - window.windowStart > windowNanos) {
            window.windowStart = now;
            window.violations = 0;
            window.excess = 0;
        }
        return window;
    }

    private Activity activity() {
        if (activity == null) {
            activity = new Activity();
        }
        return activity;
    }

    private boolean is(int flag) {
        return (flags & flag) != 0;
    }

    private void set(int flag) {
        flags |= (byte) flag;
    }
}
