package dev.wsguard.bench.driver;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The load part of {@code bench/run}: starts plain Tyrus, wsguard and (when built) the Quarkus peer as separate
 * JVMs, drives them from this one, alternating targets within every round, and writes the results table.
 *
 * <p>Arguments: {@code --quick}, {@code --out FILE} (Markdown), {@code --jmh FILE} (JMH CSV to include),
 * {@code --jar FILE} (this jar, for the server JVMs), {@code --quarkus FILE} ({@code quarkus-run.jar}),
 * {@code --logs DIR}, {@code --note TEXT} (a line for the header, e.g. that the machine was shared).
 */
public final class Run {

    /** Each target's throughput and handshake time in a round is this many short runs, the targets in turn. */
    private static final int SLICES = 5;

    private final boolean quick;
    private final int rounds;
    private final long messageMillis;
    private final long handshakeMillis;
    private final long latencyMillis;
    private final long fairnessMillis;
    private final int memoryConnections;
    private final Report report;

    private Run(boolean quick, Report report) {
        this.quick = quick;
        this.report = report;
        this.rounds = quick ? 1 : 3;
        this.messageMillis = quick ? 1_000 : 3_000;
        this.handshakeMillis = quick ? 1_000 : 2_500;
        this.latencyMillis = quick ? 2_000 : 5_000;
        this.fairnessMillis = quick ? 2_000 : 6_000;
        this.memoryConnections = quick ? 300 : 5_000;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        boolean quick = opts.containsKey("--quick");
        Path out = Path.of(opts.getOrDefault("--out", "RESULTS.md"));
        Path jar = Path.of(opts.get("--jar"));
        Path logs = Path.of(opts.getOrDefault("--logs", "target/bench-logs"));
        Files.createDirectories(logs);
        Report report = new Report(quick, opts.get("--note"));
        new Run(quick, report).all(jar, opts.get("--quarkus") == null ? null : Path.of(opts.get("--quarkus")), logs);
        if (opts.get("--jmh") != null && Files.exists(Path.of(opts.get("--jmh")))) {
            report.jmh(Files.readAllLines(Path.of(opts.get("--jmh"))));
        }
        Files.writeString(out, report.markdown(), StandardCharsets.UTF_8);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    private void all(Path jar, Path quarkusJar, Path logs) throws Exception {
        log("generating the RSA key and " + Math.max(memoryConnections, 101) + " tokens");
        Tokens keys = Tokens.generate(logs);
        Path pem = keys.pem;
        List<String> tokens = keys.users(Math.max(memoryConnections, 101));
        // Two flooders a round (one per server), and a third for the control run against wsguard.
        List<String> attackers = IntStream.range(0, 3 * (rounds + 1)).mapToObj(i -> keys.sign("mallory-" + i))
                .toList();

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> jvm = List.of(java, "-Xms1g", "-Xmx1g", "-XX:+UseG1GC");
        String servers = "dev.wsguard.bench.server.Servers";
        try (ServerProcess plain = ServerProcess.start("plain", cmd(jvm, gcLog(logs, "plain"), "-cp", jar.toString(),
                     servers, "plain", pem.toString()), logs.resolve("plain.log"));
             ServerProcess guarded = ServerProcess.start("guarded", cmd(jvm, gcLog(logs, "guarded"), "-cp",
                     jar.toString(), servers, "guarded", pem.toString()), logs.resolve("guarded.log"));
             ServerProcess plainGs = ServerProcess.start("plain-gs", cmd(jvm, gcLog(logs, "plain-gs"), "-cp",
                     jar.toString(), servers, "plain-gs", pem.toString()), logs.resolve("plain-gs.log"));
             ServerProcess quarkus = quarkusJar == null || !Files.exists(quarkusJar) ? null
                     : ServerProcess.start("quarkus", cmd(jvm, gcLog(logs, "quarkus"), "-Dquarkus.http.port=0",
                     "-Dmp.jwt.verify.publickey.location=" + pem, "-jar", quarkusJar.toString()),
                     logs.resolve("quarkus.log"))) {
            Load.Target tPlain = new Load.Target("plain Tyrus", plain, "/plain", false);
            Load.Target tVerify = new Load.Target("plain Tyrus + bare RS256 verify", plain, "/verify", true);
            Load.Target tGuarded = new Load.Target("wsguard", guarded, "/guarded", true);
            Load.Target tNoCache =
                    new Load.Target("wsguard, token cache off", guarded, "/guarded-nocache", true);
            Load.Target tFair = new Load.Target("wsguard, default limits", guarded, "/guarded-default", true);
            Load.Target tStandard = new Load.Target(Report.STANDARD, guarded, "/guarded-standard", true);
            List<Load.Target> messages = new ArrayList<>(List.of(tPlain, tGuarded, tStandard));
            List<Load.Target> handshakes = new ArrayList<>(List.of(tPlain, tVerify, tGuarded, tNoCache));
            // The same unguarded endpoints on GuardedServer's transport: what the guard alone costs. Throughput and
            // 8-way handshakes only (no latency, no sequential handshakes), to keep the run under 15 minutes.
            List<Load.Target> sameTransport = List.of(
                    new Load.Target(Report.SAME_TRANSPORT, plainGs, "/plain", false),
                    new Load.Target(Report.SAME_TRANSPORT_VERIFY, plainGs, "/verify", true));
            // For memory, plain Tyrus gets the same upgrade requests as wsguard, bearer token included: Tyrus keeps a
            // session's request headers for its whole life (about 1.9 KB for these tokens), which is the transport's
            // cost of carrying a token, guard or not.
            Load.Target tPlainSameRequest = new Load.Target("plain Tyrus", plain, "/plain", true);
            // And an endpoint with an @OnOpen: Tyrus then makes its instance when the session opens, as it does for
            // wsguard's adapter; /plain gets its instance only with a first message, so never in this measurement.
            Load.Target tPlainOpen = new Load.Target(Report.PLAIN_ON_OPEN, plain, "/plain-open", true);
            List<Load.Target> memory = new ArrayList<>(List.of(tPlainSameRequest, tPlainOpen, tGuarded));
            if (quarkus != null) {
                Load.Target qPlain = new Load.Target("Quarkus plain", quarkus, "/plain", false);
                Load.Target qSecure = new Load.Target("Quarkus secured", quarkus, "/secure", true);
                messages.addAll(List.of(qPlain, qSecure));
                handshakes.addAll(List.of(qPlain, qSecure));
                memory.addAll(List.of(qPlain, qSecure));
            }
            report.note("servers: " + messages.stream().map(Load.Target::label).toList());

            // Round 0 warms every server, every endpoint and this driver on every pattern; it is not reported.
            for (int r = 0; r <= rounds; r++) {
                boolean warm = r == 0;
                log(warm ? "warming up (round 0, not reported)" : "round " + r);
                for (int connections : new int[] {1, 10, 100}) {
                    List<Load.Target> these = new ArrayList<>(messages);
                    these.add(sameTransport.get(0));
                    // In short runs, the targets in turn, as the handshakes below: whole 3 s runs one after another
                    // put the machine's drift into the ratios (10 connections spread 0.86-1.40 within one run).
                    List<Load.Target> turn = rotate(these, r);
                    double[][] f = Load.throughputInTurn(turn, tokens, connections, messageMillis, SLICES);
                    for (int i = 0; i < turn.size(); i++) {
                        Load.Target t = turn.get(i);
                        record(warm, "throughput", t.label(), connections + " connections", "msg/s", f[i][0]);
                        if (!Double.isNaN(f[i][1])) {
                            // The server's own CPU per message: what the ratio of rates comes down to when the
                            // machine is saturated, and far less sensitive to scheduling noise than the rate.
                            record(warm, "cpu", t.label(), connections + " connections", "µs/msg", f[i][1]);
                        }
                        log("round " + r + " throughput " + t.label() + " @" + connections + ": "
                                + Figure.num(f[i][0]));
                    }
                }
                for (Load.Target t : rotate(messages, r)) {
                    double[] p = Load.latency(t, tokens, 10, 2_000, latencyMillis);
                    record(warm, "latency", t.label(), "p50", "µs", p[0]);
                    record(warm, "latency", t.label(), "p99", "µs", p[1]);
                    log("round " + r + " latency " + t.label() + ": p50 " + Figure.num(p[0]) + " p99 "
                            + Figure.num(p[1]));
                }
                if (warm) {
                    // The handshake paths (JWT parsing, RSA, session set-up and tear-down) are the last to settle:
                    // in shorter runs their rates were still rising after minutes. A longer warm-up for each.
                    for (List<Load.Target> group : List.of(handshakes, sameTransport)) {
                        for (Load.Target t : group) {
                            Load.handshakes(t, tokens.get(0), 8, quick ? 1_000 : 10_000);
                        }
                    }
                }
                for (int threads : new int[] {1, 8}) {
                    List<Load.Target> these = new ArrayList<>(handshakes);
                    if (threads > 1) {
                        these.addAll(sameTransport);
                    }
                    // Each target's time in short runs, the targets in turn: a handshake rate drifts over seconds
                    // (sockets in TIME_WAIT, collections), and whole 2.5 s runs one after another put that drift
                    // into the ratios (sequential handshakes spread 0.83-1.04 within one run that way).
                    List<Load.Target> turn = rotate(these, r);
                    double[][] f = Load.handshakesInTurn(turn, tokens.get(0), threads, handshakeMillis, SLICES);
                    for (int i = 0; i < turn.size(); i++) {
                        Load.Target t = turn.get(i);
                        String mode = threads == 1 ? "sequential" : "8-way";
                        record(warm, "handshakes", t.label(), mode, "/s", f[i][0]);
                        if (!Double.isNaN(f[i][1])) {
                            record(warm, "handshake cpu", t.label(), mode, "µs/handshake", f[i][1]);
                        }
                        log("round " + r + " handshakes " + t.label() + " x" + threads + ": " + Figure.num(f[i][0]));
                    }
                }
                int t0 = 0;
                for (Load.Target t : List.of(tFair, tPlain)) {
                    for (boolean flood : new boolean[] {false, true}) {
                        Load.Flooder flooder = new Load.Flooder(attackers.get(2 * r + t0), 2 * r + t0);
                        // The warm-up round's fairness runs are short: they only compile the paths (the run's
                        // 15 minutes have no room for four more full ones).
                        Load.Fairness f = Load.fairness(t, tokens.subList(1, 101), flooder, 100, 10,
                                warm ? Math.min(2_000, fairnessMillis) : fairnessMillis, flood);
                        String mode = flood ? "with flood" : "no flood";
                        record(warm, "fairness", t.label(), mode + " p99", "µs", f.p99Micros());
                        record(warm, "fairness", t.label(), mode + " lost", "messages", f.lost());
                        if (flood) {
                            record(warm, "fairness", t.label(), "flood sent", "messages", f.flooded());
                            record(warm, "fairness", t.label(), "flood refused", "handshakes", f.refused());
                        }
                        log("round " + r + " fairness " + t.label() + " " + mode + ": p99 "
                                + Figure.num(f.p99Micros()) + " lost " + f.lost() + " flood " + f.flooded()
                                + " refused " + f.refused());
                    }
                    t0++;
                }
                if (!warm) {
                    // The control: the same flooder floods plain Tyrus (idle meanwhile) while the clients talk to
                    // wsguard. What the flood then costs them is the machine's (2 cores), not the guard's handling.
                    int id = 2 * (rounds + 1) + r;
                    Load.Fairness f = Load.fairness(tFair, tPlain, tokens.subList(1, 101),
                            new Load.Flooder(attackers.get(id), id), 100, 10, fairnessMillis, true);
                    record(false, "fairness", tFair.label(), "flood elsewhere p99", "µs", f.p99Micros());
                    log("round " + r + " fairness " + tFair.label() + " flood at plain Tyrus: p99 "
                            + Figure.num(f.p99Micros()) + " lost " + f.lost() + " flood " + f.flooded());
                }
            }
            for (Load.Target t : memory) {
                // Open and close as many connections first, all with one token: tables that grow with the number
                // of sessions (in Tyrus, Grizzly, the JDK and the guard) keep their size, and must not count against
                // whichever measurement comes first. Then one shared token (the bookkeeping alone), then each its
                // own user's token, not seen before: identities and cache entries count there.
                Load.heapPerConnection(t, tokens.subList(0, 1), memoryConnections);
                double shared = Load.heapPerConnection(t, tokens.subList(0, 1), memoryConnections);
                double own = Load.heapPerConnection(t, tokens, memoryConnections);
                report.add("memory", t.label(), Report.MEMORY_OWN, "B/connection", own);
                report.add("memory", t.label(), Report.MEMORY_SHARED, "B/connection", shared);
                log("memory " + t.label() + ": " + Figure.num(own) + " B/connection (own tokens), "
                        + Figure.num(shared) + " (one shared token)");
            }
        }
        stateMemory(jar, logs);
    }

    private void record(boolean warm, String section, String target, String figure, String unit, double value) {
        report.add(warm, section, target, figure, unit, value);
    }

    /**
     * The driver's arguments: {@code --quick} alone, every other option followed by its value. Also makes sure that
     * Ctrl-C or a kill does not leave the server JVMs this driver starts running.
     */
    static Map<String, String> options(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            opts.put(args[i], args[i].equals("--quick") ? "" : args[++i]);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants()
                .forEach(ProcessHandle::destroy), "stop-servers"));
        return opts;
    }

    private void stateMemory(Path jar, Path logs) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx2g", "-cp", jar.toString(), "dev.wsguard.internal.jwt.StateMemory",
                Integer.toString(quick ? 200_000 : 1_000_000)).redirectError(logs.resolve("state.log").toFile()).start();
        for (String line : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            String[] kv = line.trim().split(" ");
            if (kv.length == 2) {
                report.state(kv[0], Long.parseLong(kv[1]));
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("state memory run failed; see " + logs.resolve("state.log"));
        }
    }

    /** Round {@code r} starts with a different target, so no target always runs first (or last). */
    static <T> List<T> rotate(List<T> items, int r) {
        List<T> result = new ArrayList<>(items);
        java.util.Collections.rotate(result, -(r - 1) % Math.max(1, items.size()));
        return result;
    }

    /**
     * Each server JVM logs its collections (pauses, with the wall-clock time the driver's log lines have too) next to
     * its console log: a round that stands out can be checked against them.
     */
    private static String gcLog(Path logs, String server) {
        return "-Xlog:gc:file=" + logs.resolve(server + "-gc.log").toAbsolutePath() + ":time,uptime";
    }

    static List<String> cmd(List<String> jvm, String... rest) {
        List<String> c = new ArrayList<>(jvm);
        c.addAll(List.of(rest));
        return c;
    }

    static void log(String line) {
        System.out.println("[bench " + java.time.LocalTime.now().withNano(0) + "] " + line);
        System.out.flush();
    }
}
