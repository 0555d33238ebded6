package dev.wsguard;

import dev.wsguard.internal.message.SessionGuard;
import jakarta.websocket.Session;

/**
 * Sends to a guarded session without letting a slow reader grow the server's memory.
 *
 * <p>{@code session.getAsyncRemote().sendText(...)} never blocks, and never refuses: for a client that reads slowly
 * or not at all, every message sent to it waits in the server's write queue, so one broadcast to many such clients
 * can exhaust the heap. {@link #send} counts what is queued for each session and not yet written to its socket
 * (bytes and messages, released when the container reports the write done). A send that would pass
 * {@code wsguard.outbound.max-bytes} (default 256 KiB) or {@code wsguard.outbound.max-messages} (default 1024)
 * queues nothing, closes the session with {@code 1013 "try again later"} (event {@code SESSION_CLOSED} /
 * {@code OUTBOUND_OVERFLOW}) and, on {@link dev.wsguard.tyrus.GuardedServer}, drops the connection at once, which
 * frees what was queued. Code 1013 rather than 1008: the client broke no rule; the server sheds a client it cannot
 * serve, and the client may reconnect and catch up.
 *
 * <p>Set {@code max-bytes} above your largest message, or that message closes every session it is sent to. The
 * guard's own answers (handler replies, error frames) go through the same account. Never blocks; thread-safe.
 */
public final class Outbound {

    private Outbound() {
    }

    /**
     * Queues {@code text} for {@code session} within its bound.
     *
     * @return true when queued; false when the session is closed or this send passed the bound (the session is then
     *         closed with 1013)
     * @throws IllegalStateException when the session is not a session of a guarded endpoint
     */
    public static boolean send(Session session, String text) {
        return SessionGuard.send(session, text);
    }
}
