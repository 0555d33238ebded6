package dev.wsguard.bench.driver;

import dev.wsguard.testing.cluster.RedisServer;
import dev.wsguard.bench.server.ClusterEndpoints;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench/run --cluster}: the same guarded server three times, each in its own JVM, on the local store, on a
 * Redis store (a {@code redis-server} this run starts) and on a JCache store (an embedded Hazelcast member in the
 * server's JVM), driven from this one with the stores alternated within every round: message throughput on a
 * per-user rate limit the stores share, and handshakes, each of which takes two connection slots and asks for two
 * bans in the store. Redis's own command counts and CPU are read around every run against it.
 *
 * <p>Arguments: {@code --quick}, {@code --out FILE} (Markdown), {@code --jar FILE} (this jar, for the server JVMs),
 * {@code --logs DIR}, {@code --note TEXT}.
 */
public final class ClusterRun {

    private static final String LOCAL = "local store";
    private static final String REDIS = "Redis store";
    private static final String REDIS_SMALL = "Redis store, batches of 1 %";
    private static final String JCACHE = "JCache store (Hazelcast member)";

    private final int rounds;
    private final long messageMillis;
    private final long handshakeMillis;
    private final long warmHandshakeMillis;
    private final Report report;

    private ClusterRun(boolean quick, Report report) {
        this.report = report;
        this.rounds = quick ? 1 : 3;
        this.messageMillis = quick ? 1_000 : 3_000;
        this.handshakeMillis = quick ? 1_000 : 2_500;
        this.warmHandshakeMillis = quick ? 1_000 : 10_000;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = Run.options(args);
        boolean quick = opts.containsKey("--quick");
        Path out = Path.of(opts.getOrDefault("--out", "RESULTS-cluster.md"));
        Path jar = Path.of(opts.get("--jar"));
        Path logs = Path.of(opts.getOrDefault("--logs", "target/bench-logs")).toAbsolutePath();
        Files.createDirectories(logs);
        Report report = new Report(quick, opts.get("--note"));
        new ClusterRun(quick, report).all(jar, logs);
        Files.writeString(out, report.clusterMarkdown(LOCAL, List.of(REDIS, REDIS_SMALL, JCACHE)),
                StandardCharsets.UTF_8);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    private void all(Path jar, Path logs) throws Exception {
        Run.log("generating the RSA key and 100 tokens");
        Tokens keys = Tokens.generate(logs);
        List<String> tokens = keys.users(100);
        String pem = keys.pem.toString();
        Path hazelcast = hazelcastMember(logs);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> jvm = List.of(java, "-Xms1g", "-Xmx1g", "-XX:+UseG1GC");
        String servers = "dev.wsguard.bench.server.Servers";
        try (RedisServer redis = RedisServer.start();
             ServerProcess local = ServerProcess.start("cluster-local", Run.cmd(jvm, "-cp", jar.toString(), servers,
                     "cluster", pem, "local"), logs.resolve("cluster-local.log"));
             ServerProcess onRedis = ServerProcess.start("cluster-redis", Run.cmd(jvm, "-cp", jar.toString(),
                     servers, "cluster", pem, "redis", redis.uri()), logs.resolve("cluster-redis.log"));
             ServerProcess onJCache = ServerProcess.start("cluster-jcache", Run.cmd(jvm,
                     "-Dhazelcast.logging.type=jdk", "-cp", jar.toString(), servers, "cluster", pem, "jcache",
                     hazelcast.toUri().toString()), logs.resolve("cluster-jcache.log"))) {
            Load.Target tLocal = new Load.Target(LOCAL, local, "/cluster", true);
            Load.Target tRedis = new Load.Target(REDIS, onRedis, "/cluster", true);
            Load.Target tSmall = new Load.Target(REDIS_SMALL, onRedis, "/cluster-small", true);
            Load.Target tJCache = new Load.Target(JCACHE, onJCache, "/cluster", true);
            List<Load.Target> messages = List.of(tLocal, tRedis, tSmall, tJCache);
            List<Load.Target> handshakes = List.of(tLocal, tRedis, tJCache);
            report.note("Every connection is its own user, and every message takes a permit of its user's `publish`"
                    + " limit (" + String.format(Locale.ROOT, "%,d", ClusterEndpoints.PUBLISH_PER_SECOND)
                    + " per second, `per = USER`): from the local limiter on the local store, from local batches of"
                    + " the user's shared Bucket4j bucket on the others (10 % of the allowance, or 1 %). Every"
                    + " handshake is accepted with a cached token and takes an address slot and a user slot (the"
                    + " quotas are raised, as on `/guarded`); bans are on (the default). Store settings otherwise at"
                    + " their defaults (lease 15 s, timeout 0.5 s, fail-closed).");
            for (int r = 0; r <= rounds; r++) {
                boolean warm = r == 0;
                Run.log(warm ? "warming up (round 0, not reported)" : "round " + r);
                for (int connections : new int[] {10, 100}) {
                    for (Load.Target t : Run.rotate(messages, r)) {
                        Usage before = Usage.of(t, redis);
                        double v = Load.throughput(t, tokens, connections, messageMillis);
                        double n = v * messageMillis / 1000.0;
                        Usage used = Usage.of(t, redis).minus(before);
                        String figure = connections + " connections";
                        report.add(warm, "throughput", t.label(), figure, "msg/s", v);
                        report.add(warm, "cpu", t.label(), figure, "µs/msg", used.serverMicros / n);
                        report.add(warm, "server and store cpu", t.label(), figure, "µs/msg",
                                (used.serverMicros + used.redisMicros) / n);
                        if (used.redisCalls != null) {
                            report.add(warm, "redis", t.label(), "bucket fetches, " + figure, "per 1,000 msgs",
                                    used.bucketFetches() * 1000.0 / n);
                            report.add(warm, "redis", t.label(), "bucket requests, " + figure, "per 1,000 msgs",
                                    used.bucketRequests() * 1000.0 / n);
                            report.add(warm, "redis", t.label(), "Redis CPU, " + figure, "µs/msg",
                                    used.redisMicros / n);
                        }
                        Run.log("round " + r + " throughput " + t.label() + " @" + connections + ": "
                                + Figure.num(v) + used.redisLine());
                    }
                }
                if (warm) {
                    for (Load.Target t : handshakes) {
                        Load.handshakes(t, tokens.get(0), 8, warmHandshakeMillis);
                    }
                }
                for (Load.Target t : Run.rotate(handshakes, r)) {
                    Usage before = Usage.of(t, redis);
                    double v = Load.handshakes(t, tokens.get(0), 8, handshakeMillis);
                    double n = v * handshakeMillis / 1000.0;
                    // Slots are given back asynchronously as the sessions close: let the last ones arrive.
                    Thread.sleep(300);
                    Usage used = Usage.of(t, redis).minus(before);
                    report.add(warm, "handshakes", t.label(), "8-way", "/s", v);
                    report.add(warm, "handshake cpu", t.label(), "8-way", "µs/handshake", used.serverMicros / n);
                    report.add(warm, "server and store cpu", t.label(), "8-way handshakes", "µs/handshake",
                            (used.serverMicros + used.redisMicros) / n);
                    if (used.redisCalls != null) {
                        report.add(warm, "redis", t.label(), "requests waited for, handshakes", "per handshake",
                                used.handshakeRequests() / n);
                        report.add(warm, "redis", t.label(), "slot releases (not waited for), handshakes",
                                "per handshake", delta(Map.of(), used.redisCalls, "zrem") / n);
                        report.add(warm, "redis", t.label(), "Redis CPU, handshakes", "µs/handshake",
                                used.redisMicros / n);
                    }
                    Run.log("round " + r + " handshakes " + t.label() + " x8: " + Figure.num(v)
                            + used.redisLine());
                }
            }
        }
    }

    /**
     * A single Hazelcast member's configuration: loopback only, no discovery, no phone-home; a port found free now.
     */
    private static Path hazelcastMember(Path logs) throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        String xml = """
                <hazelcast xmlns="http://www.hazelcast.com/schema/config">
                  <cluster-name>wsguard-bench-%d</cluster-name>
                  <network>
                    <port auto-increment="false">%d</port>
                    <interfaces enabled="true"><interface>127.0.0.1</interface></interfaces>
                    <join>
                      <auto-detection enabled="false"/>
                      <multicast enabled="false"/>
                      <tcp-ip enabled="true"><member-list><member>127.0.0.1:%d</member></member-list></tcp-ip>
                    </join>
                  </network>
                  <properties>
                    <property name="hazelcast.phone.home.enabled">false</property>
                    <property name="hazelcast.socket.bind.any">false</property>
                    <property name="hazelcast.wait.seconds.before.join">0</property>
                  </properties>
                </hazelcast>
                """.formatted(port, port, port);
        Path file = logs.resolve("hazelcast.xml");
        Files.writeString(file, xml);
        return file;
    }

    /** The calls of {@code commands} between two {@link RedisServer#calls()} readings. */
    private static long delta(Map<String, Long> before, Map<String, Long> after, String... commands) {
        long n = 0;
        for (String c : commands) {
            n += after.getOrDefault(c, 0L) - before.getOrDefault(c, 0L);
        }
        return n;
    }

    /**
     * What one run used: the server JVM's CPU, and for a server on Redis, Redis's CPU and command counts (null
     * otherwise). Which command is whose: every wsguard script runs {@code time} once per call (the slot script,
     * which takes a handshake's address and user slots together, its renewal script, the ban script and the read of
     * every ban), Bucket4j's never. Bucket4j's compare-and-swap is a {@code get} followed by a script that runs
     * {@code get} and {@code psetex} (or, when it creates the bucket, {@code set}). A ban check was a {@code pttl}
     * before the nodes kept a copy of the bans (none now); a slot's release is a {@code zrem}.
     */
    private record Usage(long serverMicros, long redisMicros, Map<String, Long> redisCalls) {

        static Usage of(Load.Target t, RedisServer redis) throws java.io.IOException {
            boolean onRedis = t.label().startsWith(REDIS);
            return new Usage(t.server().cpuMicros(), onRedis ? redis.cpuMicros() : 0,
                    onRedis ? redis.calls() : null);
        }

        Usage minus(Usage before) {
            Map<String, Long> calls = null;
            if (redisCalls != null) {
                calls = new LinkedHashMap<>();
                for (String c : redisCalls.keySet()) {
                    calls.put(c, delta(before.redisCalls, redisCalls, c));
                }
            }
            return new Usage(serverMicros - before.serverMicros, redisMicros - before.redisMicros, calls);
        }

        /** The commands Redis ran, for the log: what the figures are derived from. */
        String redisLine() {
            if (redisCalls == null) {
                return "";
            }
            StringBuilder line = new StringBuilder(" (Redis ran");
            new java.util.TreeMap<>(redisCalls).forEach((c, k) -> {
                if (k > 0) {
                    line.append(' ').append(c).append('=').append(k);
                }
            });
            return line.append(')').toString();
        }

        private long n(String... commands) {
            return delta(Map.of(), redisCalls, commands);
        }

        /** Batches taken from the shared buckets: each writes the bucket once. */
        long bucketFetches() {
            return n("psetex", "set");
        }

        /** Requests for the buckets: the reads and the compare-and-swap scripts (one of each per try). */
        long bucketRequests() {
            long scripts = n("eval", "evalsha") - n("time");
            long readsInScripts = scripts - n("set");
            return n("get") - readsInScripts + scripts;
        }

        /**
         * Requests a handshake waits for: ban checks and slot scripts. wsguard's scripts during a handshake run are
         * slot scripts but for the heartbeat's renewals (one call every 5 s for up to 500 live slots), which are
         * counted too: a few in thousands of handshakes.
         */
        long handshakeRequests() {
            return n("pttl", "time");
        }
    }
}
