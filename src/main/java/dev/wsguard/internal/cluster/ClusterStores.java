package dev.wsguard.internal.cluster;

import dev.wsguard.GuardConfig;
import dev.wsguard.GuardConfigException;

import java.lang.reflect.InvocationTargetException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The stores of this process, one per distinct setting, shared by every guard that names it. The Redis and JCache
 * stores are loaded by name, only when a setting asks for one, so that the library runs without Lettuce or the JCache
 * API on the class path.
 */
public final class ClusterStores {

    private static final ConcurrentHashMap<GuardConfig.ClusterSetting, ClusterStore> SHARED =
            new ConcurrentHashMap<>();
    /** How many guards hold each shared store, and the outlet each store's notices go out by; guarded by the class. */
    private static final Map<GuardConfig.ClusterSetting, Integer> HOLDERS = new HashMap<>();
    private static final Map<ClusterStore, Consumer<Notice>> OUTLETS = new HashMap<>();

    private ClusterStores() {
    }

    /**
     * The store of {@code setting}, created on first use.
     *
     * @throws GuardConfigException when the shared store cannot be created (its client is missing, the server
     *                              refuses the first connection)
     */
    public static ClusterStore of(GuardConfig.ClusterSetting setting) {
        if (setting.store() == GuardConfig.ClusterSetting.Store.LOCAL) {
            return LocalStore.INSTANCE;
        }
        return SHARED.computeIfAbsent(setting, s -> {
            ClusterStore store = load(s);
            Consumer<Notice> outlet = store::publish;
            synchronized (ClusterStores.class) {
                OUTLETS.put(store, outlet);
            }
            ClusterNotices.outlet(outlet);
            return store;
        });
    }

    /**
     * The store of {@code setting} for a guard that gives it back with {@link #release} when it closes: the last
     * guard to let go closes it, so that an undeployed application leaves no thread of the store behind.
     */
    public static ClusterStore acquire(GuardConfig.ClusterSetting setting) {
        ClusterStore store = of(setting);
        if (store != LocalStore.INSTANCE) {
            synchronized (ClusterStores.class) {
                HOLDERS.merge(setting, 1, Integer::sum);
            }
        }
        return store;
    }

    /** A guard that {@link #acquire acquired} the store of {@code setting} no longer uses it. */
    public static void release(GuardConfig.ClusterSetting setting) {
        ClusterStore closing = null;
        Consumer<Notice> outlet = null;
        synchronized (ClusterStores.class) {
            if (HOLDERS.containsKey(setting)
                    && HOLDERS.computeIfPresent(setting, (s, n) -> n == 1 ? null : n - 1) == null) {
                closing = SHARED.remove(setting);
                outlet = closing == null ? null : OUTLETS.remove(closing);
            }
        }
        if (closing != null) {
            if (outlet != null) {
                ClusterNotices.removeOutlet(outlet);
            }
            closing.close();
        }
    }

    private static ClusterStore load(GuardConfig.ClusterSetting setting) {
        boolean redis = setting.store() == GuardConfig.ClusterSetting.Store.REDIS;
        String type = redis ? "dev.wsguard.internal.cluster.RedisStore" : "dev.wsguard.internal.cluster.JCacheStore";
        String name = redis ? "redis" : "jcache";
        try {
            return (ClusterStore) Class.forName(type).getConstructor(GuardConfig.ClusterSetting.class)
                    .newInstance(setting);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof GuardConfigException refused) {
                throw refused;
            }
            throw new GuardConfigException("wsguard.cluster.store=" + name + ": cannot start the store"
                    + (redis ? " at " + setting.redisUri() : "") + ": " + cause);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new GuardConfigException("wsguard.cluster.store=" + name + " needs " + (redis
                    ? "io.lettuce:lettuce-core and com.bucket4j:bucket4j_jdk17-lettuce"
                    : "javax.cache:cache-api and com.bucket4j:bucket4j_jdk17-jcache") + " on the class path (" + e
                    + ")");
        }
    }
}
