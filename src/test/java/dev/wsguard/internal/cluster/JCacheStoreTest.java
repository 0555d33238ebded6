package dev.wsguard.internal.cluster;

import com.hazelcast.cache.HazelcastCachingProvider;
import com.hazelcast.core.Hazelcast;
import dev.wsguard.GuardConfig;
import dev.wsguard.testing.cluster.HazelcastCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The JCache store on a real Hazelcast member in this JVM, whose cluster then goes away: the failure policy decides,
 * explicitly, what a count does without the store, and the change is reported once. The two-node behaviour is
 * {@code JCacheClusterIT}'s.
 */
class JCacheStoreTest {

    private HazelcastCluster hazelcast;

    @AfterEach
    void stop() throws Exception {
        Hazelcast.shutdownAll();
        if (hazelcast != null) {
            hazelcast.close();
        }
    }

    private JCacheStore store(GuardConfig.ClusterSetting.OnStoreFailure policy) throws Exception {
        hazelcast = HazelcastCluster.configure(1);
        return new JCacheStore(new GuardConfig.ClusterSetting(GuardConfig.ClusterSetting.Store.JCACHE, null,
                Duration.ofSeconds(3), policy, Duration.ofMillis(300), 10,
                // The member provider by name: the general one may have been made a client already in this JVM.
                HazelcastCachingProvider.MEMBER_CACHING_PROVIDER, hazelcast.uri()));
    }

    @Test
    void acquireWhenClusterGoneAndFailClosedThenRefusedAndReportedOnce() throws Exception {
        JCacheStore store = store(GuardConfig.ClusterSetting.OnStoreFailure.FAIL_CLOSED);
        List<Boolean> changes = new CopyOnWriteArrayList<>();
        store.onAvailability(changes::add);
        ConnectionCounts counts = store.counts(ClusterStore.Scope.USER);
        Object held = counts.acquire("/chat", "alice", 1);
        assertThat(held).as("a place while the store answers").isNotNull();
        assertThat(counts.acquire("/chat", "alice", 1)).as("the quota of 1 is taken").isNull();
        counts.release("/chat", "alice", held);

        Hazelcast.shutdownAll();

        assertThatThrownBy(() -> counts.acquire("/chat", "alice", 1))
                .isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> store.banSecondsLeft(ClusterStore.Scope.ADDRESS, "192.0.2.1"))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(changes).as("one report for the outage, not one per call").containsExactly(false);
    }

    @Test
    void acquireWhenClusterGoneAndLocalPolicyThenCountedInThisProcess() throws Exception {
        JCacheStore store = store(GuardConfig.ClusterSetting.OnStoreFailure.LOCAL);
        ConnectionCounts counts = store.counts(ClusterStore.Scope.USER);

        Hazelcast.shutdownAll();

        Object local = counts.acquire("/chat", "alice", 2);
        assertThat(local).as("counted by this node alone").isNotNull();
        assertThat(counts.acquire("/chat", "alice", 2)).isNotNull();
        assertThat(counts.acquire("/chat", "alice", 2)).as("this node's own quota still holds").isNull();
        assertThat(store.banSecondsLeft(ClusterStore.Scope.ADDRESS, "192.0.2.1")).isZero();
    }
}
