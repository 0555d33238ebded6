package dev.wsguard;

import dev.wsguard.testing.cluster.HazelcastCluster;

import java.util.Map;

/**
 * {@link ClusterContract} on the JCache store: the two node JVMs are Hazelcast members (embedded, as in Payara) that
 * form one cluster over TCP on loopback, and the guard reaches it only through the JCache API. The attack without a
 * shared store is shown by {@link ClusterIT}; the failure policy is the same code as Redis's ({@code SharedStore}).
 */
class JCacheClusterIT extends ClusterContract {

    /** Two nodes and the one started late in the revocation test. */
    static final int MEMBERS = 3;

    HazelcastCluster hazelcast;

    @Override
    void startStore() throws Exception {
        hazelcast = HazelcastCluster.configure(MEMBERS);
    }

    @Override
    void stopStore() throws Exception {
        if (hazelcast != null) {
            hazelcast.close();
        }
    }

    @Override
    Map<String, String> storeProperties() {
        // Hazelcast's member provider: its general HazelcastCachingProvider is a client unless a system property
        // says otherwise.
        return Map.of("wsguard.cluster.store", "jcache",
                "wsguard.cluster.jcache.provider", "com.hazelcast.cache.HazelcastMemberCachingProvider",
                "wsguard.cluster.jcache.uri", hazelcast.uri());
    }

    /**
     * Longer than Redis's: a killed member's partitions (and the slots in them) cannot be reached until Hazelcast has
     * removed the member, about 3 s here, which must stay under the lease.
     */
    @Override
    long leaseMs() {
        return 5000;
    }

    @Override
    String store() {
        return "jcache";
    }
}
