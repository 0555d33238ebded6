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

    /** Bans {@code user} and {@code address} on {@code node} by malformed messages; when the node first refused. */
    static long banOn(NodeProcess node, String user, String address) throws Exception {
        for (int i = 0; i < 5; i++) {
            Object outcome = open(node, user, address);
            if (!(outcome instanceof WsClient c)) {
                assertThat(outcome).as("banned on the node").isEqualTo(429);
                return System.nanoTime();
            }
            c.send("{not json");
            c.closeCode();
        }
        throw new AssertionError(user + " not banned after 5 malformed messages");
    }

    /** How many handshakes the node has refused because their user was banned (a rejection names no subject). */
    static long refusedAsBanned(NodeProcess node) {
        return node.output().stream().filter(line -> line.contains("\"reason\":\"USER_BANNED\"")).count();
    }

    /** Redis answers ban checks from each node's copy of the bans: a ban still reaches B at once, and a late node. */
    @Test
    @Order(5)
    void banWhenMadeOnAThenRefusedOnBWithinABoundAndOnANodeStartedLater() throws Exception {
        String address = "198.51.100.110";
        long before = refusedAsBanned(b);
        long bannedOnA = banOn(a, "eve", address);
        Object onB = null;
        for (int i = 0; System.nanoTime() - bannedOnA < TimeUnit.SECONDS.toNanos(5); i++) {
            onB = open(b, "eve", "198.51.100." + (111 + i % 40));
            if (!(onB instanceof WsClient opened)) {
                break;
            }
            opened.close();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - bannedOnA);
        System.out.println("CLUSTER-FIGURE redis ban: refused on B " + millis + " ms after A first refused");
        assertThat(onB).as("the user's ban reaches B").isEqualTo(429);
        assertThat(refusedAsBanned(b)).as("refused on B for the ban, not a quota").isEqualTo(before + 1);
        assertThat(millis).as("within the time of a revocation notice").isLessThan(1000);
        try (NodeProcess late = NodeProcess.start(node())) {
            assertThat(open(late, "eve", "198.51.100.160")).as("a node started after the ban refuses the user")
                    .isEqualTo(429);
            assertThat(refusedAsBanned(late)).isEqualTo(1);
            assertThat(open(late, "frank", address)).as("and the address").isEqualTo(429);
            Object control = open(late, "grace", "198.51.100.161");
            assertThat(control).as("the late node accepts others").isInstanceOf(WsClient.class);
            ((WsClient) control).close();
        }
    }

    /**
     * A ban published while B's subscription is cut (B stalled, its connection closed by Redis) is not lost: B
     * refuses with 503 until it has subscribed and read the bans again, then 429, and never lets the user in.
     */
    @Test
    @Order(5)
    void banWhenMadeWhileBIsCutOffThenBRefusesAfterReconnectingAndNeverAdmits() throws Exception {
        String name = "name=wsguard-[0-9a-f]+-" + b.pid() + " ";
        String clients = (String) redis.command("CLIENT", "LIST", "TYPE", "pubsub");
        java.util.regex.Matcher id = java.util.regex.Pattern.compile("id=(\\d+) .*" + name).matcher(clients);
        assertThat(id.find()).as("B's notice connection in " + clients).isTrue();
        String address = "198.51.100.130";
        long before = refusedAsBanned(b);
        long resumed;
        b.suspend(true);
        try {
            assertThat(redis.command("CLIENT", "KILL", "ID", id.group(1))).isEqualTo(1L);
            banOn(a, "dave", address);
            assertThat(redis.command("PUBSUB", "NUMSUB", "wsguard:ban-notices"))
                    .as("the ban went out while only A listened").isEqualTo(List.of("wsguard:ban-notices", 1L));
        } finally {
            b.suspend(false);
            resumed = System.nanoTime();
        }
        // A running node sees the closed connection within the network's latency; B was stalled meanwhile.
        Thread.sleep(100);
        Map<Object, Integer> outcomes = new java.util.TreeMap<>();
        Object onB = null;
        for (int i = 0; System.nanoTime() - resumed < TimeUnit.SECONDS.toNanos(5); i++) {
            onB = open(b, "dave", "198.51.100." + (131 + i % 20));
            if (onB instanceof WsClient opened) {
                opened.close();
                break;
            }
            outcomes.merge(onB, 1, Integer::sum);
            if (onB.equals(429)) {
                break;
            }
            Thread.sleep(20);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumed);
        System.out.println("CLUSTER-FIGURE redis ban while cut off: B refused as banned " + millis
                + " ms after it resumed; refusals (status=count): " + outcomes);
        assertThat(onB).as("B never admits the user banned while it was cut off").isEqualTo(429);
        assertThat(outcomes.keySet()).as("until its copy of the bans is current, B refuses 503 (fail-closed)")
                .isSubsetOf(429, 503);
        assertThat(refusedAsBanned(b)).as("refused on B for the ban, not a quota").isEqualTo(before + 1);
        assertThat(millis).as("Lettuce reconnects after 0.5 s; B reads the bans again at once").isLessThan(2000);
        assertThat(open(b, "heidi", address)).as("the address's ban too").isEqualTo(429);
        if (outcomes.containsKey(503)) {
            assertThat(b.output()).anyMatch(line -> line.contains("\"kind\":\"CLUSTER_STORE_RECOVERED\""));
        }
    }

    /** {@code node} accepts a handshake again within 10 s of {@code start} (Redis's restart). */
    private static void assertRecovers(NodeProcess node, String from, long start) throws Exception {
        Object outcome = null;
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
            outcome = open(node, "outage-user", from);
            if (outcome instanceof WsClient) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(outcome).as("recovers by itself").isInstanceOf(WsClient.class);
        ((WsClient) outcome).close();
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
        assertRecovers(a, "198.51.100.81", start);
        System.out.println("CLUSTER-FIGURE outage: handshakes accepted again "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms after Redis restarted");
        // B lived through the outage too; the next tests use it.
        assertRecovers(b, "198.51.100.84", start);
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
