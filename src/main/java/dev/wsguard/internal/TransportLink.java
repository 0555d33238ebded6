package dev.wsguard.internal;

import dev.wsguard.Rejection;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The connection under a guarded session, where the runtime lets wsguard reach it ({@code GuardedServer}'s Grizzly
 * listener; on Payara the Servlet connection under Tyrus's upgrade handler; on WildFly a session has none). It goes both ways: the guard drops the connection, and learns
 * when it is gone; the transport tells the guard what it saw below the WebSocket layer (a refused frame, control
 * frames that count towards the session's flood limit).
 *
 * <p>The transport creates the link as it lets the 101 through, on the thread that runs the upgrade; the runtime
 * opens the session on that thread right after, and the session's guard takes the link there ({@link #take()}).
 * Thread-safe.
 */
public class TransportLink {

    /**
     * How long a connection may stay once its session has closed: time for the client to read the close frame and
     * answer it. Dropping earlier would let a TCP reset overtake the close frame (the client would see 1006).
     */
    public static final long CLOSE_GRACE_MILLIS = 1_000;

    /** What the runtime can do to the connection. */
    public interface Wire {
        /** Drops the connection at once, with whatever is still queued for it. */
        void drop();

        /**
         * Drops the connection once {@link TransportLink#CLOSE_GRACE_MILLIS} have passed, unless it is gone by then (closed by
         * either side).
         */
        void dropAfterGrace();

        /** Runs {@code action} once, when the connection is gone (at once if it already is). */
        void whenGone(Runnable action);

        /** Bytes written to the connection and not yet handed to the socket. */
        long queuedBytes();

        /**
         * Whether {@link #whenGone} hears of a client that leaves without a close frame. Where it does not (Payara),
         * the session's guard probes the session with a ping to find such clients.
         */
        default boolean noticesClientLeaving() {
            return true;
        }
    }

    /** What the guarded session hears from the transport. */
    public interface Listener {
        /** The transport refused the connection with {@code closeCode} for {@code reason} and is closing it. */
        void refused(Rejection reason, int closeCode);

        /**
         * The transport refused a frame but cannot answer it itself: the session is closed for {@code reason} with
         * {@code closeCode} and {@code phrase}.
         */
        void close(Rejection reason, int closeCode, String phrase);

        /** The client sent {@code count} control frames (pings or pongs); {@code queuedBytes} wait to be sent. */
        void controlFrames(int count, long queuedBytes);
    }

    private static final ThreadLocal<TransportLink> UPGRADING = new ThreadLocal<>();

    private final Wire wire;
    private volatile Listener listener;

    private TransportLink(Wire wire) {
        this.wire = wire;
    }

    /**
     * For a transport's wire that is its own link: one object per connection instead of two. The subclass must
     * implement {@link Wire}.
     */
    protected TransportLink() {
        if (!(this instanceof Wire self)) {
            throw new IllegalStateException(getClass().getName() + " must implement TransportLink.Wire");
        }
        this.wire = self;
    }

    /** {@code action} made to run at most once, for a {@link Wire#whenGone} that may be told twice. */
    public static Runnable once(Runnable action) {
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                action.run();
            }
        };
    }

    /** A link to the connection being upgraded on this thread. */
    public static TransportLink upgrading(Wire wire) {
        return new TransportLink(wire).upgrading();
    }

    /** Publishes this link (a wire that is its own link) for the connection being upgraded on this thread. */
    public TransportLink upgrading() {
        UPGRADING.set(this);
        return this;
    }

    /** Forgets the link published on this thread, if any: the thread goes on to another connection. */
    public static void clear() {
        UPGRADING.remove();
    }

    /** Takes the link of the connection upgraded on this thread, or null where the runtime gives none. */
    public static TransportLink take() {
        TransportLink link = UPGRADING.get();
        UPGRADING.remove();
        return link;
    }

    public Wire wire() {
        return wire;
    }

    /** The session opened on this connection: it hears from the transport from now on. */
    public void listen(Listener session) {
        this.listener = session;
    }

    public void refused(Rejection reason, int closeCode) {
        Listener target = listener;
        if (target != null) {
            target.refused(reason, closeCode);
        }
    }

    /**
     * Closes the session for a frame the transport refused with {@code verdict} (a {@link FrameSizeTracker} close
     * code), through the runtime's own close: the transport cannot write to it.
     */
    public void refuse(int verdict) {
        Listener target = listener;
        if (target != null) {
            target.close(FrameSizeTracker.rejection(verdict), verdict, FrameSizeTracker.phrase(verdict));
        }
    }

    public void controlFrames(int count) {
        Listener target = listener;
        if (target != null) {
            target.controlFrames(count, wire.queuedBytes());
        }
    }
}
