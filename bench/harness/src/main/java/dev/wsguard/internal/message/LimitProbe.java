package dev.wsguard.internal.message;

/** Reads what a {@link Limit} tracks, for the bench's state-memory run (the count is package-private). */
public final class LimitProbe {

    private LimitProbe() {
    }

    /** How many users or addresses {@code limit} holds a limiter for right now. */
    public static int trackedKeys(Limit limit) {
        return limit.trackedKeys();
    }
}
