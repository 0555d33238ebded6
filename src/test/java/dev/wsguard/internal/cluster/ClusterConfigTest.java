package dev.wsguard.internal.cluster;

import dev.wsguard.GuardConfig;
import dev.wsguard.GuardConfigException;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code wsguard.cluster.*}: secure defaults, and every mistake refused at start-up rather than ignored. */
class ClusterConfigTest {

    private static Map<String, String> complete() {
        Map<String, String> m = new HashMap<>();
        m.put("wsguard.origins.allowed", "https://app.example.com");
        m.put("mp.jwt.verify.publickey", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----");
        m.put("mp.jwt.verify.issuer", "https://issuer.test");
        m.put("mp.jwt.verify.audiences", "chat");
        return m;
    }

    private static GuardConfig from(Map<String, String> m) {
        return GuardConfig.fromConfig(k -> Optional.ofNullable(m.get(k)));
    }

    @Test
    void fromConfigWhenNothingSetThenInProcessAndFailClosed() {
        GuardConfig.ClusterSetting cluster = from(complete()).cluster();
        assertThat(cluster).isEqualTo(GuardConfig.ClusterSetting.IN_PROCESS);
        assertThat(cluster.store()).isEqualTo(GuardConfig.ClusterSetting.Store.LOCAL);
        assertThat(cluster.onStoreFailure()).isEqualTo(GuardConfig.ClusterSetting.OnStoreFailure.FAIL_CLOSED);
        assertThat(cluster.lease()).isEqualTo(Duration.ofSeconds(15));
        assertThat(ClusterStores.of(cluster)).isSameAs(LocalStore.INSTANCE);
    }

    @Test
    void fromConfigWhenRedisConfiguredThenRead() {
        Map<String, String> m = complete();
        m.put("wsguard.cluster.store", "Redis");
        m.put("wsguard.cluster.redis.uri", "redis://127.0.0.1:42999");
        m.put("wsguard.cluster.lease", "PT5S");
        m.put("wsguard.cluster.on-store-failure", "local");
        m.put("wsguard.cluster.timeout", "PT0.2S");
        m.put("wsguard.cluster.batch-percent", "25");
        assertThat(from(m).cluster()).isEqualTo(new GuardConfig.ClusterSetting(GuardConfig.ClusterSetting.Store.REDIS,
                "redis://127.0.0.1:42999", Duration.ofSeconds(5), GuardConfig.ClusterSetting.OnStoreFailure.LOCAL,
                Duration.ofMillis(200), 25));
    }

    @Test
    void fromConfigWhenValueUnknownOrIncompleteThenRefusedNamingTheKey() {
        String[][] bad = {
                {"wsguard.cluster.store", "hazelcast", "wsguard.cluster.store must be local or redis"},
                {"wsguard.cluster.store", "redis", "needs wsguard.cluster.redis.uri"},
                {"wsguard.cluster.on-store-failure", "open", "wsguard.cluster.on-store-failure must be"},
                {"wsguard.cluster.lease", "PT1S", "wsguard.cluster.lease must be at least PT3S"},
                {"wsguard.cluster.timeout", "PT0S", "wsguard.cluster.timeout"},
                {"wsguard.cluster.batch-percent", "0", "wsguard.cluster.batch-percent must be 1 to 100"},
                {"wsguard.cluster.batch-percent", "101", "wsguard.cluster.batch-percent must be 1 to 100"},
        };
        for (String[] entry : bad) {
            Map<String, String> m = complete();
            m.put(entry[0], entry[1]);
            assertThatThrownBy(() -> from(m)).as(entry[0] + "=" + entry[1]).isInstanceOf(GuardConfigException.class)
                    .hasMessageContaining(entry[2]);
        }
    }

    @Test
    void storeWhenRedisUnreachableAtStartThenRefusedNotSilentlyLocal() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            port = probe.getLocalPort();
        }
        GuardConfig.ClusterSetting setting = new GuardConfig.ClusterSetting(GuardConfig.ClusterSetting.Store.REDIS,
                "redis://127.0.0.1:" + port, Duration.ofSeconds(15),
                GuardConfig.ClusterSetting.OnStoreFailure.LOCAL, Duration.ofMillis(300), 10);
        assertThatThrownBy(() -> ClusterStores.of(setting)).isInstanceOf(GuardConfigException.class)
                .hasMessageContaining("cannot reach 127.0.0.1:" + port);
    }
}
