package dev.wsguard;

import dev.wsguard.testing.WsClient;
import dev.wsguard.testing.cluster.NodeProcess;
import dev.wsguard.testing.cluster.RedisServer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ClusterContract} on one real {@code redis-server}, with what only Redis shows: the shared bucket's reads
 * counted in Redis, an outage (fail-closed and local policies, recovery), and the attack the shared store stops (two
 * nodes on the default store let one user hold twice the quota and send twice the rate).
 */
class ClusterIT extends ClusterContract {

    RedisServer redis;

    @Override
    void startStore() throws Exception {
        redis = RedisServer.start();
    }

    @Override
    void stopStore() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    Map<String, String> storeProperties() {
        return Map.of("wsguard.cluster.store", "redis", "wsguard.cluster.redis.uri", redis.uri());
    }

    /** Bucket4j's compare-and-swap reads a bucket with one GET per attempt; nothing else here uses GET. */
    @Override
    long bucketReads() throws Exception {
        return redis.calls("get");
    }

    @Override
    String store() {
        return "redis";
    }

    @Test
    @Order(6)
    void outageWhenRedisStopsThenFailClosedAndRecovers() throws Exception {
        Map<String, String> localPolicy = node();
        localPolicy.put("wsguard.cluster.on-store-failure", "local");
        long start;
        try (NodeProcess fallback = NodeProcess.start(localPolicy);
             WsClient closedPolicy = (WsClient) open(a, "outage-sender", "198.51.100.82");
             WsClient localOne = (WsClient) open(fallback, "outage-sender", "198.51.100.83")) {
            redis.stop();
            try {
                assertThat(open(a, "outage-user", "198.51.100.80")).as("fail-closed: 503 while Redis is down")
                        .isEqualTo(503);
                // The senders' first messages need a batch from the shared bucket, which cannot be had now.
                assertThat(closedPolicy.send(PUBLISH).next()).as("fail-closed: shared limits deny")
                        .isEqualTo("{\"type\":\"error\",\"code\":\"rate_limited\"}");
                assertThat(closedPolicy.isOpen()).as("open sessions stay open").isTrue();
                assertThat(localOne.send(PUBLISH).next()).as("local: the node's own limiter admits")
                        .startsWith(PUBLISHED);
                List<WsClient> opened = openAlternately(fallback, fallback, "outage-user", PER_USER + 2);
                assertThat(opened).as("on-store-failure=local: the node's own quota holds").hasSize(PER_USER);
                closeAll(opened);
                assertThat(fallback.output()).anyMatch(l -> l.contains("\"kind\":\"CLUSTER_STORE_UNAVAILABLE\""));
            } finally {
                redis.startAgain();
                start = System.nanoTime();
            }
        }
        Object outcome = null;
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
            outcome = open(a, "outage-user", "198.51.100.81");
            if (outcome instanceof WsClient) {
                break;
            }
            Thread.sleep(100);
        }
        System.out.println("CLUSTER-FIGURE outage: handshakes accepted again "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms after Redis restarted");
        assertThat(outcome).as("recovers by itself").isInstanceOf(WsClient.class);
        ((WsClient) outcome).close();
        assertThat(a.output()).anyMatch(line -> line.contains("\"kind\":\"CLUSTER_STORE_UNAVAILABLE\""))
                .anyMatch(line -> line.contains("\"kind\":\"CLUSTER_STORE_RECOVERED\""));
    }

    @Test
    @Order(8)
    void withoutClusterStoreThenEveryLimitHoldsPerNode() throws Exception {
        try (NodeProcess localA = NodeProcess.start(node("local"));
             NodeProcess localB = NodeProcess.start(node("local"))) {
            List<WsClient> opened = openAlternately(localA, localB, "quota-user", 8);
            assertThat(opened).as("the attack: a quota of 3 per node is 6 across two").hasSize(2 * PER_USER);
            closeAll(opened);
            assertThat(burst(localA, localB)).as("the rate limit is multiplied by the nodes").isEqualTo(2 * RATE);
        }
    }
}
