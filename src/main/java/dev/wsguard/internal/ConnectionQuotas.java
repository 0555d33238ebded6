package dev.wsguard.internal;

import dev.wsguard.internal.cluster.ClusterStore;
import dev.wsguard.internal.cluster.ConnectionCounts;
import dev.wsguard.internal.cluster.LocalStore;
import dev.wsguard.internal.cluster.StoreUnavailableException;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections per client address, per user, per endpoint and in the whole process, and hands out a
 * {@link Slot} only while every count is under its quota. A slot is released exactly once, whatever the close path;
 * a refused attempt holds nothing, so refusals never shrink anyone's quota. Per-key counters disappear when they
 * reach zero, so the maps hold only keys with open connections. The per-address and per-user counts live in the
 * cluster store ({@link ClusterStore#counts}): in this process by default, shared by every node with Redis; the
 * per-endpoint and total counts are always this process's own. Thread-safe.
 */
public final class ConnectionQuotas {

    /** The session user-property key of the connection's slot. */
    public static final String SLOT = "dev.wsguard.slot";
    /** What a released slot's address handle is. */
    private static final Object RELEASED = new Object();

    /** Open guarded connections in this process, across every endpoint. */
    private static final AtomicInteger TOTAL = new AtomicInteger();

    private final int perAddress;
    private final int perUser;
    private final int perEndpoint;
    private final int total;
    private final ConnectionCounts byAddress;
    private final ConnectionCounts byUser;
    private final AtomicInteger endpoint = new AtomicInteger();
    private volatile String path = "";

    public ConnectionQuotas(int perAddress, int perUser, int perEndpoint, int total) {
        this(perAddress, perUser, perEndpoint, total, LocalStore.INSTANCE);
    }

    /** @param store where the per-address and per-user counts live */
    public ConnectionQuotas(int perAddress, int perUser, int perEndpoint, int total, ClusterStore store) {
        this.perAddress = perAddress;
        this.perUser = perUser;
        this.perEndpoint = perEndpoint;
        this.total = total;
        this.byAddress = store.counts(ClusterStore.Scope.ADDRESS);
        this.byUser = store.counts(ClusterStore.Scope.USER);
    }

    /** The endpoint's path template, which names its counts in a shared store. */
    void endpoint(String template) {
        if (template != null && !template.equals(path)) {
            this.path = template;
        }
    }

    /**
     * One held place in every count; {@link #release()} gives it back, once. Every open connection holds one: no
     * flag of its own for the release, {@code addressHandle} becomes {@link #RELEASED}.
     */
    public final class Slot {
        private final String address;
        private Object addressHandle;
        private String user;
        private Object userHandle;

        private Slot(String address, Object addressHandle, String user, Object userHandle) {
            this.address = address;
            this.addressHandle = addressHandle;
            this.user = user;
            this.userHandle = userHandle;
        }

        /** The address key the slot counts under, null where the address was unknown. */
        public String address() {
            return address;
        }

        /**
         * Counts a slot taken before its user was known (first-message authentication) against {@code user}'s
         * quota; false, with nothing changed, when that quota is full or the slot already has a user.
         */
        public synchronized boolean bindUser(String user) {
            if (addressHandle == RELEASED || this.user != null) {
                return false;
            }
            Object handle = byUser.acquire(path, user, perUser);
            if (handle == null) {
                return false;
            }
            this.user = user;
            this.userHandle = handle;
            return true;
        }

        public synchronized void release() {
            Object handle = addressHandle;
            if (handle != RELEASED) {
                addressHandle = RELEASED;
                giveBack(address, handle, user, userHandle, true, true);
            }
        }
    }

    /**
     * @param user the verified subject, or null while it is unknown (then only {@link Slot#bindUser} counts it)
     * @return a slot, or null when any quota is full (nothing is held then)
     * @throws StoreUnavailableException when the shared store is unreachable and the policy is to fail closed
     *                                   (nothing is held then either)
     */
    public Slot acquire(String address, String user) {
        if (endpoint.incrementAndGet() > perEndpoint) {
            giveBack(null, null, null, null, true, false);
            return null;
        }
        if (TOTAL.incrementAndGet() > total) {
            giveBack(null, null, null, null, true, true);
            return null;
        }
        Object addressHandle = null;
        try {
            if (address != null && user != null) {
                // One request to a shared store for both counts, both taken or neither.
                Object[] both = byAddress.acquireBoth(path, address, perAddress, byUser, user, perUser);
                if (both == null) {
                    giveBack(null, null, null, null, true, true);
                    return null;
                }
                return new Slot(address, both[0], user, both[1]);
            }
            if (address != null && (addressHandle = byAddress.acquire(path, address, perAddress)) == null) {
                giveBack(null, null, null, null, true, true);
                return null;
            }
            Object userHandle = null;
            if (user != null && (userHandle = byUser.acquire(path, user, perUser)) == null) {
                giveBack(address, addressHandle, null, null, true, true);
                return null;
            }
            return new Slot(address, addressHandle, user, userHandle);
        } catch (StoreUnavailableException e) {
            giveBack(address, addressHandle, null, null, true, true);
            throw e;
        }
    }

    private void giveBack(String address, Object addressHandle, String user, Object userHandle,
                          boolean fromEndpoint, boolean fromTotal) {
        if (fromEndpoint) {
            endpoint.decrementAndGet();
        }
        if (fromTotal) {
            TOTAL.decrementAndGet();
        }
        if (addressHandle != null) {
            byAddress.release(path, address, addressHandle);
        }
        if (userHandle != null) {
            byUser.release(path, user, userHandle);
        }
    }

    /** Open connections counted for this endpoint. */
    public int open() {
        return endpoint.get();
    }

    /** Addresses and users with at least one open connection: the maps' sizes. */
    public int trackedKeys() {
        return byAddress.trackedKeys() + byUser.trackedKeys();
    }
}
