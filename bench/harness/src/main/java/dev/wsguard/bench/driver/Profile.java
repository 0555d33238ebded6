package dev.wsguard.bench.driver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Profiles one server under one load pattern with Java Flight Recorder, for finding where the time goes before a
 * change (and checking after it). Not part of {@code bench/run}: figures come from there.
 *
 * <p>Arguments: {@code --jar FILE} (this jar), {@code --kind guarded|plain}, {@code --path /guarded},
 * {@code --pattern messages|handshakes|memory|fairness}, {@code --connections N} (messages) or {@code --threads N} (handshakes),
 * {@code --seconds N} (recorded after an equal warm-up), {@code --out FILE.jfr}. For memory, {@code --heap-dump yes}
 * also writes a heap dump ({@code FILE.hprof}) with the connections open, and {@code --after-message yes} has each
 * connection exchange one message first (a runtime may create per-session state only then). Read the recording with
 * {@code jfr print --events jdk.ExecutionSample} or, on JDK 21+, {@code jfr view hot-methods}.
 */
public final class Profile {

    private Profile() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = Run.options(args);
        Path jar = Path.of(o.get("--jar"));
        String kind = o.getOrDefault("--kind", "guarded");
        String path = o.getOrDefault("--path", "/" + kind);
        String pattern = o.getOrDefault("--pattern", "messages");
        int n = Integer.parseInt(o.getOrDefault(pattern.equals("handshakes") ? "--threads" : "--connections", "100"));
        long millis = Long.parseLong(o.getOrDefault("--seconds", "20")) * 1_000;
        Path out = Path.of(o.getOrDefault("--out", "profile.jfr")).toAbsolutePath();
        Path logs = Files.createDirectories(out.getParent());

        Tokens keys = Tokens.generate(logs);
        List<String> tokens = keys.users(pattern.equals("handshakes") ? 1 : n);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms1g", "-Xmx1g", "-XX:+UseG1GC",
                "-Dbench.selectors=" + Integer.getInteger("bench.selectors", 0),
                "-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints",
                // A handshake runs about 80 frames deep in Grizzly and Tyrus: JFR's default of 64 cuts the stacks
                // above the guard off, so inclusive shares would come out low.
                "-XX:FlightRecorderOptions:stackdepth=256",
                "-cp", jar.toString(), "dev.wsguard.bench.server.Servers", kind, keys.pem.toString()));
        try (ServerProcess server = ServerProcess.start(kind, cmd, logs.resolve(kind + "-profile.log"))) {
            Load.Target target = new Load.Target(kind, server, path, true);
            if (pattern.equals("fairness")) {
                fairness(server, target, keys, logs, out, millis);
                return;
            }
            if (pattern.equals("memory")) {
                memory(server, target, tokens, n, o.containsKey("--heap-dump") ? out : null,
                        o.containsKey("--after-message"));
                return;
            }
            Run.log("warming up " + kind + path + " for " + millis / 1000 + " s");
            run(target, pattern, tokens, n, millis);
            jcmd(server, "JFR.start", "name=p", "settings=profile", "jdk.ExecutionSample#period=2ms");
            long cpu = server.cpuMicros();
            double rate = run(target, pattern, tokens, n, millis);
            cpu = server.cpuMicros() - cpu;
            jcmd(server, "JFR.dump", "name=p", "filename=" + out);
            Run.log(String.format("%s %s x%d: %.0f/s, server CPU %.1f µs each; recording %s", kind + path, pattern,
                    n, rate, cpu / (rate * millis / 1000.0), out));
        }
    }

    /**
     * Heap per idle connection, each its own user, and the classes it goes to: a class histogram with {@code n}
     * connections open minus one taken before they opened (after a first batch opened and closed).
     */
    private static void memory(ServerProcess server, Load.Target target, List<String> tokens, int n, Path heapDump,
                               boolean spoken) throws Exception {
        // As bench/run measures it: connections with one shared token first (tables sized), then each its own user,
        // tokens the server has not seen (identities and token-cache entries count).
        Load.heapPerConnection(target, tokens.subList(0, 1), n);
        Thread.sleep(3_000);
        Map<String, long[]> before = histogram(server);
        List<RawWs> sockets = Load.openAll(target, tokens, n);
        if (spoken) {
            for (RawWs ws : sockets) {
                ws.send(Load.MESSAGE);
                ws.read();
            }
        }
        try {
            // As bench/run does: once the server has settled (handshake timers leave at their next check).
            Thread.sleep(3_000);
            Map<String, long[]> after = histogram(server);
            if (heapDump != null) {
                jcmd(server, "GC.heap_dump", heapDump.toString().replace(".jfr", ".hprof"));
            }
            long total = 0;
            List<Map.Entry<String, Long>> rows = new ArrayList<>();
            for (Map.Entry<String, long[]> e : after.entrySet()) {
                long[] b = before.getOrDefault(e.getKey(), new long[2]);
                long bytes = e.getValue()[1] - b[1];
                total += bytes;
                rows.add(Map.entry(String.format("%8.2f %s", (e.getValue()[0] - b[0]) / (double) n, e.getKey()),
                        bytes));
            }
            rows.sort(Map.Entry.<String, Long>comparingByValue().reversed());
            Run.log(String.format("%s: %.0f B per connection (%d connections)", target.label() + target.path(),
                    total / (double) n, n));
            System.out.println("   B/conn  objects/conn class");
            rows.stream().filter(r -> Math.abs(r.getValue()) >= 2L * n).forEach(r -> System.out.printf("%8.0f %s%n", r.getValue() / (double) n,
                    r.getKey()));
        } finally {
            Load.closeAll(sockets);
        }
    }

    /**
     * The fairness run of {@code bench/run} (100 well-behaved clients at 10 msg/s, each its own user and address),
     * without and then with one flooder, recording the flooded run.
     */
    private static void fairness(ServerProcess server, Load.Target target, Tokens keys, Path logs, Path out,
                                 long millis) throws Exception {
        List<String> good = keys.users(100);
        int round = 0;
        for (boolean flood : new boolean[] {false, true, false, true}) {
            boolean recorded = round == 3;
            if (recorded) {
                jcmd(server, "JFR.start", "name=p", "settings=profile", "jdk.ExecutionSample#period=2ms");
            }
            Load.Flooder flooder = new Load.Flooder(keys.sign("mallory-" + round), round);
            Load.Fairness f = Load.fairness(target, good, flooder, 100, 10, millis, flood);
            Run.log(String.format("%s: p99 %.0f µs, lost %d, flood sent %d, refused %d", flood ? "flood" : "quiet",
                    f.p99Micros(), f.lost(), f.flooded(), f.refused()));
            if (recorded) {
                jcmd(server, "JFR.dump", "name=p", "filename=" + out);
            }
            round++;
        }
    }

    private static final java.util.regex.Pattern ROW =
            java.util.regex.Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    /** Instances and bytes per class after a full GC ({@code jcmd GC.class_histogram} collects first). */
    private static Map<String, long[]> histogram(ServerProcess server) throws Exception {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (String line : jcmd(server, "GC.class_histogram").split("\\n")) {
            java.util.regex.Matcher r = ROW.matcher(line);
            if (r.find()) {
                m.merge(r.group(3), new long[] {Long.parseLong(r.group(1)), Long.parseLong(r.group(2))},
                        (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
            }
        }
        return m;
    }

    private static double run(Load.Target target, String pattern, List<String> tokens, int n, long millis)
            throws Exception {
        return pattern.equals("messages") ? Load.throughput(target, tokens, n, millis)
                : Load.handshakes(target, tokens.get(0), n, millis);
    }

    private static String jcmd(ServerProcess server, String... command) throws Exception {
        List<String> c = new ArrayList<>(List.of("jcmd", Long.toString(server.pid())));
        c.addAll(List.of(command));
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", c) + ": " + text);
        }
        return text;
    }
}
