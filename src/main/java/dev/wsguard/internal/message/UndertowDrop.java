package dev.wsguard.internal.message;

import dev.wsguard.internal.Timers;
import dev.wsguard.internal.TransportLink;
import jakarta.websocket.Session;

/**
 * Drops the connection of a session the guard gave up on, on WildFly, where wsguard has no link to the connection:
 * Undertow's session offers {@code forceClose()}, which closes the channel with whatever is still queued for it.
 * After a close for a client that does not read, Undertow usually shuts its end within seconds, but not always (in
 * the contract suite on WildFly 38 it was sometimes still established 15 s later). Called once the close frame
 * has had {@link TransportLink#CLOSE_GRACE_MILLIS} to leave, as on {@code GuardedServer}. Other runtimes' sessions
 * are left alone (on Payara the session's {@link TransportLink} drops the connection).
 */
final class UndertowDrop {

    private static final String UNDERTOW_SESSION = "io.undertow.websockets.jsr.UndertowSession";
    private static final System.Logger LOG = System.getLogger("dev.wsguard");

    private UndertowDrop() {
    }

    /** Whether {@code session} is Undertow's (WildFly). */
    static boolean isUndertow(Session session) {
        return session.getClass().getName().equals(UNDERTOW_SESSION);
    }

    static void dropAfterGrace(Session session) {
        if (!isUndertow(session)) {
            return;
        }
        Timers.schedule(() -> {
            try {
                session.getClass().getMethod("forceClose").invoke(session);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "cannot force Undertow's session closed: " + e);
            }
        }, TransportLink.CLOSE_GRACE_MILLIS);
    }
}
