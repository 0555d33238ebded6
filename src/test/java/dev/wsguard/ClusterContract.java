package dev.wsguard;

import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.WsClient;
import dev.wsguard.testing.cluster.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every shared store must hold, proven on two guarded servers in separate JVMs that share one store: a per-user
 * quota across both nodes, one rate-limit allowance (over-admission measured and bounded), a ban made on one node
 * refusing on the other, a revocation on one node closing the user's session on the other within a second (and
 * refused by a node started later), and the slots of a killed node coming back within the lease. Each subclass
 * starts its store and names it in {@link #storeProperties()}. Each test reaches the nodes from addresses of its own
 * (a trusted {@code X-Forwarded-For}), so that bans and per-address counts of one test leave the others alone. The
 * figures measured are printed as {@code CLUSTER-FIGURE} lines, prefixed with the store's name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ClusterContract {

    static final String ORIGIN = "https://chat.test";
    static final String PUBLISH = "{\"type\":\"publish\",\"channel\":\"tenant:acme:general\",\"text\":\"hi\"}";
    static final String PUBLISHED = "{\"type\":\"published\"";
    static final int PER_USER = 3;
    static final int RATE = 40;
    static final long RATE_PERIOD_MS = 2000;
    static final int BATCH_PERCENT = 10;

    Path keyFile;
    NodeProcess a;
    NodeProcess b;

    /** Starts the shared store (a server, or nothing when the nodes are the store). */
    abstract void startStore() throws Exception;

    /** Stops what {@link #startStore()} started. */
    abstract void stopStore() throws Exception;

    /** The store's keys ({@code wsguard.cluster.*} and anything its client needs) for one node. */
    abstract Map<String, String> storeProperties();

    /** Reads of the shared buckets so far, when the store can count them; -1 otherwise. */
    long bucketReads() throws Exception {
        return -1;
    }

    /**
     * The slot lease: short, so that the test is; longer than the time the store itself takes to notice a dead node
     * (docs/cluster.md says to keep it so).
     */
    long leaseMs() {
        return 3000;
    }

    /** The store's name in the printed figures. */
    abstract String store();

    @BeforeAll
    void start() throws Exception {
        startStore();
        keyFile = Files.createTempFile("wsguard-cluster-key", ".pem");
        Files.writeString(keyFile, TestTokens.publicKeyPem(TestTokens.rsa2048()));
        a = NodeProcess.start(node());
        b = NodeProcess.start(node());
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {a, b}) {
            if (c != null) {
                c.close();
            }
        }
        stopStore();
        Files.deleteIfExists(keyFile);
    }

    /** A node's configuration on the shared store. */
    Map<String, String> node() {
        Map<String, String> p = node("local");
        p.putAll(storeProperties());
        p.put("wsguard.cluster.lease", "PT" + leaseMs() / 1000 + "S");
        p.put("wsguard.cluster.batch-percent", Integer.toString(BATCH_PERCENT));
        return p;
    }

    /** A node's configuration, all through system properties, as a deployment sets it. */
    Map<String, String> node(String store) {
        Map<String, String> p = new HashMap<>();
        p.put("wsguard.origins.allowed", ORIGIN);
        p.put("mp.jwt.verify.publickey.location", "file:" + keyFile);
        p.put("mp.jwt.verify.issuer", TestTokens.ISSUER);
        p.put("mp.jwt.verify.audiences", TestTokens.AUDIENCE);
        p.put("wsguard.trusted-proxies", "127.0.0.1");
        p.put("wsguard.handshake.limit-for-period", "10000");
        p.put("wsguard.connections.max-per-user", Integer.toString(PER_USER));
        p.put("wsguard.bans.max-violations", "2");
        p.put("wsguard.message.max-violations", "100000");
        p.put("wsguard.rate-limit.session.limit-for-period", "100000");
        p.put("wsguard.rate-limit.publish.limit-for-period", Integer.toString(RATE));
        p.put("wsguard.rate-limit.publish.limit-refresh-period", "PT" + RATE_PERIOD_MS / 1000 + "S");
        p.put("wsguard.cluster.store", store);
        return p;
    }

    /** Opens a session as {@code user} from {@code address}; the refusal's HTTP status otherwise. */
    static Object open(NodeProcess node, String user, String address) throws Exception {
        return openWith(node, token(user), address);
    }

    static String token(String user) {
        return TestTokens.token().subject(user).tenant("acme").scope("chat:read chat:write").groups("user").sign();
    }

    /** Opens a session with {@code token} from {@code address}; the refusal's HTTP status otherwise. */
    static Object openWith(NodeProcess node, String token, String address) throws Exception {
        try {
            return WsClient.connect(node.uri("/guarded"), ORIGIN, token, "X-Forwarded-For", address);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw e;
        }
    }

    /** Opens sessions alternately on both nodes until {@code attempts}; returns the ones that opened. */
    static List<WsClient> openAlternately(NodeProcess first, NodeProcess second, String user, int attempts)
            throws Exception {
        List<WsClient> opened = new ArrayList<>();
        for (int i = 0; i < attempts; i++) {
            Object outcome = open(i % 2 == 0 ? first : second, user, "198.51.100." + (10 + i));
            if (outcome instanceof WsClient c) {
                opened.add(c);
            } else {
                assertThat(outcome).as("a refused handshake is 429").isEqualTo(429);
            }
        }
        return opened;
    }

    static void closeAll(List<WsClient> clients) {
        clients.forEach(WsClient::close);
    }

    @Test
    @Order(1)
    void quotaWhenUserOpensOnBothNodesThenThreeInAllAndSlotsComeBack() throws Exception {
        List<WsClient> opened = openAlternately(a, b, "quota-user", 8);
        assertThat(opened).as("a per-user quota of 3 holds across two nodes").hasSize(PER_USER);
        closeAll(opened);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<WsClient> again = new ArrayList<>();
        while (again.size() < PER_USER && System.nanoTime() < deadline) {
            again.addAll(openAlternately(b, a, "quota-user", PER_USER - again.size()));
            Thread.sleep(50);
        }
        assertThat(again).as("closed sessions give their slots back on every node").hasSize(PER_USER);
        closeAll(again);
    }

    @Test
    @Order(2)
    void rateLimitWhenUserBurstsOnBothNodesThenSharedAllowance() throws Exception {
        long before = bucketReads();
        int admitted = burst(a, b);
        long fetches = before < 0 ? -1 : bucketReads() - before;
        System.out.println("CLUSTER-FIGURE " + store() + " burst: " + admitted + " of " + 2 * RATE + " admitted, limit "
                + RATE + " per " + RATE_PERIOD_MS + " ms; shared-bucket reads: "
                + (fetches < 0 ? "not counted" : fetches) + " for " + 2 * RATE + " messages");
        if (before >= 0) {
            assertThat(fetches).as("no round trip per message: tokens come in batches").isPositive()
                    .isLessThanOrEqualTo(2L * RATE / 2);
        }
        assertThat(admitted).as("one allowance for the user on both nodes, taken in batches")
                .isBetween(RATE - 2 * batch(), RATE);
    }

    @Test
    @Order(3)
    void rateLimitWhenUserSendsSteadilyOnBothNodesThenOverAdmissionBounded() throws Exception {
        List<Long> admittedAt = new ArrayList<>();
        long start = System.nanoTime();
        long runMs = 3 * RATE_PERIOD_MS;
        // Twice the allowance, spread evenly over both nodes.
        long gapNanos = TimeUnit.MILLISECONDS.toNanos(RATE_PERIOD_MS) / RATE;
        try (WsClient onA = (WsClient) open(a, "steady-user", "198.51.100.40");
             WsClient onB = (WsClient) open(b, "steady-user", "198.51.100.41")) {
            for (int i = 0; System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(runMs); i++) {
                WsClient c = i % 2 == 0 ? onA : onB;
                if (c.send(PUBLISH).next().startsWith(PUBLISHED)) {
                    admittedAt.add(System.nanoTime() - start);
                }
                long next = start + (i + 1) * gapNanos / 2;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
        }
        int worst = 0;
        long period = TimeUnit.MILLISECONDS.toNanos(RATE_PERIOD_MS);
        for (int i = 0; i < admittedAt.size(); i++) {
            int inWindow = 0;
            for (int j = i; j < admittedAt.size() && admittedAt.get(j) - admittedAt.get(i) < period; j++) {
                inWindow++;
            }
            worst = Math.max(worst, inWindow);
        }
        System.out.println("CLUSTER-FIGURE " + store() + " steady: " + admittedAt.size() + " admitted in " + runMs
                + " ms (limit " + RATE + " per " + RATE_PERIOD_MS + " ms, batch " + batch() + "); most in any " + RATE_PERIOD_MS
                + " ms window: " + worst + ", over-admission " + Math.max(0, worst - RATE));
        assertThat(worst).as("over-admission in any period is bounded by a batch per node")
                .isLessThanOrEqualTo(RATE + 2 * batch());
        assertThat(admittedAt.size()).as("the allowance is used, not lost in unused batches")
                .isGreaterThanOrEqualTo(RATE * 2);
        assertThat(admittedAt.size()).as("in all, never more than the shared bucket handed out")
                .isLessThanOrEqualTo((int) (RATE * (runMs / RATE_PERIOD_MS + 1)));
    }

    /** One user sends twice the limit at once, alternating between the nodes; returns how many were admitted. */
    static int burst(NodeProcess first, NodeProcess second) throws Exception {
        int admitted = 0;
        try (WsClient onFirst = (WsClient) open(first, "burst-user", "198.51.100.30");
             WsClient onSecond = (WsClient) open(second, "burst-user", "198.51.100.31")) {
            for (int i = 0; i < RATE; i++) {
                admitted += onFirst.send(PUBLISH).next().startsWith(PUBLISHED) ? 1 : 0;
                admitted += onSecond.send(PUBLISH).next().startsWith(PUBLISHED) ? 1 : 0;
            }
        }
        return admitted;
    }

    static int batch() {
        return Math.max(1, RATE * BATCH_PERCENT / 100);
    }

    @Test
    @Order(4)
    void banWhenUserAndAddressBannedOnAThenRefusedOnB() throws Exception {
        String address = "198.51.100.66";
        // Malformed messages close the session (1007), and each is a violation; past 2 the user and address are banned.
        for (int i = 0; i < 5 && open(a, "mallory", address) instanceof WsClient c; i++) {
            c.send("{not json");
            c.closeCode();
        }
        assertThat(open(a, "mallory", address)).as("banned on A").isEqualTo(429);
        assertThat(open(b, "mallory", "198.51.100.67")).as("the user's ban reaches B").isEqualTo(429);
        assertThat(open(b, "bob", address)).as("the address's ban reaches B").isEqualTo(429);
        Object control = open(b, "carol", "198.51.100.68");
        assertThat(control).as("B still accepts others").isInstanceOf(WsClient.class);
        ((WsClient) control).close();
    }

    @Test
    @Order(5)
    void revocationWhenRevokedOnAThenSessionOnBClosedWithinASecond() throws Exception {
        String token = token("revoked-user");
        try (WsClient onB = (WsClient) openWith(b, token, "198.51.100.70");
             WsClient onA = (WsClient) open(a, "revoked-user", "198.51.100.71")) {
            long start = System.nanoTime();
            a.command("revoke revoked-user");
            int code = onB.closed.get(5, TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.println("CLUSTER-FIGURE " + store() + " revocation: session on B closed " + millis
                    + " ms after revokeUser on A");
            assertThat(code).isEqualTo(4401);
            assertThat(onA.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4401);
            assertThat(millis).as("node B closes within a second").isLessThan(1000);
        }
        assertThat(openWith(b, token, "198.51.100.72")).as("B refuses the revoked token too").isEqualTo(401);
        try (NodeProcess late = NodeProcess.start(node())) {
            assertThat(openWith(late, token, "198.51.100.73")).as("a node started after the revocation refuses it")
                    .isEqualTo(401);
        }
    }

    @Test
    @Order(7)
    void leaseWhenNodeKilledWithOpenSessionsThenSlotsBackWithinLease() throws Exception {
        List<WsClient> onB = openAlternately(b, b, "crash-user", PER_USER);
        assertThat(onB).hasSize(PER_USER);
        assertThat(open(a, "crash-user", "198.51.100.90")).as("full across the cluster").isEqualTo(429);
        b.kill();
        long start = System.nanoTime();
        Object outcome = null;
        Map<Object, Integer> refusals = new java.util.TreeMap<>();
        long unreachableUntil = 0;
        while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(3 * leaseMs())) {
            outcome = open(a, "crash-user", "198.51.100.91");
            if (outcome instanceof WsClient) {
                break;
            }
            refusals.merge(outcome, 1, Integer::sum);
            if (outcome.equals(503)) {
                unreachableUntil = System.nanoTime() - start;
            }
            Thread.sleep(100);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("CLUSTER-FIGURE " + store() + " lease: slots of the killed node back after " + millis
                + " ms (lease " + leaseMs() + " ms); refusals meanwhile (status=count): " + refusals
                + (refusals.containsKey(503) ? ", the last 503 (store unreachable) answered "
                + TimeUnit.NANOSECONDS.toMillis(unreachableUntil) + " ms after the kill" : ""));
        assertThat(outcome).as("the dead node's slots expire").isInstanceOf(WsClient.class);
        assertThat(millis).as("within the lease").isLessThanOrEqualTo(leaseMs() + 500);
        if (refusals.containsKey(503)) {
            assertThat(a.output()).as("a refusal for an unreachable store is reported, and so is its return")
                    .anyMatch(line -> line.contains("\"kind\":\"CLUSTER_STORE_UNAVAILABLE\""))
                    .anyMatch(line -> line.contains("\"kind\":\"CLUSTER_STORE_RECOVERED\""));
        }
        ((WsClient) outcome).close();
        closeAll(onB);
    }
}
