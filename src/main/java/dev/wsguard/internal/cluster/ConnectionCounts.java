package dev.wsguard.internal.cluster;

/**
 * Open connections per key (a user or an address key) of one guard: {@link #acquire} takes a place while the key's
 * count is under its maximum and {@link #release} gives it back. Thread-safe.
 */
public interface ConnectionCounts {

    /**
     * @param endpoint the endpoint's path template, naming the count where it is shared
     * @return a handle to give back to {@link #release}, or null when the key's count is at {@code max}
     * @throws StoreUnavailableException when the shared store is unreachable and the policy is to fail closed
     */
    Object acquire(String endpoint, String key, int max);

    /**
     * Takes a place for {@code key} here and one for {@code otherKey} in {@code other} (a table of the same store),
     * both or neither. A shared store takes both in one request; this default takes them one after the other and
     * gives the first back when the second cannot be had.
     *
     * @return the handles of both places, this table's first; null when either count is at its maximum (nothing is
     * held then)
     * @throws StoreUnavailableException as {@link #acquire} (nothing is held then either)
     */
    default Object[] acquireBoth(String endpoint, String key, int max, ConnectionCounts other, String otherKey,
                                 int otherMax) {
        Object handle = acquire(endpoint, key, max);
        if (handle == null) {
            return null;
        }
        Object otherHandle;
        try {
            otherHandle = other.acquire(endpoint, otherKey, otherMax);
        } catch (RuntimeException e) {
            release(endpoint, key, handle);
            throw e;
        }
        if (otherHandle == null) {
            release(endpoint, key, handle);
            return null;
        }
        return new Object[] {handle, otherHandle};
    }

    /** Gives back a place {@link #acquire} handed out, once. */
    void release(String endpoint, String key, Object handle);

    /** Keys with at least one place held by this process. */
    int trackedKeys();
}
