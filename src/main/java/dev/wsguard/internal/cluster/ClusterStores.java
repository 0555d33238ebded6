package dev.wsguard.internal.cluster;

import dev.wsguard.GuardConfig;
import dev.wsguard.GuardConfigException;

import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stores of this process, one per distinct setting, shared by every guard that names it. The Redis and JCache
 * stores are loaded by name, only when a setting asks for one, so that the library runs without Lettuce or the JCache
 * API on the class path.
 */
public final class ClusterStores {

    private static final ConcurrentHashMap<GuardConfig.ClusterSetting, ClusterStore> SHARED =
            new ConcurrentHashMap<>();

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
            ClusterNotices.outlet(store::publish);
            return store;
        });
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
