package dev.wsguard.internal;

import dev.wsguard.Rejection;

import java.util.function.ObjIntConsumer;

/**
 * Ties a connection that the transport refuses below the WebSocket layer (an oversized or malformed frame, seen by
 * {@code GuardedServer}'s frame filter before Tyrus buffers it) to its guarded session, so that the refusal is a
 * security event like any other. The filter creates the link as it lets the 101 through; Tyrus opens the session on
 * the same thread right after, and the session's guard takes the link there. Thread-safe.
 */
public final class FrameRefusals {

    private static final ThreadLocal<FrameRefusals> UPGRADING = new ThreadLocal<>();

    private volatile ObjIntConsumer<Rejection> session;

    private FrameRefusals() {
    }

    /** A link for the connection being upgraded on this thread. */
    public static FrameRefusals upgrading() {
        FrameRefusals link = new FrameRefusals();
        UPGRADING.set(link);
        return link;
    }

    /** Called as a guarded session opens: it receives the refusals of the connection upgraded on this thread. */
    public static void opened(ObjIntConsumer<Rejection> onRefused) {
        FrameRefusals link = UPGRADING.get();
        if (link != null) {
            UPGRADING.remove();
            link.session = onRefused;
        }
    }

    /** The transport refused the connection with {@code closeCode} for {@code reason}. */
    public void refused(Rejection reason, int closeCode) {
        ObjIntConsumer<Rejection> target = session;
        if (target != null) {
            target.accept(reason, closeCode);
        }
    }
}
