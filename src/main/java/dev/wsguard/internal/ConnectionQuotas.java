package dev.wsguard.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections per client address, per user, per endpoint and in the whole process, and hands out a
 * {@link Slot} only while every count is under its quota. A slot is released exactly once, whatever the close path;
 * a refused attempt holds nothing, so refusals never shrink anyone's quota. Per-key counters disappear when they
 * reach zero, so the maps hold only keys with open connections. Thread-safe.
 */
public final class ConnectionQuotas {

    /** The session user-property key of the connection's slot. */
    public static final String SLOT = "dev.wsguard.slot";

    /** Open guarded connections in this process, across every endpoint. */
    private static final AtomicInteger TOTAL = new AtomicInteger();

    private final int perAddress;
    private final int perUser;
    private final int perEndpoint;
    private final int total;
    private final ConcurrentHashMap<String, Integer> byAddress = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> byUser = new ConcurrentHashMap<>();
    private final AtomicInteger endpoint = new AtomicInteger();

    public ConnectionQuotas(int perAddress, int perUser, int perEndpoint, int total) {
        this.perAddress = perAddress;
        this.perUser = perUser;
        this.perEndpoint = perEndpoint;
        this.total = total;
    }

    /** One held place in every count; {@link #release()} gives it back, once. */
    public final class Slot {
        private final String address;
        private String user;
        private boolean released;

        private Slot(String address, String user) {
            this.address = address;
            this.user = user;
        }

        /**
         * Counts a slot taken before its user was known (first-message authentication) against {@code user}'s
         * quota; false, with nothing changed, when that quota is full or the slot already has a user.
         */
        public synchronized boolean bindUser(String user) {
            if (released || this.user != null || !increment(byUser, user, perUser)) {
                return false;
            }
            this.user = user;
            return true;
        }

        public synchronized void release() {
            if (!released) {
                released = true;
                giveBack(address, user, true, true);
            }
        }
    }

    /**
     * @param user the verified subject, or null while it is unknown (then only {@link Slot#bindUser} counts it)
     * @return a slot, or null when any quota is full (nothing is held then)
     */
    public Slot acquire(String address, String user) {
        if (endpoint.incrementAndGet() > perEndpoint) {
            giveBack(null, null, true, false);
            return null;
        }
        if (TOTAL.incrementAndGet() > total) {
            giveBack(null, null, true, true);
            return null;
        }
        if (address != null && !increment(byAddress, address, perAddress)) {
            giveBack(null, null, true, true);
            return null;
        }
        if (user != null && !increment(byUser, user, perUser)) {
            giveBack(address, null, true, true);
            return null;
        }
        return new Slot(address, user);
    }

    private void giveBack(String address, String user, boolean fromEndpoint, boolean fromTotal) {
        if (fromEndpoint) {
            endpoint.decrementAndGet();
        }
        if (fromTotal) {
            TOTAL.decrementAndGet();
        }
        if (address != null) {
            byAddress.computeIfPresent(address, (k, n) -> n <= 1 ? null : n - 1);
        }
        if (user != null) {
            byUser.computeIfPresent(user, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    private static boolean increment(ConcurrentHashMap<String, Integer> counts, String key, int max) {
        boolean[] ok = {false};
        counts.compute(key, (k, n) -> {
            int current = n == null ? 0 : n;
            if (current >= max) {
                return n;
            }
            ok[0] = true;
            return current + 1;
        });
        return ok[0];
    }

    /** Open connections counted for this endpoint. */
    public int open() {
        return endpoint.get();
    }

    /** Addresses and users with at least one open connection: the maps' sizes. */
    public int trackedKeys() {
        return byAddress.size() + byUser.size();
    }
}
