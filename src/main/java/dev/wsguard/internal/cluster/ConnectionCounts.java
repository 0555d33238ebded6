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

    /** Gives back a place {@link #acquire} handed out, once. */
    void release(String endpoint, String key, Object handle);

    /** Keys with at least one place held by this process. */
    int trackedKeys();
}
