package dev.wsguard.internal.cluster;

import dev.wsguard.GuardConfig;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The store of a single node: counts in this process's maps, bans in the local table of {@code Bans} only, rate
 * limits in their own limiters, nothing published. The default; it adds nothing to the message path.
 */
public final class LocalStore implements ClusterStore {

    public static final LocalStore INSTANCE = new LocalStore();

    private LocalStore() {
    }

    @Override
    public ConnectionCounts counts(Scope scope) {
        return new Counts();
    }

    @Override
    public void ban(Scope scope, String key, Duration duration) {
    }

    @Override
    public long banSecondsLeft(Scope scope, String key) {
        return 0;
    }

    @Override
    public void publish(Notice notice) {
    }

    @Override
    public SharedLimiter limiter(String name, GuardConfig.RateLimitSetting setting) {
        return null;
    }

    @Override
    public Runnable onAvailability(Consumer<Boolean> listener) {
        return () -> { };
    }

    /**
     * Per-key counts in one map; a key disappears when its count reaches zero, so the map holds only keys with open
     * connections. The handle is the map itself: nothing is allocated per connection.
     */
    static final class Counts implements ConnectionCounts {
        private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

        @Override
        public Object acquire(String endpoint, String key, int max) {
            boolean[] ok = {false};
            counts.compute(key, (k, n) -> {
                int current = n == null ? 0 : n;
                if (current >= max) {
                    return n;
                }
                ok[0] = true;
                return current + 1;
            });
            return ok[0] ? this : null;
        }

        @Override
        public void release(String endpoint, String key, Object handle) {
            counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
        }

        @Override
        public int trackedKeys() {
            return counts.size();
        }
    }
}
