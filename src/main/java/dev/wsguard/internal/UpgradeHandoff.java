package dev.wsguard.internal;

import dev.wsguard.internal.message.GuardContext;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Carries the verdict of the pre-upgrade Servlet filter to {@code modifyHandshake} of the same request. Both run on
 * the request's thread (Undertow and Tyrus-in-Servlet upgrade inside the filter chain), so a thread-local is the
 * carrier: a client cannot forge it, as it could a header or a parameter, and it is gone when the filter returns.
 */
public final class UpgradeHandoff {

    /**
     * One accepted handshake on its way to the configurator.
     *
     * @param endpointClass the endpoint the filter guarded; the configurator of another endpoint ignores it
     * @param accepted      the filter's verdict
     * @param context       the guard context of the filter's guard (shared with the sessions it opens)
     */
    public record Ticket(Class<?> endpointClass, HandshakeGuard.Accepted accepted, GuardContext context,
                         AtomicBoolean taken) {
        public Ticket(Class<?> endpointClass, HandshakeGuard.Accepted accepted, GuardContext context) {
            this(endpointClass, accepted, context, new AtomicBoolean());
        }

        /** Whether {@code modifyHandshake} took the verdict (and with it the quota slot). */
        public boolean wasTaken() {
            return taken.get();
        }
    }

    private static final ThreadLocal<Ticket> CURRENT = new ThreadLocal<>();

    private UpgradeHandoff() {
    }

    /** Called by the filter around the rest of the chain; {@link #clear()} must follow in a finally block. */
    public static void offer(Ticket ticket) {
        CURRENT.set(ticket);
    }

    public static void clear() {
        CURRENT.remove();
    }

    /**
     * The filter's verdict for {@code endpointClass} on this thread, at most once per request; null when no filter
     * ran (Tyrus standalone, or a path the filter did not cover), so the configurator checks on its own.
     */
    public static Ticket take(Class<?> endpointClass) {
        Ticket ticket = CURRENT.get();
        if (ticket == null || ticket.endpointClass() != endpointClass || !ticket.taken().compareAndSet(false, true)) {
            return null;
        }
        CURRENT.remove();
        return ticket;
    }
}
