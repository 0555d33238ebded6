package dev.wsguard.internal.cluster;

import dev.wsguard.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lettuce, the JCache API, Hazelcast and Bucket4j are optional: in a class loader without them (and without Netty and
 * Reactor) the default store runs a whole handshake guard, and naming {@code redis} or {@code jcache} fails start-up
 * with a clear message naming the jars to add.
 */
class OptionalClientTest {

    private static final List<String> ABSENT = List.of("lettuce", "bucket4j", "netty", "reactor-core", "cache-api",
            "hazelcast");

    private static URLClassLoader withoutRedisClient() throws Exception {
        return without(ABSENT);
    }

    private static URLClassLoader without(List<String> absent) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (absent.stream().noneMatch(entry::contains)) {
                urls.add(new File(entry).toURI().toURL());
            }
        }
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    private static Object config(ClassLoader loader, Map<String, String> keys) throws Exception {
        keys.put("wsguard.origins.allowed", "https://app.example.com");
        keys.put("mp.jwt.verify.publickey", TestTokens.publicKeyPem(TestTokens.rsa2048()));
        keys.put("mp.jwt.verify.issuer", TestTokens.ISSUER);
        keys.put("mp.jwt.verify.audiences", TestTokens.AUDIENCE);
        Function<String, Optional<String>> lookup = k -> Optional.ofNullable(keys.get(k));
        return loader.loadClass("dev.wsguard.GuardConfig").getMethod("fromConfig", Function.class)
                .invoke(null, lookup);
    }

    @Test
    void guardWhenDefaultStoreAndNoRedisClientThenRuns() throws Exception {
        try (URLClassLoader loader = withoutRedisClient()) {
            assertThat(loader.getResource("io/lettuce/core/RedisClient.class")).as("really absent").isNull();
            Object config = config(loader, new HashMap<>());
            Class<?> guardType = loader.loadClass("dev.wsguard.internal.HandshakeGuard");
            try (AutoCloseable guard = (AutoCloseable) guardType.getConstructor(config.getClass())
                    .newInstance(config)) {
                assertThat(guard).isNotNull();
            }
        }
    }

    @Test
    void configWhenRedisNamedAndNoRedisClientThenStartUpFailsSayingWhatToAdd() throws Exception {
        try (URLClassLoader loader = withoutRedisClient()) {
            Map<String, String> keys = new HashMap<>();
            keys.put("wsguard.cluster.store", "redis");
            keys.put("wsguard.cluster.redis.uri", "redis://127.0.0.1:42999");
            assertThat(refusal(() -> config(loader, keys)))
                    .contains("wsguard.cluster.store=redis needs io.lettuce.core.RedisClient")
                    .contains("io.lettuce:lettuce-core").contains("com.bucket4j:bucket4j_jdk17-lettuce");
        }
    }

    @Test
    void configWhenJCacheNamedAndNoJCacheApiThenStartUpFailsSayingWhatToAdd() throws Exception {
        try (URLClassLoader loader = withoutRedisClient()) {
            assertThat(loader.getResource("javax/cache/Caching.class")).as("really absent").isNull();
            Map<String, String> keys = new HashMap<>();
            keys.put("wsguard.cluster.store", "jcache");
            assertThat(refusal(() -> config(loader, keys)))
                    .contains("wsguard.cluster.store=jcache needs javax.cache.Caching")
                    .contains("javax.cache:cache-api").contains("com.bucket4j:bucket4j_jdk17-jcache")
                    .contains("com.hazelcast:hazelcast");
        }
    }

    @Test
    void storeWhenJCacheApiPresentAndNoProviderThenStartUpFailsSayingWhatToAdd() throws Exception {
        try (URLClassLoader loader = without(List.of("hazelcast"))) {
            assertThat(loader.getResource("com/hazelcast/cache/HazelcastCachingProvider.class")).as("really absent")
                    .isNull();
            Map<String, String> keys = new HashMap<>();
            keys.put("wsguard.cluster.store", "jcache");
            Object config = config(loader, keys);
            Object setting = config.getClass().getMethod("cluster").invoke(config);
            Thread thread = Thread.currentThread();
            ClassLoader before = thread.getContextClassLoader();
            thread.setContextClassLoader(loader); // JCache finds providers through the context class loader
            try {
                assertThat(refusal(() -> loader.loadClass("dev.wsguard.internal.cluster.ClusterStores")
                        .getMethod("of", setting.getClass()).invoke(null, setting)))
                        .contains("wsguard.cluster.store=jcache needs a JCache provider on the class path")
                        .contains("com.hazelcast:hazelcast")
                        .contains("wsguard.cluster.jcache.provider=jndi:payara/CachingProvider");
            } finally {
                thread.setContextClassLoader(before);
            }
        }
    }

    /** The message of the {@code GuardConfigException} a reflective call into another class loader was refused with. */
    private static String refusal(java.util.concurrent.Callable<Object> call) throws Exception {
        try {
            call.call();
        } catch (InvocationTargetException e) {
            assertThat(e.getCause().getClass().getName()).isEqualTo("dev.wsguard.GuardConfigException");
            return e.getCause().getMessage();
        }
        throw new AssertionError("not refused");
    }
}
