package dev.wsguard.internal.jwt;

/**
 * When a key set fetch may start: never while one is running, and at most {@value #STARTS_PER_WINDOW} starts in a
 * window of {@code windowMillis} that opens at the first start after the previous window ended. Two, so that the
 * first fetch (or a periodic refresh) can be followed at once by one refresh for a key rotated in just after it,
 * while a flood of tokens naming unknown {@code kid}s still costs the key server at most two requests per window.
 *
 * <p>Pure logic over times in milliseconds from any monotonic source. Not thread-safe: its one user
 * ({@link RemoteKeySet}) calls it under a lock.
 */
final class FetchGate {

    static final int STARTS_PER_WINDOW = 2;

    private final long windowMillis;
    private boolean running;
    private boolean windowOpen;
    private long windowStart;
    private int starts;

    /** @param windowMillis length of a window, positive */
    FetchGate(long windowMillis) {
        if (windowMillis < 1) {
            throw new IllegalArgumentException("window must be positive");
        }
        this.windowMillis = windowMillis;
    }

    /**
     * @param now the current time
     * @return whether a fetch may start now; if so it counts as started and running until {@link #finished()}
     */
    boolean tryStart(long now) {
        if (running) {
            return false;
        }
        if (!windowOpen || now - windowStart >= windowMillis) {
            windowOpen = true;
            windowStart = now;
            starts = 0;
        }
        if (starts >= STARTS_PER_WINDOW) {
            return false;
        }
        starts++;
        running = true;
        return true;
    }

    /** The fetch started last has ended, with or without keys. */
    void finished() {
        running = false;
    }
}
