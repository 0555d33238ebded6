package dev.wsguard.internal;

/**
 * Hands the session being opened a way to cut its connection: a runtime that can (the Grizzly listener of
 * {@code GuardedServer}) publishes an abort action for the connection whose upgrade the current thread is running, and
 * the guard takes it in {@code @OnOpen}, which runs on that thread. Closing a session only queues a close frame behind
 * whatever is already queued; a client that reads nothing never receives it, so shedding such a client needs the
 * connection itself dropped. Thread-safe.
 */
public final class Transports {

    private static final ThreadLocal<Runnable> UPGRADING = new ThreadLocal<>();

    private Transports() {
    }

    /** The runtime is about to run the upgrade of a connection that {@code abort} drops; null clears it. */
    public static void upgrading(Runnable abort) {
        if (abort == null) {
            UPGRADING.remove();
        } else {
            UPGRADING.set(abort);
        }
    }

    /** Takes the abort action published for this thread's upgrade, or null; the thread keeps no reference. */
    public static Runnable take() {
        Runnable abort = UPGRADING.get();
        UPGRADING.remove();
        return abort;
    }
}
